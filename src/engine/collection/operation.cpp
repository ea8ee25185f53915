#include "engine/collection/operation.h"

#include "engine/types/value_codec.h"

namespace quiver::engine {
namespace {

using base::ByteReader;
using base::ByteWriter;

constexpr uint8_t kOpFormat = 1;

void PutId(ByteWriter& w, const PointId& id) {
  w.U8(id.is_uuid ? 1 : 0);
  w.U64(id.hi);
  w.U64(id.lo);
}
PointId GetId(ByteReader& r) {
  PointId id;
  uint8_t u = r.U8();
  if (u > 1) r.Fail();
  id.is_uuid = u == 1;
  id.hi = r.U64();
  id.lo = r.U64();
  return id;
}

void PutIds(ByteWriter& w, const std::vector<PointId>& ids) {
  w.U32(static_cast<uint32_t>(ids.size()));
  for (const auto& id : ids) PutId(w, id);
}
std::vector<PointId> GetIds(ByteReader& r) {
  uint32_t n = r.U32();
  std::vector<PointId> ids;
  if (n > r.remaining() / 17) {
    r.Fail();
    return ids;
  }
  ids.reserve(n);
  for (uint32_t i = 0; i < n; ++i) ids.push_back(GetId(r));
  return ids;
}

void PutStrings(ByteWriter& w, const std::vector<std::string>& v) {
  w.U32(static_cast<uint32_t>(v.size()));
  for (const auto& s : v) w.Str(s);
}
std::vector<std::string> GetStrings(ByteReader& r) {
  uint32_t n = r.U32();
  std::vector<std::string> v;
  if (n > r.remaining() / 4) {
    r.Fail();
    return v;
  }
  for (uint32_t i = 0; i < n; ++i) v.emplace_back(r.Str());
  return v;
}

void PutPoints(ByteWriter& w, const std::vector<PointStruct>& points) {
  w.U32(static_cast<uint32_t>(points.size()));
  for (const auto& p : points) {
    PutId(w, p.id);
    w.U32(static_cast<uint32_t>(p.vectors.size()));
    for (const auto& [name, vec] : p.vectors) {
      w.Str(name);
      w.U32(static_cast<uint32_t>(vec.size()));
      w.Raw(vec.data(), vec.size() * sizeof(float));
    }
    w.U8(p.payload ? 1 : 0);
    if (p.payload) EncodeValue(*p.payload, w);
  }
}
std::vector<PointStruct> GetPoints(ByteReader& r) {
  uint32_t n = r.U32();
  std::vector<PointStruct> points;
  if (n > r.remaining() / 22) {
    r.Fail();
    return points;
  }
  points.reserve(n);
  for (uint32_t i = 0; i < n && r.ok(); ++i) {
    PointStruct p;
    p.id = GetId(r);
    uint32_t nv = r.U32();
    for (uint32_t k = 0; k < nv && r.ok(); ++k) {
      std::string name(r.Str());
      uint32_t dim = r.U32();
      std::string_view raw = r.Bytes(size_t(dim) * sizeof(float));
      if (!r.ok()) break;
      std::vector<float> vec(dim);
      if (dim > 0) std::memcpy(vec.data(), raw.data(), raw.size());  // data() may be null
      p.vectors[name] = std::move(vec);
    }
    if (r.U8() == 1) p.payload = DecodeValue(r);
    points.push_back(std::move(p));
  }
  return points;
}

}  // namespace

std::string EncodeOperation(const Operation& op) {
  ByteWriter w;
  w.U8(kOpFormat);
  w.U8(static_cast<uint8_t>(op.index()));
  std::visit(
      [&](const auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, UpsertOp>) {
          w.U8(static_cast<uint8_t>(o.mode));
          PutPoints(w, o.points);
        } else if constexpr (std::is_same_v<T, DeletePointsOp> ||
                             std::is_same_v<T, ClearPayloadOp>) {
          PutIds(w, o.selector.ids);
        } else if constexpr (std::is_same_v<T, SetPayloadOp>) {
          PutIds(w, o.selector.ids);
          EncodeValue(o.payload, w);
          w.U8(o.key ? 1 : 0);
          if (o.key) w.Str(*o.key);
          w.U8(o.overwrite ? 1 : 0);
        } else if constexpr (std::is_same_v<T, DeletePayloadOp>) {
          PutIds(w, o.selector.ids);
          PutStrings(w, o.keys);
        } else if constexpr (std::is_same_v<T, UpdateVectorsOp>) {
          PutPoints(w, o.points);
        } else if constexpr (std::is_same_v<T, DeleteVectorsOp>) {
          PutIds(w, o.selector.ids);
          PutStrings(w, o.names);
        }
      },
      op);
  return w.Take();
}

base::Result<Operation> DecodeOperation(std::string_view bytes) {
  ByteReader r(bytes);
  if (r.U8() != kOpFormat) return base::Status::Corruption("unknown operation record format");
  uint8_t kind = r.U8();
  Operation op;
  switch (kind) {
    case 0: {
      UpsertOp o;
      uint8_t mode = r.U8();
      if (mode > 2) r.Fail();
      o.mode = static_cast<UpsertOp::Mode>(mode);
      o.points = GetPoints(r);
      op = std::move(o);
      break;
    }
    case 1:
      op = DeletePointsOp{PointSelector{GetIds(r), std::nullopt}};
      break;
    case 2: {
      SetPayloadOp o;
      o.selector.ids = GetIds(r);
      o.payload = DecodeValue(r);
      if (r.U8() == 1) o.key = std::string(r.Str());
      o.overwrite = r.U8() == 1;
      op = std::move(o);
      break;
    }
    case 3: {
      DeletePayloadOp o;
      o.selector.ids = GetIds(r);
      o.keys = GetStrings(r);
      op = std::move(o);
      break;
    }
    case 4:
      op = ClearPayloadOp{PointSelector{GetIds(r), std::nullopt}};
      break;
    case 5: {
      UpdateVectorsOp o;
      o.points = GetPoints(r);
      op = std::move(o);
      break;
    }
    case 6: {
      DeleteVectorsOp o;
      o.selector.ids = GetIds(r);
      o.names = GetStrings(r);
      op = std::move(o);
      break;
    }
    default:
      return base::Status::Corruption("unknown operation kind " + std::to_string(kind));
  }
  if (!r.AtEnd()) return base::Status::Corruption("malformed operation record");
  return op;
}

}  // namespace quiver::engine
