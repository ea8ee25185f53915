#include "ops/backup_tool/qdrant_client.h"

#include <curl/curl.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

#include "ops/backup_tool/crypto.h"

namespace quiver::ops::backup {
namespace {

using nlohmann::json;

base::Result<json> ResultOf(const std::string& body, const std::string& what) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("result")) {
    return base::Status::Internal(what + ": the server's answer is not a Qdrant response");
  }
  return j["result"];
}

std::string PointDigest(const json& point) {
  json canon{{"id", point.value("id", json(nullptr))},
             {"payload", point.value("payload", json(nullptr))},
             {"vector", point.value("vector", json(nullptr))}};
  return Sha256Hex(canon.dump());
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

// A curl handle with the endpoint's TLS, timeouts and api-key header.
struct Easy {
  std::unique_ptr<CURL, CurlDeleter> curl;
  curl_slist* headers = nullptr;
  explicit Easy(const ingest::HttpEndpoint& ep, const std::string& url) : curl(curl_easy_init()) {
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_USERAGENT, "quiver-backup/0.1");
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(ep.connect_timeout_sec * 1e3));
    // Big transfers: no total timeout, but abort when stalled for a minute.
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
    if (ep.insecure) {
      curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (!ep.ca_cert.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, ep.ca_cert.c_str());
    headers = curl_slist_append(headers, "Expect:");
    if (!ep.api_key.empty())
      headers = curl_slist_append(headers, ("api-key: " + ep.api_key).c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  }
  ~Easy() { curl_slist_free_all(headers); }
};

struct Sink {
  std::FILE* file = nullptr;
  Sha256 sum;
  std::string error_body;  // for non-2xx answers
  long status = 0;
  CURL* curl = nullptr;
};

size_t OnData(char* p, size_t size, size_t n, void* user) {
  auto* s = static_cast<Sink*>(user);
  size_t len = size * n;
  if (s->status == 0) curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &s->status);
  if (s->status / 100 != 2) {
    if (s->error_body.size() < 4096) s->error_body.append(p, std::min<size_t>(len, 4096));
    return len;
  }
  if (std::fwrite(p, 1, len, s->file) != len) return 0;
  s->sum.Update(p, len);
  return len;
}

std::string ErrorText(long status, const std::string& body) {
  ingest::HttpResponse r;
  r.status = status;
  r.body = body;
  return ingest::ErrorMessageOf(r);
}

}  // namespace

std::string EscapeSegment(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

QdrantClient::QdrantClient(ingest::HttpEndpoint endpoint) : endpoint_(std::move(endpoint)) {
  ingest::RetryPolicy policy;
  policy.max_attempts = 5;
  client_ = std::make_unique<ingest::RetryingClient>(endpoint_, policy, nullptr, nullptr);
}

base::Result<std::string> QdrantClient::Call(const char* method, const std::string& path,
                                             const std::string& body) {
  auto r = client_->Send(method, path, body);
  if (!r.ok()) return base::Status(r.status().code(), url() + ": " + r.status().message());
  if (r->status == 404) {
    return base::Status::NotFound(std::string(method) + " " + path + ": " +
                                  ErrorText(404, r->body));
  }
  if (r->status / 100 != 2) {
    return base::Status::Internal(std::string(method) + " " + path + " on " +
                                  ingest::RedactUrl(url()) + ": " + ErrorText(r->status, r->body));
  }
  return std::move(r->body);
}

base::Status QdrantClient::ServerInfo(std::string& title, std::string& version) {
  auto body = Call("GET", "/", "");
  if (!body.ok()) return body.status();
  json j = json::parse(*body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return base::Status::Internal("GET / is not JSON");
  title = j.value("title", "");
  version = j.value("version", "");
  return base::Status::Ok();
}

base::Result<std::vector<std::string>> QdrantClient::ListCollections() {
  auto body = Call("GET", "/collections", "");
  if (!body.ok()) return body.status();
  auto res = ResultOf(*body, "GET /collections");
  if (!res.ok()) return res.status();
  std::vector<std::string> out;
  if (res->contains("collections") && (*res)["collections"].is_array()) {
    for (const auto& c : (*res)["collections"]) {
      if (c.is_object() && c.contains("name") && c["name"].is_string()) {
        out.push_back(c["name"].get<std::string>());
      }
    }
  }
  return out;
}

base::Result<CollectionState> QdrantClient::GetCollection(const std::string& name) {
  auto body = Call("GET", "/collections/" + EscapeSegment(name), "");
  if (!body.ok()) return body.status();
  auto res = ResultOf(*body, "GET /collections/" + name);
  if (!res.ok()) return res.status();
  CollectionState st;
  st.status = res->value("status", "");
  st.config_json = res->contains("config") ? (*res)["config"].dump() : "null";
  return st;
}

base::Result<uint64_t> QdrantClient::CountExact(const std::string& name) {
  auto body =
      Call("POST", "/collections/" + EscapeSegment(name) + "/points/count", R"({"exact":true})");
  if (!body.ok()) return body.status();
  auto res = ResultOf(*body, "count");
  if (!res.ok()) return res.status();
  if (!res->contains("count") || !(*res)["count"].is_number_unsigned()) {
    return base::Status::Internal("count: no count in the answer");
  }
  return (*res)["count"].get<uint64_t>();
}

base::Result<std::vector<SamplePoint>> QdrantClient::Sample(const std::string& name, int limit) {
  json req{{"limit", limit}, {"with_payload", true}, {"with_vector", true}};
  auto body = Call("POST", "/collections/" + EscapeSegment(name) + "/points/scroll", req.dump());
  if (!body.ok()) return body.status();
  auto res = ResultOf(*body, "scroll");
  if (!res.ok()) return res.status();
  std::vector<SamplePoint> out;
  if (res->contains("points") && (*res)["points"].is_array()) {
    for (const auto& p : (*res)["points"]) out.push_back({p["id"].dump(), PointDigest(p)});
  }
  return out;
}

base::Result<std::vector<SamplePoint>> QdrantClient::Digests(
    const std::string& name, const std::vector<std::string>& id_jsons) {
  json ids = json::array();
  for (const auto& s : id_jsons) ids.push_back(json::parse(s, nullptr, false));
  json req{{"ids", ids}, {"with_payload", true}, {"with_vector", true}};
  auto body = Call("POST", "/collections/" + EscapeSegment(name) + "/points", req.dump());
  if (!body.ok()) return body.status();
  auto res = ResultOf(*body, "retrieve points");
  if (!res.ok()) return res.status();
  std::vector<SamplePoint> out;
  if (res->is_array()) {
    for (const auto& p : *res) out.push_back({p["id"].dump(), PointDigest(p)});
  }
  return out;
}

base::Result<SnapshotInfo> QdrantClient::CreateSnapshot(const std::string& collection) {
  auto body =
      Call("POST", "/collections/" + EscapeSegment(collection) + "/snapshots?wait=true", "");
  if (!body.ok()) return body.status();
  auto res = ResultOf(*body, "create snapshot");
  if (!res.ok()) return res.status();
  SnapshotInfo info;
  if (!res->is_object() || !res->contains("name") || !(*res)["name"].is_string()) {
    return base::Status::Internal("create snapshot: no snapshot name in the answer");
  }
  info.name = (*res)["name"].get<std::string>();
  if (res->contains("size") && (*res)["size"].is_number_unsigned()) {
    info.size = (*res)["size"].get<uint64_t>();
  }
  if (res->contains("checksum") && (*res)["checksum"].is_string()) {
    info.checksum = (*res)["checksum"].get<std::string>();
  }
  return info;
}

base::Status QdrantClient::DeleteSnapshot(const std::string& collection,
                                          const std::string& snapshot) {
  auto body = Call("DELETE",
                   "/collections/" + EscapeSegment(collection) + "/snapshots/" +
                       EscapeSegment(snapshot) + "?wait=true",
                   "");
  return body.ok() ? base::Status::Ok() : body.status();
}

base::Status QdrantClient::DeleteCollection(const std::string& name) {
  auto body = Call("DELETE", "/collections/" + EscapeSegment(name), "");
  return body.ok() ? base::Status::Ok() : body.status();
}

base::Result<std::string> QdrantClient::DownloadSnapshot(const std::string& collection,
                                                         const std::string& snapshot,
                                                         const std::filesystem::path& file) {
  const std::string path =
      "/collections/" + EscapeSegment(collection) + "/snapshots/" + EscapeSegment(snapshot);
  std::string last;
  for (int attempt = 0; attempt < 3; ++attempt) {
    Easy easy(endpoint_, endpoint_.base_url + path);
    Sink sink;
    sink.curl = easy.curl.get();
    sink.file = std::fopen(file.c_str(), "wb");
    if (sink.file == nullptr) return base::Status::Internal("cannot write " + file.string());
    curl_easy_setopt(easy.curl.get(), CURLOPT_WRITEFUNCTION, OnData);
    curl_easy_setopt(easy.curl.get(), CURLOPT_WRITEDATA, &sink);
    CURLcode rc = curl_easy_perform(easy.curl.get());
    bool closed = std::fclose(sink.file) == 0;
    curl_easy_getinfo(easy.curl.get(), CURLINFO_RESPONSE_CODE, &sink.status);
    if (rc == CURLE_OK && sink.status / 100 == 2) {
      if (!closed) return base::Status::Internal("write error on " + file.string());
      return sink.sum.HexDigest();
    }
    if (rc != CURLE_OK) {
      last = curl_easy_strerror(rc);
    } else {
      last = ErrorText(sink.status, sink.error_body);
      if (sink.status / 100 == 4) break;
    }
    std::this_thread::sleep_for(std::chrono::seconds(1 << attempt));
  }
  return base::Status::Internal("download of snapshot " + snapshot + " from " +
                                ingest::RedactUrl(url()) + " failed: " + last);
}

base::Status QdrantClient::UploadSnapshot(const std::string& collection,
                                          const std::filesystem::path& file,
                                          const std::string& sha256) {
  std::string target = endpoint_.base_url + "/collections/" + EscapeSegment(collection) +
                       "/snapshots/upload?wait=true&priority=snapshot";
  if (!sha256.empty()) target += "&checksum=" + sha256;
  Easy easy(endpoint_, target);
  curl_mime* mime = curl_mime_init(easy.curl.get());
  curl_mimepart* part = curl_mime_addpart(mime);
  curl_mime_name(part, "snapshot");
  curl_mime_filedata(part, file.c_str());  // streamed from the file by libcurl
  curl_mime_filename(part, (collection + ".snapshot").c_str());
  curl_mime_type(part, "application/octet-stream");
  curl_easy_setopt(easy.curl.get(), CURLOPT_MIMEPOST, mime);
  Sink sink;
  sink.curl = easy.curl.get();
  sink.status = 1;  // never treat the body as data: collect it as text
  curl_easy_setopt(easy.curl.get(), CURLOPT_WRITEFUNCTION, OnData);
  curl_easy_setopt(easy.curl.get(), CURLOPT_WRITEDATA, &sink);
  CURLcode rc = curl_easy_perform(easy.curl.get());
  long status = 0;
  curl_easy_getinfo(easy.curl.get(), CURLINFO_RESPONSE_CODE, &status);
  curl_mime_free(mime);
  if (rc != CURLE_OK) {
    return base::Status::Internal("upload of the snapshot of " + collection + " to " +
                                  ingest::RedactUrl(url()) + " failed: " + curl_easy_strerror(rc));
  }
  if (status / 100 != 2) {
    return base::Status::Internal("the server refused the snapshot of " + collection + ": " +
                                  ErrorText(status, sink.error_body));
  }
  return base::Status::Ok();
}

base::Status QdrantClient::WaitGreen(const std::string& name, double timeout_sec) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_sec);
  std::string last;
  for (;;) {
    auto st = GetCollection(name);
    if (st.ok() && st->status == "green") return base::Status::Ok();
    last = st.ok() ? st->status : st.status().message();
    if (std::chrono::steady_clock::now() > deadline) {
      return base::Status::Internal("collection " + name + " did not become green within " +
                                    std::to_string(static_cast<int>(timeout_sec)) +
                                    "s (last: " + last + ")");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

}  // namespace quiver::ops::backup
