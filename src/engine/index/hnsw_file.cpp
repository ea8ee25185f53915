// HNSW graph serialization: docs/formats/hnsw.md.
#include <cstring>

#include "base/byte_io.h"
#include "base/crc32c.h"
#include "base/huge_pages.h"
#include "engine/index/hnsw_index.h"

namespace quiver::engine {
namespace {
constexpr char kMagic[8] = {'Q', 'V', 'R', 'H', 'N', 'S', 'W', '\0'};
constexpr uint32_t kVersion = 1;
}  // namespace

std::string HnswIndex::Serialize() const {
  base::ByteWriter w;
  w.Raw(kMagic, 8);
  w.U32(kVersion);
  w.U32(static_cast<uint32_t>(distance_));
  w.U32(n_);
  w.U32(dim_);
  w.U32(params_.m);
  w.U32(params_.ef_construct);
  w.U32(entry_);
  w.U32(static_cast<uint32_t>(max_level_ + 1));  // 0 = empty graph
  w.U32(indexed_);
  w.Raw(levels_.data(), levels_.size());
  w.Raw(links0_.data(), links0_.size() * sizeof(uint32_t));
  for (uint32_t i = 0; i < n_; ++i) {
    if (levels_[i] > 0) w.Raw(upper_[i].data(), upper_[i].size() * sizeof(uint32_t));
  }
  w.U32(base::Crc32c(w.data()));
  return w.Take();
}

base::Result<std::unique_ptr<HnswIndex>> HnswIndex::Deserialize(std::string_view bytes,
                                                                const float* data, uint32_t n,
                                                                uint32_t dim, Distance distance) {
  auto bad = [](const std::string& why) { return base::Status::Corruption("HNSW file: " + why); };
  if (bytes.size() < 48) return bad("truncated");
  uint32_t crc;
  std::memcpy(&crc, bytes.data() + bytes.size() - 4, 4);
  if (base::Crc32c(bytes.substr(0, bytes.size() - 4)) != crc) return bad("checksum mismatch");
  if (std::memcmp(bytes.data(), kMagic, 8) != 0) return bad("bad magic");
  base::ByteReader r(bytes.substr(8, bytes.size() - 12));
  if (r.U32() != kVersion) return bad("unsupported version");
  std::unique_ptr<HnswIndex> idx(new HnswIndex());
  idx->data_ = data;
  idx->distance_ = static_cast<Distance>(r.U32());
  idx->n_ = r.U32();
  idx->dim_ = r.U32();
  idx->params_.m = r.U32();
  idx->params_.ef_construct = r.U32();
  idx->entry_ = r.U32();
  idx->max_level_ = static_cast<int>(r.U32()) - 1;
  idx->indexed_ = r.U32();
  if (!r.ok() || idx->distance_ != distance || idx->n_ != n || idx->dim_ != dim) {
    return bad("does not match its segment");
  }
  const uint32_t m = idx->params_.m;
  if (m < 2 || m > 4096 || idx->max_level_ > 30 || (idx->max_level_ >= 0 && idx->entry_ >= n)) {
    return bad("bad header");
  }
  std::string_view levels = r.Bytes(n);
  std::string_view links0 = r.Bytes(size_t(n) * (2 * m + 1) * sizeof(uint32_t));
  if (!r.ok()) return bad("truncated");
  idx->levels_.assign(levels.begin(), levels.end());
  idx->links0_.resize(size_t(n) * (2 * m + 1));
  std::memcpy(idx->links0_.data(), links0.data(), links0.size());
  base::UseHugePages(idx->links0_.data(), links0.size());
  idx->upper_.resize(n);
  for (uint32_t i = 0; i < n; ++i) {
    int level = idx->levels_[i];
    if (level < -1 || level > idx->max_level_) return bad("bad node level");
    if (level <= 0) continue;
    std::string_view block = r.Bytes(size_t(level) * (m + 1) * sizeof(uint32_t));
    if (!r.ok()) return bad("truncated");
    idx->upper_[i].resize(size_t(level) * (m + 1));
    std::memcpy(idx->upper_[i].data(), block.data(), block.size());
  }
  if (!r.AtEnd()) return bad("trailing bytes");
  // Every link must point at a node of the graph at that level: untrusted bytes never index out.
  for (uint32_t i = 0; i < n; ++i) {
    for (int l = 0; l <= idx->levels_[i]; ++l) {
      const uint32_t* links = idx->Links(i, l);
      if (links[0] > idx->MaxLinks(l)) return bad("bad link count");
      for (uint32_t k = 1; k <= links[0]; ++k) {
        if (links[k] >= n || idx->levels_[links[k]] < l) return bad("link out of range");
      }
    }
  }
  if (idx->max_level_ >= 0 && idx->levels_[idx->entry_] != idx->max_level_) {
    return bad("bad entry point");
  }
  return idx;
}

}  // namespace quiver::engine
