// Converter plumbing (ids, vector checks, payload lookups) and the JSON converter used for JSONL
// records and for points scrolled from another server.
#include "ops/ingest/point_converter.h"

#include <simdjson.h>

#include "ops/ingest/json_text.h"

namespace quiver::ops::ingest {

namespace sj = simdjson;

base::Status VectorSchema::Check(std::string_view name, size_t dims) const {
  if (!known) return base::Status::Ok();
  std::optional<size_t> want;
  if (name.empty()) {
    want = unnamed;
  } else if (auto it = named.find(name); it != named.end()) {
    want = it->second;
  }
  if (!want) {
    if (name.empty()) {
      return base::Status::BadInput(
          "Not existing vector name error: the collection has only named vectors; use "
          "--vector-name or named vectors in the records");
    }
    return base::Status::BadInput("Not existing vector name error: " + std::string(name));
  }
  if (*want != dims) {
    return base::Status::BadInput("Vector dimension error: expected dim: " + std::to_string(*want) +
                                  ", got " + std::to_string(dims));
  }
  return base::Status::Ok();
}

base::Result<std::string> MakePointId(const ConvertOptions& options, uint64_t number,
                                      std::string_view own_id, const KeyValue& key) {
  const IdSpec& spec = options.id;
  switch (spec.kind) {
    case IdSpec::Kind::kAuto:
      if (own_id.empty()) {
        return base::Status::Format(
            "record has no id (derive one with --id line, --id field:NAME or --id uuid5:NAME)");
      }
      return std::string(own_id);
    case IdSpec::Kind::kLine:
      return std::to_string(number);
    case IdSpec::Kind::kField:
    case IdSpec::Kind::kUuid5:
      break;
  }
  if (key.kind == KeyValue::Kind::kMissing) {
    return base::Status::Format("payload field `" + spec.field + "` (the id key) is missing");
  }
  if (spec.kind == IdSpec::Kind::kUuid5) return "\"" + Uuid5(options.id_namespace, key.text) + "\"";
  if (key.kind == KeyValue::Kind::kUnsigned) return key.text;
  if (key.kind == KeyValue::Kind::kString) return PointIdJsonFromText(key.text);
  return base::Status::Format("payload field `" + spec.field +
                              "` is not an unsigned integer or a UUID");
}

KeyValue LookupJsonField(std::string_view object_json, std::string_view dotted_path) {
  thread_local sj::dom::parser parser;
  KeyValue kv;
  sj::dom::element e;
  if (parser.parse(object_json.data(), object_json.size()).get(e)) return kv;
  while (true) {
    size_t dot = dotted_path.find('.');
    std::string_view part = dotted_path.substr(0, dot);
    sj::dom::object obj;
    if (e.get_object().get(obj) || obj.at_key(part).get(e)) return kv;
    if (dot == std::string_view::npos) break;
    dotted_path.remove_prefix(dot + 1);
  }
  std::string_view s;
  uint64_t u = 0;
  if (!e.get_string().get(s)) {
    kv.kind = KeyValue::Kind::kString;
    kv.text = std::string(s);
  } else if (e.is_uint64() || (e.is_int64() && e.get_int64().value_unsafe() >= 0)) {
    u = e.is_uint64() ? e.get_uint64().value_unsafe()
                      : static_cast<uint64_t>(e.get_int64().value_unsafe());
    kv.kind = KeyValue::Kind::kUnsigned;
    kv.text = std::to_string(u);
  } else {
    kv.kind = KeyValue::Kind::kOther;
    kv.text = sj::minify(e);
  }
  return kv;
}

namespace {

base::Status BadJson(sj::error_code err) {
  return base::Status::Format(std::string("invalid JSON: ") + sj::error_message(err));
}

class JsonConverter : public PointConverter {
 public:
  explicit JsonConverter(const ConvertOptions& options) : options_(options) {}

  base::Status Convert(const RawBatch& batch, const RawRecord& record, std::string& out) override {
    std::string_view text(batch.data.data() + record.offset, record.size);
    char first = FirstNonSpace(text);
    size_t last = text.find_last_not_of(" \t\r\n");
    if (first != '{') return base::Status::Format("record is not a JSON object");
    if (text[last] != '}') {
      return base::Status::Format("invalid JSON: the line does not end with the object's `}`");
    }
    padded_.assign(text.data(), text.size());
    padded_.append(sj::SIMDJSON_PADDING, ' ');
    sj::ondemand::document doc;
    auto err = parser_.iterate(padded_.data(), text.size(), padded_.size()).get(doc);
    if (err) return BadJson(err);
    sj::ondemand::object obj;
    if (doc.get_object().get(obj)) return base::Status::Format("record is not a JSON object");
    std::string id;
    std::string_view payload;
    vector_.clear();
    bool has_vector = false;
    for (auto member : obj) {
      sj::ondemand::field field;
      if ((err = std::move(member).get(field))) return BadJson(err);
      std::string_view key;
      if ((err = field.unescaped_key().get(key))) return BadJson(err);
      if (key == "id") {
        auto st = ReadId(field.value(), &id);
        if (!st.ok()) return st;
      } else if (key == "vector" || key == "vectors") {
        auto st = ReadVector(field.value());
        if (!st.ok()) return st;
        has_vector = true;
      } else if (key == "payload") {
        sj::ondemand::json_type type;
        if ((err = field.value().type().get(type))) return BadJson(err);
        if (type == sj::ondemand::json_type::object) {
          sj::ondemand::object p;
          if ((err = field.value().get_object().get(p)) || (err = p.raw_json().get(payload))) {
            return BadJson(err);
          }
        } else if (type != sj::ondemand::json_type::null) {
          return base::Status::Format("payload is not a JSON object");
        }
      }
    }
    const char* rest = nullptr;
    if (doc.current_location().get(rest) == sj::SUCCESS) {  // OUT_OF_BOUNDS: nothing follows
      return base::Status::Format("unexpected text after the JSON object");
    }
    if (!has_vector) return base::Status::Format("record has no `vector`");
    KeyValue key;
    if (options_.id.kind == IdSpec::Kind::kField || options_.id.kind == IdSpec::Kind::kUuid5) {
      if (!payload.empty()) key = LookupJsonField(payload, options_.id.field);
    }
    auto point_id = MakePointId(options_, record.number, id, key);
    if (!point_id.ok()) return point_id.status();
    out += "{\"id\":";
    out += point_id.value();
    out += ",\"vector\":";
    out += vector_;
    if (!payload.empty()) {
      out += ",\"payload\":";
      out += payload;
    }
    out += '}';
    return base::Status::Ok();
  }

 private:
  base::Status ReadId(sj::ondemand::value v, std::string* id) {
    sj::ondemand::json_type type;
    if (auto err = v.type().get(type)) return BadJson(err);
    if (type == sj::ondemand::json_type::number) {
      uint64_t n = 0;
      if (v.get_uint64().get(n)) {
        std::string_view raw = v.raw_json_token();
        return base::Status::Format("bad id " +
                                    std::string(raw.substr(0, raw.find_last_not_of(" \t") + 1)) +
                                    ": point ids are unsigned integers or UUIDs");
      }
      *id = std::to_string(n);
      return base::Status::Ok();
    }
    if (type == sj::ondemand::json_type::string) {
      std::string_view s;
      if (auto err = v.get_string().get(s)) return BadJson(err);
      auto r = PointIdJsonFromUuidString(s);
      if (!r.ok()) return r.status();
      *id = std::move(r.value());
      return base::Status::Ok();
    }
    return base::Status::Format("bad id: point ids are unsigned integers or UUIDs");
  }

  // One dense vector's raw array text, checked against the schema; multivectors pass through.
  base::Status CheckArray(std::string_view name, std::string_view raw) {
    size_t open = raw.find('[');
    if (FirstNonSpace(raw.substr(open + 1)) == '[') return base::Status::Ok();  // multivector
    auto dims = CountDenseVector(raw);
    if (!dims.ok()) return dims.status();
    return options_.schema.Check(name, dims.value());
  }

  base::Status ReadVector(sj::ondemand::value v) {
    sj::ondemand::json_type type;
    if (auto err = v.type().get(type)) return BadJson(err);
    sj::error_code err;
    if (type == sj::ondemand::json_type::array) {
      sj::ondemand::array arr;
      std::string_view raw;
      if ((err = v.get_array().get(arr)) || (err = arr.raw_json().get(raw))) return BadJson(err);
      QUIVER_RETURN_IF_ERROR(CheckArray(options_.vector_name, raw));
      if (options_.vector_name.empty()) {
        vector_.assign(raw);
      } else {
        vector_ = "{";
        AppendJsonString(vector_, options_.vector_name);
        vector_ += ':';
        vector_ += raw;
        vector_ += '}';
      }
      return base::Status::Ok();
    }
    if (type != sj::ondemand::json_type::object) {
      return base::Status::Format("vector is neither an array nor an object of named vectors");
    }
    sj::ondemand::object obj;
    if ((err = v.get_object().get(obj))) return BadJson(err);
    vector_ = "{";
    for (auto member : obj) {
      sj::ondemand::field field;
      std::string_view name;
      if ((err = std::move(member).get(field)) || (err = field.unescaped_key().get(name))) {
        return BadJson(err);
      }
      name_.assign(name);  // the key's buffer is reused by the next value
      sj::ondemand::json_type vt;
      if ((err = field.value().type().get(vt))) return BadJson(err);
      std::string_view raw;
      if (vt == sj::ondemand::json_type::array) {
        sj::ondemand::array arr;
        if ((err = field.value().get_array().get(arr)) || (err = arr.raw_json().get(raw))) {
          return BadJson(err);
        }
        QUIVER_RETURN_IF_ERROR(CheckArray(name_, raw));
      } else if (vt == sj::ondemand::json_type::object) {  // a sparse vector
        sj::ondemand::object sparse;
        if ((err = field.value().get_object().get(sparse)) || (err = sparse.raw_json().get(raw))) {
          return BadJson(err);
        }
      } else {
        return base::Status::Format("vector `" + name_ + "` is neither an array nor an object");
      }
      if (vector_.size() > 1) vector_ += ',';
      AppendJsonString(vector_, name_);
      vector_ += ':';
      vector_ += raw;
    }
    vector_ += '}';
    return base::Status::Ok();
  }

  ConvertOptions options_;
  sj::ondemand::parser parser_;
  std::string padded_;
  std::string vector_;
  std::string name_;
};

}  // namespace

std::unique_ptr<PointConverter> MakeJsonConverter(const ConvertOptions& options) {
  return std::make_unique<JsonConverter>(options);
}

std::unique_ptr<PointConverter> MakeConverter(const RecordLayout& layout,
                                              const ConvertOptions& options) {
  switch (layout.kind) {
    case RecordLayout::Kind::kJson:
      return MakeJsonConverter(options);
    case RecordLayout::Kind::kCsv:
      return MakeCsvConverter(layout.csv, options);
    case RecordLayout::Kind::kDense:
      return MakeDenseConverter(layout.dtype, options);
  }
  return MakeJsonConverter(options);
}

}  // namespace quiver::ops::ingest
