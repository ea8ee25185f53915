// Segment serialization: docs/formats/segment.md.
#include <cstring>

#include "base/byte_io.h"
#include "base/crc32c.h"
#include "base/huge_pages.h"
#include "engine/segment/segment.h"
#include "engine/segment/vector_file.h"
#include "engine/types/value_codec.h"

namespace quiver::engine {
namespace {

constexpr char kDataMagic[8] = {'Q', 'V', 'R', 'S', 'E', 'G', '\0', '\0'};
constexpr char kDelMagic[8] = {'Q', 'V', 'R', 'D', 'E', 'L', '\0', '\0'};
// Version 2 added the storage byte of each vector column (1 = in a vector file); version 1 files
// (every column inline) are still read.
constexpr uint32_t kFormatVersion = 2;
constexpr uint32_t kDeletesVersion = 1;

void AppendCrc(base::ByteWriter& w) {
  uint32_t crc = base::Crc32c(w.data());
  w.U32(crc);
}

// Checks the trailing crc32c and the magic/version header; returns the body reader on success.
base::Status Open(std::string_view bytes, const char* magic, std::string_view what,
                  uint32_t min_version, uint32_t max_version) {
  if (bytes.size() < 16 + 4) return base::Status::Corruption(std::string(what) + " is truncated");
  uint32_t stored;
  std::memcpy(&stored, bytes.data() + bytes.size() - 4, 4);
  if (base::Crc32c(bytes.substr(0, bytes.size() - 4)) != stored) {
    return base::Status::Corruption(std::string(what) + " failed its checksum");
  }
  if (std::memcmp(bytes.data(), magic, 8) != 0) {
    return base::Status::Corruption(std::string(what) + " has a bad magic number");
  }
  uint32_t version;
  std::memcpy(&version, bytes.data() + 8, 4);
  if (version < min_version || version > max_version) {
    return base::Status::Corruption(std::string(what) + " has unsupported format version " +
                                    std::to_string(version));
  }
  return base::Status::Ok();
}

}  // namespace

std::string Segment::SerializeData() const {
  base::ByteWriter w;
  // The fixed-size parts, plus a guess for the payloads: growing a string of tens of MB by
  // doubling would copy it several times.
  size_t estimate = 64 + size_t(size()) * (26 + 48);
  for (const auto& [name, col] : columns_) {
    estimate +=
        16 + name.size() + col.file.size() + col.present.size() + col.data.size() * sizeof(float);
  }
  w.Reserve(estimate);
  w.Raw(kDataMagic, 8);
  w.U32(kFormatVersion);
  w.U32(sealed_ ? 1 : 0);
  w.U64(id_);
  uint32_t n = size();
  w.U32(n);
  for (uint32_t i = 0; i < n; ++i) {
    w.U8(ids_[i].is_uuid ? 1 : 0);
    w.U64(ids_[i].hi);
    w.U64(ids_[i].lo);
    w.U64(versions_[i]);
    w.U8(deleted_[i]);
  }
  w.U32(static_cast<uint32_t>(columns_.size()));
  for (const auto& [name, col] : columns_) {
    w.Str(name);
    w.U32(col.dim);
    w.U8(col.mapped ? 1 : 0);
    w.Raw(col.present.data(), col.present.size());
    if (col.mapped) {
      w.Str(col.file);
      w.U32(col.crc);
    } else {
      w.Raw(col.data.data(), col.data.size() * sizeof(float));
    }
  }
  if (!packed_offsets_.empty()) {
    w.Raw(packed_payloads_.data(), packed_payloads_.size());
  } else {
    for (uint32_t i = 0; i < n; ++i) EncodeValue(payloads_[i], w);
  }
  AppendCrc(w);
  return w.Take();
}

std::string Segment::SerializeDeletes() const {
  base::ByteWriter w;
  w.Raw(kDelMagic, 8);
  w.U32(kDeletesVersion);
  w.U32(0);
  w.U64(id_);
  w.U32(size());
  w.Raw(deleted_.data(), deleted_.size());
  AppendCrc(w);
  return w.Take();
}

base::Result<std::unique_ptr<Segment>> Segment::DeserializeData(std::string_view bytes,
                                                                const VectorSpecs& specs,
                                                                const std::string& dir) {
  QUIVER_RETURN_IF_ERROR(Open(bytes, kDataMagic, "segment data file", 1, kFormatVersion));
  uint32_t version;
  std::memcpy(&version, bytes.data() + 8, 4);
  base::ByteReader r(bytes.substr(12, bytes.size() - 16));
  bool sealed = r.U32() == 1;
  uint64_t id = r.U64();
  uint32_t n = r.U32();
  if (n > r.remaining() / 26) return base::Status::Corruption("segment point count is too large");
  auto seg = std::make_unique<Segment>(id, specs);
  seg->sealed_ = sealed;
  seg->ids_.resize(n);
  seg->versions_.resize(n);
  seg->deleted_.resize(n);
  if (!sealed) seg->payloads_.resize(n);
  for (uint32_t i = 0; i < n; ++i) {
    uint8_t u = r.U8();
    if (u > 1) r.Fail();
    seg->ids_[i] = PointId{u == 1, r.U64(), r.U64()};
    seg->versions_[i] = r.U64();
    seg->deleted_[i] = r.U8() ? 1 : 0;
  }
  uint32_t ncols = r.U32();
  for (uint32_t c = 0; c < ncols && r.ok(); ++c) {
    std::string name(r.Str());
    uint32_t dim = r.U32();
    auto it = seg->columns_.find(name);
    if (it == seg->columns_.end() || it->second.dim != dim) {
      return base::Status::Corruption("segment vector `" + name + "` does not match the config");
    }
    uint8_t storage = version >= 2 ? r.U8() : 0;
    std::string_view present = r.Bytes(n);
    if (storage > 1) return base::Status::Corruption("segment vector `" + name + "`: bad storage");
    if (!r.ok()) break;
    Column& col = it->second;
    col.present.assign(present.begin(), present.end());
    if (storage == 1) {
      std::string file(r.Str());
      uint32_t crc = r.U32();
      if (!r.ok()) break;
      // A bare file name: the data file must not point outside its directory.
      if (file.empty() || file.find('/') != std::string::npos || file[0] == '.' || !sealed) {
        return base::Status::Corruption("segment vector `" + name + "` names a bad vector file");
      }
      auto mapped = OpenVectorFile(dir + "/" + file, id, dim, n, crc);
      if (!mapped.ok()) return mapped.status();
      col.mapped = std::move(mapped.value());
      col.file = std::move(file);
      col.crc = crc;
      continue;
    }
    std::string_view data = r.Bytes(size_t(n) * dim * sizeof(float));
    if (!r.ok()) break;
    col.data.resize(size_t(n) * dim);
    std::memcpy(col.data.data(), data.data(), data.size());
    if (sealed) base::UseHugePages(col.data.data(), data.size());
  }
  for (auto& [name, col] : seg->columns_) {
    if (col.present.size() != n || (!col.mapped && col.data.size() != size_t(n) * col.dim)) {
      // A vector added to the config after this segment was written: absent for these points.
      col.present.assign(n, 0);
      col.data.assign(size_t(n) * col.dim, 0.0f);
    }
  }
  // Each payload is decoded (checked); sealed segments keep the checked bytes packed.
  const size_t payloads_start = bytes.size() - 4 - r.remaining();
  std::vector<uint64_t> offsets;
  if (sealed) offsets.reserve(size_t(n) + 1);
  for (uint32_t i = 0; i < n && r.ok(); ++i) {
    offsets.push_back(bytes.size() - 4 - r.remaining() - payloads_start);
    Value v = DecodeValue(r);
    if (!sealed) seg->payloads_[i] = std::move(v);
  }
  if (!r.AtEnd()) return base::Status::Corruption("segment data file is malformed");
  if (sealed) {
    offsets.push_back(bytes.size() - 4 - payloads_start);
    seg->packed_payloads_.assign(bytes.substr(payloads_start, offsets.back()));
    seg->packed_offsets_ = std::move(offsets);
    std::vector<Value>().swap(seg->payloads_);
  }
  seg->live_ = 0;
  for (uint8_t d : seg->deleted_) seg->live_ += d ? 0 : 1;
  seg->data_dirty_ = false;
  return seg;
}

base::Status Segment::ApplyDeletes(std::string_view bytes) {
  QUIVER_RETURN_IF_ERROR(Open(bytes, kDelMagic, "segment deletion file", 1, kDeletesVersion));
  base::ByteReader r(bytes.substr(12, bytes.size() - 16));
  r.U32();
  uint64_t id = r.U64();
  uint32_t n = r.U32();
  std::string_view bits = r.Bytes(n);
  if (!r.AtEnd() || id != id_ || n != size()) {
    return base::Status::Corruption("segment deletion file does not match its segment");
  }
  live_ = 0;
  for (uint32_t i = 0; i < n; ++i) {
    deleted_[i] = bits[i] ? 1 : 0;
    live_ += deleted_[i] ? 0 : 1;
  }
  deletes_dirty_ = false;
  return base::Status::Ok();
}

}  // namespace quiver::engine
