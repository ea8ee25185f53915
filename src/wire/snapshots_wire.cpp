#include "wire/snapshots_wire.h"

#include "wire/json_in.h"
#include "wire/json_out.h"

namespace quiver::wire {

base::Status CheckSnapshotPriority(std::string_view p) {
  if (p == "no_sync" || p == "snapshot" || p == "replica") return base::Status::Ok();
  return base::Status::Format("unknown variant `" + std::string(p) +
                              "`, expected one of `no_sync`, `snapshot`, `replica` at `priority`");
}

base::Result<SnapshotRecoverRequest> ParseSnapshotRecover(std::string_view body) {
  auto doc = ParseBody(body);
  if (!doc.ok()) return doc.status();
  auto obj = AsObject(doc.value(), "");
  if (!obj.ok()) return obj.status();
  SnapshotRecoverRequest req;
  bool has_location = false;
  base::Status st = ForEachField(obj.value(), [&](std::string_view key, Json v) -> base::Status {
    std::string* dst = nullptr;
    if (key == "location") {
      dst = &req.location;
      has_location = true;
    } else if (key == "priority") {
      dst = &req.priority;
    } else if (key == "checksum") {
      dst = &req.checksum;
    } else if (key == "api_key") {
      dst = &req.api_key;
    } else {
      return UnknownField(key, "");
    }
    if (v.is_null() && key != "location") return base::Status::Ok();
    auto s = AsString(v, key);
    if (!s.ok()) return s.status();
    *dst = s.value();
    return base::Status::Ok();
  });
  if (!st.ok()) return st;
  if (!has_location) return MissingField("location", "");
  QUIVER_RETURN_IF_ERROR(CheckSnapshotPriority(req.priority));
  return req;
}

namespace {
void Describe(JsonOut& j, const SnapshotInfoOut& d) {
  j.BeginObject();
  j.Key("name").String(d.name);
  j.Key("creation_time");
  if (d.creation_time.empty()) {
    j.Null();
  } else {
    j.String(d.creation_time);
  }
  j.Key("size").Uint(d.size);
  j.Key("checksum");
  if (d.checksum.empty()) {
    j.Null();
  } else {
    j.String(d.checksum);
  }
  j.EndObject();
}
}  // namespace

std::string RenderSnapshotDescription(const SnapshotInfoOut& d) {
  JsonOut j;
  Describe(j, d);
  return j.Take();
}

std::string RenderSnapshotList(const std::vector<SnapshotInfoOut>& list) {
  JsonOut j;
  j.BeginArray();
  for (const auto& d : list) Describe(j, d);
  j.EndArray();
  return j.Take();
}

}  // namespace quiver::wire
