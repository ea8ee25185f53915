#include "ops/ingest/checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <simdjson.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "wire/json_out.h"

namespace quiver::ops::ingest {
namespace sj = simdjson;

std::string Checkpoint::ToJson() const {
  wire::JsonOut o;
  o.BeginObject();
  o.Key("version").Uint(1);
  o.Key("source").String(source);
  o.Key("source_size");
  source_size ? o.Uint(*source_size) : o.Null();
  o.Key("format").String(format);
  o.Key("id").String(id_spec);
  o.Key("collection").String(collection);
  o.Key("totals").BeginObject();
  o.Key("records").Uint(totals.records).Key("loaded").Uint(totals.loaded);
  o.Key("rejected").Uint(totals.rejected).EndObject();
  o.Key("position").BeginObject();
  o.Key("records").Uint(position.records).Key("offset").Uint(position.offset);
  o.Key("payload_lines").Uint(position.payload_lines);
  o.Key("payload_offset").Uint(position.payload_offset);
  o.Key("scroll_offset").String(position.scroll_offset);
  o.Key("scroll_done").Bool(position.scroll_done);
  o.EndObject();
  o.Key("complete").Bool(complete);
  o.Key("bulk_active").Bool(bulk_active);
  o.Key("original_indexing_threshold");
  original_indexing_threshold ? o.Uint(*original_indexing_threshold) : o.Null();
  o.EndObject();
  return o.Take() + "\n";
}

base::Result<Checkpoint> Checkpoint::FromJson(std::string_view json) {
  sj::dom::parser parser;
  sj::dom::element doc;
  auto bad = [](const char* what) {
    return base::Status::Format(std::string("checkpoint is damaged: ") + what);
  };
  if (parser.parse(json.data(), json.size()).get(doc)) return bad("not JSON");
  Checkpoint c;
  uint64_t version = 0;
  if (doc["version"].get(version) || version != 1) return bad("unknown version");
  std::string_view s;
  if (doc["source"].get(s)) return bad("source");
  c.source = std::string(s);
  uint64_t u = 0;
  if (!doc["source_size"].get(u)) c.source_size = u;
  if (doc["format"].get(s)) return bad("format");
  c.format = std::string(s);
  if (doc["id"].get(s)) return bad("id");
  c.id_spec = std::string(s);
  if (doc["collection"].get(s)) return bad("collection");
  c.collection = std::string(s);
  sj::dom::element t = doc["totals"], p = doc["position"];
  if (t["records"].get(c.totals.records) || t["loaded"].get(c.totals.loaded) ||
      t["rejected"].get(c.totals.rejected)) {
    return bad("totals");
  }
  if (p["records"].get(c.position.records) || p["offset"].get(c.position.offset) ||
      p["payload_lines"].get(c.position.payload_lines) ||
      p["payload_offset"].get(c.position.payload_offset) || p["scroll_offset"].get(s) ||
      p["scroll_done"].get(c.position.scroll_done)) {
    return bad("position");
  }
  c.position.scroll_offset = std::string(s);
  if (doc["complete"].get(c.complete) || doc["bulk_active"].get(c.bulk_active)) return bad("flags");
  if (!doc["original_indexing_threshold"].get(u)) c.original_indexing_threshold = u;
  return c;
}

std::string Checkpoint::Mismatch(const Checkpoint& current) const {
  if (source != current.source) return "it is for input " + source;
  if (source_size != current.source_size) return "the input's size changed";
  if (format != current.format) return "it is for format " + format;
  if (id_spec != current.id_spec) return "it is for --id " + id_spec;
  if (collection != current.collection) return "it is for collection " + collection;
  return "";
}

base::Result<std::optional<Checkpoint>> LoadCheckpoint(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return std::optional<Checkpoint>();
    return base::Status::Internal("cannot read checkpoint " + path + ": " + strerror(errno));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  auto c = Checkpoint::FromJson(ss.str());
  if (!c.ok()) return base::Status::Format(path + ": " + c.status().message());
  return std::optional<Checkpoint>(std::move(c.value()));
}

base::Status SaveCheckpoint(const std::string& path, const Checkpoint& checkpoint) {
  std::string tmp = path + ".tmp";
  std::string text = checkpoint.ToJson();
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return base::Status::Internal("cannot write " + tmp + ": " + strerror(errno));
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    return base::Status::Internal("cannot write checkpoint " + path + ": " + strerror(errno));
  }
  std::string dir = path.find('/') == std::string::npos ? "." : path.substr(0, path.rfind('/'));
  if (dir.empty()) dir = "/";
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return base::Status::Ok();
}

}  // namespace quiver::ops::ingest
