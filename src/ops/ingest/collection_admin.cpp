#include "ops/ingest/collection_admin.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <thread>

#include "ops/ingest/json_text.h"

namespace quiver::ops::ingest {
namespace sj = simdjson;

base::Result<CollectionState> ParseCollectionInfo(std::string_view body) {
  sj::dom::parser parser;
  sj::dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc)) {
    return base::Status::Format("collection info is not JSON");
  }
  sj::dom::element result, params, vectors;
  if (doc["result"].get(result) || result["config"]["params"].get(params) ||
      params["vectors"].get(vectors)) {
    return base::Status::Format("collection info has no result.config.params.vectors");
  }
  CollectionState state;
  std::string_view status;
  if (!result["status"].get(status)) state.status = std::string(status);
  uint64_t u = 0;
  if (!result["points_count"].get(u)) state.points_count = u;
  if (!result["config"]["optimizer_config"]["indexing_threshold"].get(u)) {
    state.indexing_threshold = u;
  }
  state.vectors_json = sj::minify(vectors);
  sj::dom::element sparse;
  if (!params["sparse_vectors"].get(sparse) && !sparse.is_null()) {
    state.sparse_vectors_json = sj::minify(sparse);
  }
  state.schema.known = true;
  sj::dom::object obj;
  if (!vectors.get_object().get(obj)) {
    if (!obj["size"].get(u)) {
      state.schema.unnamed = u;
    } else {
      for (auto [name, v] : obj) {
        if (!v["size"].get(u)) state.schema.named.emplace(std::string(name), u);
      }
    }
  }
  sj::dom::object schema;
  if (!result["payload_schema"].get_object().get(schema)) {
    for (auto [field, info] : schema) {
      std::string_view type;
      if (!info["data_type"].get(type)) {
        state.payload_indexes.emplace_back(std::string(field), std::string(type));
      }
    }
  }
  return state;
}

base::Result<std::string> CreateBodyFromSpec(std::string_view spec, size_t* size_out) {
  std::map<std::string, std::string> kv;
  size_t start = 0;
  while (start <= spec.size()) {
    size_t comma = spec.find(',', start);
    std::string_view item =
        spec.substr(start, comma == std::string_view::npos ? spec.npos : comma - start);
    size_t eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return base::Status::Validation("--create: expected key=value, got `" + std::string(item) +
                                      "`");
    }
    kv[std::string(item.substr(0, eq))] = std::string(item.substr(eq + 1));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  auto uint_of = [&](const std::string& key, std::string* out) -> base::Status {
    const std::string& v = kv[key];
    if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos) {
      return base::Status::Validation("--create: " + key + " must be a whole number, not `" + v +
                                      "`");
    }
    *out = v;
    return base::Status::Ok();
  };
  auto bool_of = [&](const std::string& key, std::string* out) -> base::Status {
    std::string v = kv[key];
    std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
    if (v != "true" && v != "false") {
      return base::Status::Validation("--create: " + key + " must be true or false");
    }
    *out = v;
    return base::Status::Ok();
  };
  if (!kv.count("size")) return base::Status::Validation("--create needs size=N");
  std::string size, distance = "Cosine", value;
  QUIVER_RETURN_IF_ERROR(uint_of("size", &size));
  *size_out = std::stoul(size);
  std::string params = "{\"size\":" + size;
  std::string hnsw, top, optimizers;
  std::string name;
  for (const auto& [key, v] : kv) {
    if (key == "size") continue;
    if (key == "distance") {
      std::string d = v;
      std::transform(d.begin(), d.end(), d.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      static const std::map<std::string, std::string> kNames = {
          {"cosine", "Cosine"},    {"dot", "Dot"},   {"euclid", "Euclid"},
          {"euclidean", "Euclid"}, {"l2", "Euclid"}, {"manhattan", "Manhattan"},
          {"l1", "Manhattan"}};
      auto it = kNames.find(d);
      if (it == kNames.end()) {
        return base::Status::Validation(
            "--create: distance must be Cosine, Dot, Euclid or Manhattan");
      }
      distance = it->second;
    } else if (key == "on_disk") {
      QUIVER_RETURN_IF_ERROR(bool_of(key, &value));
      params += ",\"on_disk\":" + value;
    } else if (key == "datatype") {
      params += ",\"datatype\":";
      AppendJsonString(params, v);
    } else if (key == "name") {
      name = v;
    } else if (key == "m" || key == "ef_construct") {
      QUIVER_RETURN_IF_ERROR(uint_of(key, &value));
      hnsw += (hnsw.empty() ? "" : ",") + ("\"" + key + "\":") + value;
    } else if (key == "shard_number" || key == "replication_factor") {
      QUIVER_RETURN_IF_ERROR(uint_of(key, &value));
      top += ",\"" + key + "\":" + value;
    } else if (key == "on_disk_payload") {
      QUIVER_RETURN_IF_ERROR(bool_of(key, &value));
      top += ",\"on_disk_payload\":" + value;
    } else if (key == "indexing_threshold") {
      QUIVER_RETURN_IF_ERROR(uint_of(key, &value));
      optimizers = "{\"indexing_threshold\":" + value + "}";
    } else {
      return base::Status::Validation(
          "--create: unknown key `" + key +
          "` (known: size, distance, on_disk, datatype, name, m, ef_construct, on_disk_payload, "
          "shard_number, replication_factor, indexing_threshold)");
    }
  }
  params += ",\"distance\":\"" + distance + "\"}";
  std::string body = "{\"vectors\":";
  if (name.empty()) {
    body += params;
  } else {
    body += "{";
    AppendJsonString(body, name);
    body += ":" + params + "}";
  }
  if (!hnsw.empty()) body += ",\"hnsw_config\":{" + hnsw + "}";
  if (!optimizers.empty()) body += ",\"optimizers_config\":" + optimizers;
  body += top + "}";
  return body;
}

base::Result<std::pair<std::string, std::string>> ParseIndexSpec(std::string_view spec) {
  size_t colon = spec.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == spec.size()) {
    return base::Status::Validation("--index expects FIELD:TYPE, got `" + std::string(spec) + "`");
  }
  std::string field(spec.substr(0, colon));
  std::string_view type = spec.substr(colon + 1);
  if (type.front() == '{') return std::make_pair(field, std::string(type));
  static const char* kTypes[] = {"keyword", "integer",  "float", "bool",
                                 "geo",     "datetime", "text",  "uuid"};
  for (const char* t : kTypes) {
    if (type == t) return std::make_pair(field, "\"" + std::string(type) + "\"");
  }
  return base::Status::Validation("--index " + std::string(spec) +
                                  ": type must be keyword, integer, float, bool, geo, datetime, "
                                  "text, uuid or a JSON object of index params");
}

std::string EncodePathSegment(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

CollectionAdmin::CollectionAdmin(RetryingClient* client, std::string collection)
    : client_(client),
      collection_(std::move(collection)),
      path_("/collections/" + EncodePathSegment(collection_)) {}

base::Result<HttpResponse> CollectionAdmin::Call(std::string_view method, const std::string& path,
                                                 std::string_view body) {
  return client_->Send(method, path, body);
}

base::Result<std::optional<CollectionState>> CollectionAdmin::Get() {
  auto r = Call("GET", path_, "");
  if (!r.ok()) return r.status();
  if (r.value().status == 404) return std::optional<CollectionState>();
  if (r.value().status != 200) {
    return base::Status::Internal("GET collection " + collection_ + ": " +
                                  ErrorMessageOf(r.value()));
  }
  auto state = ParseCollectionInfo(r.value().body);
  if (!state.ok()) return state.status();
  return std::optional<CollectionState>(std::move(state.value()));
}

base::Status CollectionAdmin::Create(const std::string& body) {
  auto r = Call("PUT", path_, body);
  if (!r.ok()) return r.status();
  if (r.value().status == 200 || r.value().status == 409) return base::Status::Ok();
  return base::Status::BadRequest("cannot create collection " + collection_ + ": " +
                                  ErrorMessageOf(r.value()));
}

base::Status CollectionAdmin::CreateIndex(const std::string& field,
                                          const std::string& schema_json) {
  std::string body = "{\"field_name\":";
  AppendJsonString(body, field);
  body += ",\"field_schema\":" + schema_json + "}";
  auto r = Call("PUT", path_ + "/index?wait=true", body);
  if (!r.ok()) return r.status();
  if (r.value().status == 200) return base::Status::Ok();
  return base::Status::BadRequest("cannot create payload index " + field + ": " +
                                  ErrorMessageOf(r.value()));
}

base::Status CollectionAdmin::SetIndexingThreshold(uint64_t value) {
  auto r = Call("PATCH", path_,
                "{\"optimizers_config\":{\"indexing_threshold\":" + std::to_string(value) + "}}");
  if (!r.ok()) return r.status();
  if (r.value().status == 200) return base::Status::Ok();
  return base::Status::BadRequest("cannot update collection " + collection_ + ": " +
                                  ErrorMessageOf(r.value()));
}

base::Status CollectionAdmin::WaitGreen(double timeout_sec, const std::atomic<bool>* cancel) {
  auto start = std::chrono::steady_clock::now();
  auto last_nudge = start;
  while (true) {
    auto state = Get();
    if (!state.ok()) return state.status();
    if (!state.value()) return base::Status::NotFound("collection " + collection_ + " disappeared");
    const std::string& status = state.value()->status;
    if (status == "green") return base::Status::Ok();
    if (status == "red") {
      return base::Status::Internal("collection " + collection_ + " is red (optimizer error)");
    }
    auto now = std::chrono::steady_clock::now();
    if (status == "grey" && now - last_nudge > std::chrono::seconds(5)) {
      (void)Call("PATCH", path_, "{\"optimizers_config\":{}}");  // Qdrant's way to start them
      last_nudge = now;
    }
    if (std::chrono::duration<double>(now - start).count() > timeout_sec) {
      return base::Status(base::StatusCode::kTimeout,
                          "collection " + collection_ + " not green after " +
                              std::to_string(static_cast<int>(timeout_sec)) + " s (" + status +
                              ")");
    }
    if (cancel && cancel->load()) return base::Status::Internal("cancelled");
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

base::Result<uint64_t> CollectionAdmin::Count() {
  auto r = Call("POST", path_ + "/points/count", "{\"exact\":true}");
  if (!r.ok()) return r.status();
  sj::dom::parser parser;
  sj::dom::element doc;
  uint64_t n = 0;
  if (r.value().status != 200 || parser.parse(r.value().body).get(doc) ||
      doc["result"]["count"].get(n)) {
    return base::Status::Internal("count " + collection_ + ": " + ErrorMessageOf(r.value()));
  }
  return n;
}

}  // namespace quiver::ops::ingest
