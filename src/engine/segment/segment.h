// Segment: a block of points with their vectors, payloads and versions, addressed by offset.
// The appendable segment takes new points; sealed segments change only by deletion (an update of a
// point in a sealed segment moves it to the appendable one, as Qdrant does). Everything is in
// memory except the vector columns a sealed segment keeps on disk (on_disk / memmap_threshold):
// those are memory-mapped vector files (docs/formats/vectors.md).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/file_system.h"
#include "base/mapped_file.h"
#include "base/status.h"
#include "engine/filter/filter_matcher.h"
#include "engine/index/hnsw_index.h"
#include "engine/index/scalar_quantizer.h"
#include "engine/payload/field_index.h"
#include "engine/segment/vector_file.h"
#include "engine/types/distance.h"
#include "engine/types/named_vectors.h"
#include "engine/types/point_id.h"
#include "engine/types/value.h"

namespace quiver::engine {

struct VectorSpec {
  uint32_t dim = 0;
  Distance distance = Distance::kCosine;
};
using VectorSpecs = std::map<std::string, VectorSpec>;

class Segment {
 public:
  Segment(uint64_t id, const VectorSpecs& specs);

  uint64_t id() const { return id_; }
  uint32_t size() const { return static_cast<uint32_t>(ids_.size()); }
  uint32_t live_count() const { return live_; }
  bool sealed() const { return sealed_; }
  // No more appends: payloads are packed.
  void Seal();
  // Moves the in-RAM vector columns to huge pages (base/huge_pages.h), except those in `skip`
  // (about to move to vector files). For segments that are served as they are: the optimizer's
  // output and loaded ones; a segment sealed by size is rebuilt by the optimizer anyway.
  void UseHugePages(const std::set<std::string>& skip);
  // Bytes of vector data held (for the sealing threshold).
  uint64_t vector_bytes() const;

  const PointId& IdAt(uint32_t off) const { return ids_[off]; }
  uint64_t VersionAt(uint32_t off) const { return versions_[off]; }
  bool IsDeleted(uint32_t off) const { return deleted_[off] != 0; }
  // The payload of a point. Sealed segments keep payloads packed (value.md encoding, ~4x smaller
  // than the decoded values) and decode on access; the appendable one keeps them decoded.
  Value PayloadAt(uint32_t off) const;
  // The same without a copy where the payload is held decoded; otherwise decoded into `scratch`.
  const Value& PayloadRef(uint32_t off, Value& scratch) const;
  bool HasVector(uint32_t off, std::string_view name) const;
  // nullptr when the point has no such vector.
  const float* VectorAt(uint32_t off, std::string_view name) const;
  const VectorSpecs& specs() const { return specs_; }
  // The contiguous rows (size() * dim floats) of a vector column, absent rows zero-filled;
  // nullptr for an unknown name.
  const float* RawColumn(std::string_view name) const;
  // Per offset: 1 when the point has vector `name`; nullptr for an unknown name.
  const uint8_t* RawPresence(std::string_view name) const;
  // The vector of a point for scoring a few rows (rescoring): a pointer into memory, or, for a
  // column on disk, `buf` (dim floats) filled with a positional read, which maps no page into the
  // process. nullptr when the point has no such vector or the read fails.
  const float* VectorInto(uint32_t off, std::string_view name, float* buf) const;
  // Rows [start, start + count) of a column (a block of a full scan): a pointer into memory, or,
  // on disk, `buf` (count × dim floats) filled with one positional read. nullptr on a read error.
  const float* RowsInto(std::string_view name, uint32_t start, uint32_t count, float* buf) const;

  // On-disk vector columns, for a new segment the optimizer fills (before it is shared): from now
  // on Append writes the rows of column `name` to `dir`/<id>-<k>.vec (VectorFileWriter) instead
  // of memory; FinishVectorFiles completes the files and maps them. Until then the column's rows
  // cannot be read.
  base::Status StreamVectorsToDisk(base::FileSystem* fs, const std::string& dir,
                                   const std::string& name);
  base::Status FinishVectorFiles();
  bool OnDisk(std::string_view name) const;
  // The name of the vector file of column `name`.
  std::string VectorFileName(std::string_view name) const;
  // Names of the vector files this segment reads (relative to the segments directory).
  std::vector<std::string> VectorFiles() const;
  // Unmaps the resident pages of the on-disk columns (after a pass over every row: an index
  // build, quantization); the page cache keeps them.
  void DropResidentVectors() const;

  // Approximate index per vector name (sealed segments only; the vectors must not change after).
  const HnswIndex* Index(std::string_view name) const;
  void SetIndex(const std::string& name, std::unique_ptr<HnswIndex> index);
  const std::map<std::string, std::unique_ptr<HnswIndex>, std::less<>>& indexes() const {
    return indexes_;
  }
  bool index_dirty() const { return index_dirty_; }

  // Scalar-quantized copy of a vector column (sealed segments; derived from the vectors, rebuilt
  // on load). SetQuantized(name, nullptr) drops it.
  const ScalarQuantized* Quantized(std::string_view name) const {
    auto it = quantized_.find(name);
    return it == quantized_.end() ? nullptr : it->second.get();
  }
  void SetQuantized(const std::string& name, std::unique_ptr<ScalarQuantized> q) {
    if (q) {
      quantized_[name] = std::move(q);
    } else {
      quantized_.erase(name);
    }
  }

  // Payload field indexes (sealed segments; in memory, rebuilt on load).
  void BuildFieldIndex(const std::string& key, const std::string& type);
  void DropFieldIndex(const std::string& key) { field_indexes_.erase(key); }
  const FieldIndex* FieldIndexFor(std::string_view key) const;
  bool HasFieldIndex(std::string_view key) const { return field_indexes_.count(key) > 0; }
  // Offsets that may match `filter`, from the field indexes of its `must` conditions (sorted);
  // nullopt when no index applies. `*exact` tells whether the candidates are exactly the filter's
  // matches among non-deleted points (every condition answered exactly by an index); otherwise
  // callers re-check the whole filter on each candidate.
  std::optional<std::vector<uint32_t>> IndexedCandidates(const Filter& filter, bool* exact) const;
  // When `filter` is a single `must` condition that a field index answers exactly: its offsets
  // (sorted, deleted ones included), without a copy; null otherwise.
  const std::vector<uint32_t>* IndexedMatches(const Filter& filter) const;
  // For such a filter with many matches: a byte per offset, 1 where it matches (deleted ones
  // included), kept by the index (FieldIndex::PostingMask); null otherwise.
  const uint8_t* IndexedMask(const Filter& filter) const;
  // Points not deleted whose payload has a non-null value at `path` (payload_schema's `points`).
  // Sealed segments (whose payloads never change) remember per key which offsets have one, so a
  // collection info call does not read every payload again.
  uint64_t CountWithValue(const std::string& key, const std::vector<PathStep>& path) const;
  void MarkIndexPersisted() { index_dirty_ = false; }
  uint32_t deleted_count() const { return size() - live_; }

  // Keeps payloads packed from now on (Seal does it too): a new segment the optimizer fills.
  void PackPayloads();
  // Appends a point (vectors already validated and normalized); returns its offset.
  uint32_t Append(const PointId& id, uint64_t version, const NamedVectors& vectors, Value payload);
  void SetVector(uint32_t off, const std::string& name, const std::vector<float>& v);
  void RemoveVector(uint32_t off, const std::string& name);
  Value& MutablePayload(uint32_t off);
  void SetVersion(uint32_t off, uint64_t version);
  void MarkDeleted(uint32_t off);

  // Persistence state: data_dirty = the data file must be rewritten; deletes_dirty = only the
  // deletion bitmap changed since the data file was written.
  bool data_dirty() const { return data_dirty_; }
  bool deletes_dirty() const { return deletes_dirty_; }
  void MarkPersisted() { data_dirty_ = deletes_dirty_ = false; }
  // Counts every change (data, deletions, index). A checkpoint that serialized the segment at
  // epoch E and wrote it without holding the collection lock marks it persisted only if no
  // change came in meanwhile.
  uint64_t change_epoch() const { return change_epoch_; }
  // Room for `points` rows in every vector column, so that appends do not reallocate and copy.
  void Reserve(uint32_t points);

  // A point view for the filter matcher.
  class View : public PointView {
   public:
    View(const Segment& s, uint32_t off) : s_(s), off_(off) {}
    const PointId& id() const override { return s_.ids_[off_]; }
    const Value& payload() const override {
      if (!s_.packed_offsets_.empty() && !decoded_) decoded_ = s_.PayloadAt(off_);
      return decoded_ ? *decoded_ : s_.payloads_[off_];
    }
    bool HasVector(std::string_view name) const override { return s_.HasVector(off_, name); }

   private:
    const Segment& s_;
    uint32_t off_;
    mutable std::optional<Value> decoded_;  // a packed payload, decoded once per view
  };

  // Serialized forms (docs/formats/segment.md). Decoders return Corruption on any mismatch.
  std::string SerializeData() const;
  std::string SerializeDeletes() const;
  // `dir`: where the segment's vector files are (columns on disk are mapped from there).
  static base::Result<std::unique_ptr<Segment>> DeserializeData(std::string_view bytes,
                                                                const VectorSpecs& specs,
                                                                const std::string& dir);
  base::Status ApplyDeletes(std::string_view bytes);

 private:
  struct Column {
    uint32_t dim = 0;
    std::vector<float> data;       // size() * dim floats (empty when on disk)
    std::vector<uint8_t> present;  // per offset
    // On disk: the mapped vector file, its name in the segments directory, the crc of its rows.
    std::unique_ptr<base::MappedFile> mapped;
    std::string file;
    uint32_t crc = 0;
    std::unique_ptr<VectorFileWriter> writer;  // rows being streamed to disk (not yet mapped)
    const float* rows() const;
  };

  uint64_t id_;
  VectorSpecs specs_;
  bool sealed_ = false;
  bool data_dirty_ = true;
  bool deletes_dirty_ = false;
  uint32_t live_ = 0;
  std::vector<PointId> ids_;
  std::vector<uint64_t> versions_;
  std::vector<uint8_t> deleted_;
  void UnpackPayloads();
  std::vector<Value> payloads_;  // decoded (appendable segments; empty when packed)
  // Packed (sealed segments): the encoded payloads back to back, and size() + 1 offsets into them.
  std::string packed_payloads_;
  std::vector<uint64_t> packed_offsets_;
  std::map<std::string, Column, std::less<>> columns_;
  std::map<std::string, std::unique_ptr<HnswIndex>, std::less<>> indexes_;
  std::map<std::string, std::unique_ptr<ScalarQuantized>, std::less<>> quantized_;
  bool index_dirty_ = false;
  uint64_t change_epoch_ = 0;
  std::map<std::string, std::unique_ptr<FieldIndex>, std::less<>> field_indexes_;
  mutable std::unique_ptr<std::mutex> has_value_mu_ = std::make_unique<std::mutex>();
  mutable std::map<std::string, std::vector<uint8_t>, std::less<>> has_value_;
};

}  // namespace quiver::engine
