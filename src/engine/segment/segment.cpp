#include "engine/segment/segment.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "base/byte_io.h"
#include "base/huge_pages.h"
#include "engine/segment/vector_file.h"
#include "engine/types/value_codec.h"

namespace quiver::engine {

Segment::Segment(uint64_t id, const VectorSpecs& specs) : id_(id), specs_(specs) {
  for (const auto& [name, spec] : specs_) columns_[name].dim = spec.dim;
}

const float* Segment::Column::rows() const {
  if (mapped) return reinterpret_cast<const float*>(mapped->data() + kVectorFileHeaderBytes);
  return data.data();
}

uint64_t Segment::vector_bytes() const {
  uint64_t total = 0;
  for (const auto& [name, col] : columns_) total += uint64_t(size()) * col.dim * sizeof(float);
  return total;
}

bool Segment::HasVector(uint32_t off, std::string_view name) const {
  auto it = columns_.find(name);
  return it != columns_.end() && it->second.present[off] != 0;
}

const float* Segment::VectorAt(uint32_t off, std::string_view name) const {
  auto it = columns_.find(name);
  if (it == columns_.end() || !it->second.present[off]) return nullptr;
  return it->second.rows() + size_t(off) * it->second.dim;
}

const float* Segment::VectorInto(uint32_t off, std::string_view name, float* buf) const {
  auto it = columns_.find(name);
  if (it == columns_.end() || !it->second.present[off]) return nullptr;
  const Column& col = it->second;
  if (!col.mapped) return col.data.data() + size_t(off) * col.dim;
  const size_t bytes = size_t(col.dim) * sizeof(float);
  return col.mapped->Read(kVectorFileHeaderBytes + off * bytes, buf, bytes) ? buf : nullptr;
}

const float* Segment::RowsInto(std::string_view name, uint32_t start, uint32_t count,
                               float* buf) const {
  auto it = columns_.find(name);
  if (it == columns_.end()) return nullptr;
  const Column& col = it->second;
  if (!col.mapped) return col.data.data() + size_t(start) * col.dim;
  const size_t row_bytes = size_t(col.dim) * sizeof(float);
  return col.mapped->Read(kVectorFileHeaderBytes + start * row_bytes, buf, count * row_bytes)
             ? buf
             : nullptr;
}

const float* Segment::RawColumn(std::string_view name) const {
  auto it = columns_.find(name);
  return it == columns_.end() ? nullptr : it->second.rows();
}

base::Status Segment::StreamVectorsToDisk(base::FileSystem* fs, const std::string& dir,
                                          const std::string& name) {
  auto it = columns_.find(name);
  if (it == columns_.end() || it->second.mapped || it->second.writer) return base::Status::Ok();
  if (size() != 0) return base::Status::Internal("vectors stream to disk from the first row only");
  auto writer = VectorFileWriter::Create(fs, dir + "/" + VectorFileName(name), id_, it->second.dim);
  if (!writer.ok()) return writer.status();
  it->second.writer = std::move(writer).value();
  std::vector<float>().swap(it->second.data);
  return base::Status::Ok();
}

base::Status Segment::FinishVectorFiles() {
  for (auto& [name, col] : columns_) {
    if (!col.writer) continue;
    uint32_t crc = 0;
    QUIVER_RETURN_IF_ERROR(col.writer->Finish(&crc));
    auto mapped = OpenVectorFile(col.writer->path(), id_, col.dim, size(), crc);
    if (!mapped.ok()) return mapped.status();
    col.mapped = std::move(mapped.value());
    col.file = VectorFileName(name);
    col.crc = crc;
    col.writer.reset();
  }
  data_dirty_ = true;
  ++change_epoch_;
  return base::Status::Ok();
}

std::string Segment::VectorFileName(std::string_view name) const {
  auto it = columns_.find(name);
  return std::to_string(id_) + "-" + std::to_string(std::distance(columns_.begin(), it)) + ".vec";
}

bool Segment::OnDisk(std::string_view name) const {
  auto it = columns_.find(name);
  return it != columns_.end() && it->second.mapped != nullptr;
}

std::vector<std::string> Segment::VectorFiles() const {
  std::vector<std::string> files;
  for (const auto& [name, col] : columns_) {
    if (col.mapped) files.push_back(col.file);
  }
  return files;
}

void Segment::DropResidentVectors() const {
  for (const auto& [name, col] : columns_) {
    if (col.mapped) col.mapped->DropResident();
  }
}

const uint8_t* Segment::RawPresence(std::string_view name) const {
  auto it = columns_.find(name);
  return it == columns_.end() ? nullptr : it->second.present.data();
}

const HnswIndex* Segment::Index(std::string_view name) const {
  auto it = indexes_.find(name);
  return it == indexes_.end() ? nullptr : it->second.get();
}

void Segment::SetIndex(const std::string& name, std::unique_ptr<HnswIndex> index) {
  indexes_[name] = std::move(index);
  index_dirty_ = true;
  ++change_epoch_;
}

Value Segment::PayloadAt(uint32_t off) const {
  if (packed_offsets_.empty()) return payloads_[off];
  const uint64_t begin = packed_offsets_[off], end = packed_offsets_[off + 1];
  base::ByteReader r(std::string_view(packed_payloads_).substr(begin, end - begin));
  return DecodeValue(r);  // checked when packed (or loaded)
}

const Value& Segment::PayloadRef(uint32_t off, Value& scratch) const {
  if (packed_offsets_.empty()) return payloads_[off];
  scratch = PayloadAt(off);
  return scratch;
}

void Segment::Seal() {
  sealed_ = true;
  PackPayloads();
  data_dirty_ = true;
  ++change_epoch_;
}

void Segment::UseHugePages(const std::set<std::string>& skip) {
  for (auto& [name, col] : columns_) {
    if (!skip.count(name)) base::UseHugePages(col.data.data(), col.data.size() * sizeof(float));
  }
}

void Segment::PackPayloads() {
  if (!packed_offsets_.empty()) {
    packed_payloads_.shrink_to_fit();
    return;
  }
  if (payloads_.size() != size()) return;
  base::ByteWriter w;
  std::vector<uint64_t> offsets;
  offsets.reserve(size_t(size()) + 1);
  for (const Value& v : payloads_) {
    offsets.push_back(w.data().size());
    EncodeValue(v, w);
  }
  offsets.push_back(w.data().size());
  packed_payloads_ = w.Take();
  packed_offsets_ = std::move(offsets);
  std::vector<Value>().swap(payloads_);
}

void Segment::UnpackPayloads() {
  if (packed_offsets_.empty()) return;
  std::vector<Value> values;
  values.reserve(size());
  for (uint32_t i = 0; i < size(); ++i) values.push_back(PayloadAt(i));
  payloads_ = std::move(values);
  std::string().swap(packed_payloads_);
  std::vector<uint64_t>().swap(packed_offsets_);
}

void Segment::BuildFieldIndex(const std::string& key, const std::string& type) {
  static const Value kNone;
  Value scratch;
  auto idx = FieldIndex::Build(key, type, size(), [&](uint32_t i) -> const Value& {
    return deleted_[i] ? kNone : PayloadRef(i, scratch);
  });
  if (idx) {
    field_indexes_[key] = std::move(idx);
  } else {
    field_indexes_.erase(key);
  }
}

uint64_t Segment::CountWithValue(const std::string& key, const std::vector<PathStep>& path) const {
  Value scratch;
  auto has_value = [&](uint32_t i) {
    auto values = ValuesAt(PayloadRef(i, scratch), path);
    return std::any_of(values.begin(), values.end(), [](const Value* v) { return !v->is_null(); });
  };
  const uint32_t n = size();
  uint64_t count = 0;
  if (!sealed()) {
    for (uint32_t i = 0; i < n; ++i) count += !deleted_[i] && has_value(i);
    return count;
  }
  std::lock_guard lock(*has_value_mu_);
  auto it = has_value_.find(key);
  if (it == has_value_.end()) {
    std::vector<uint8_t> marks(n);
    for (uint32_t i = 0; i < n; ++i) marks[i] = has_value(i);
    it = has_value_.emplace(key, std::move(marks)).first;
  }
  const std::vector<uint8_t>& marks = it->second;
  for (uint32_t i = 0; i < n; ++i) count += marks[i] & (deleted_[i] == 0);
  return count;
}

const FieldIndex* Segment::FieldIndexFor(std::string_view key) const {
  auto it = field_indexes_.find(key);
  return it == field_indexes_.end() ? nullptr : it->second.get();
}

std::optional<std::vector<uint32_t>> Segment::IndexedCandidates(const Filter& filter,
                                                                bool* exact) const {
  *exact = false;
  if (field_indexes_.empty()) return std::nullopt;
  std::optional<std::vector<uint32_t>> result;
  bool all_exact = filter.should.empty() && filter.must_not.empty() && !filter.min_should;
  for (const Condition& c : filter.must) {
    const auto* fc = std::get_if<FieldCondition>(&c.c);
    const FieldIndex* idx = fc ? FieldIndexFor(fc->key) : nullptr;
    bool cond_exact = false;
    auto cand = idx ? idx->Candidates(*fc, &cond_exact) : std::nullopt;
    all_exact = all_exact && cand && cond_exact;
    if (!cand) continue;
    if (!result) {
      result = std::move(cand);
    } else {
      std::vector<uint32_t> both;
      std::set_intersection(result->begin(), result->end(), cand->begin(), cand->end(),
                            std::back_inserter(both));
      result = std::move(both);
    }
    if (result->empty()) break;
  }
  *exact = result.has_value() && all_exact;
  return result;
}

namespace {
// The field condition of a filter that is exactly one `must` field condition, else null.
const FieldCondition* SingleFieldCondition(const Filter& filter) {
  if (filter.must.size() != 1 || !filter.should.empty() || !filter.must_not.empty() ||
      filter.min_should) {
    return nullptr;
  }
  return std::get_if<FieldCondition>(&filter.must[0].c);
}
}  // namespace

const std::vector<uint32_t>* Segment::IndexedMatches(const Filter& filter) const {
  const FieldCondition* fc = SingleFieldCondition(filter);
  const FieldIndex* idx = fc ? FieldIndexFor(fc->key) : nullptr;
  return idx ? idx->Postings(*fc) : nullptr;
}

const uint8_t* Segment::IndexedMask(const Filter& filter) const {
  const FieldCondition* fc = SingleFieldCondition(filter);
  const FieldIndex* idx = fc ? FieldIndexFor(fc->key) : nullptr;
  return idx ? idx->PostingMask(*fc, size()) : nullptr;
}

void Segment::Reserve(uint32_t points) {
  ids_.reserve(points);
  versions_.reserve(points);
  deleted_.reserve(points);
  payloads_.reserve(points);
  for (auto& [name, col] : columns_) {
    if (!col.writer && !col.mapped) col.data.reserve(size_t(points) * col.dim);
    col.present.reserve(points);
  }
}

uint32_t Segment::Append(const PointId& id, uint64_t version, const NamedVectors& vectors,
                         Value payload) {
  uint32_t off = size();
  ids_.push_back(id);
  versions_.push_back(version);
  deleted_.push_back(0);
  if (packed_offsets_.empty()) {
    payloads_.push_back(std::move(payload));
  } else {
    // A packed segment being filled (the optimizer's new segment): encoded as it comes, so the
    // copy never holds the decoded payloads of a whole segment.
    base::ByteWriter w;
    EncodeValue(payload, w);
    packed_payloads_.append(w.data());
    packed_offsets_.push_back(packed_payloads_.size());
  }
  for (auto& [name, col] : columns_) {
    if (col.mapped) std::abort();  // sealed segments on disk never take new rows
    auto it = vectors.find(name);
    bool has = it != vectors.end() && it->second.size() == col.dim;
    col.present.push_back(has ? 1 : 0);
    if (col.writer) {
      col.writer->Add(has ? it->second.data() : nullptr);
      continue;
    }
    col.data.resize(col.data.size() + col.dim, 0.0f);
    if (has) std::memcpy(col.data.data() + size_t(off) * col.dim, it->second.data(), col.dim * 4);
  }
  ++live_;
  data_dirty_ = true;
  ++change_epoch_;
  return off;
}

void Segment::SetVector(uint32_t off, const std::string& name, const std::vector<float>& v) {
  auto it = columns_.find(name);
  if (it == columns_.end() || v.size() != it->second.dim || it->second.mapped) return;
  std::memcpy(it->second.data.data() + size_t(off) * it->second.dim, v.data(), v.size() * 4);
  it->second.present[off] = 1;
  data_dirty_ = true;
  ++change_epoch_;
}

void Segment::RemoveVector(uint32_t off, const std::string& name) {
  auto it = columns_.find(name);
  if (it == columns_.end()) return;
  it->second.present[off] = 0;
  data_dirty_ = true;
  ++change_epoch_;
}

Value& Segment::MutablePayload(uint32_t off) {
  UnpackPayloads();  // only appendable segments change payloads; kept correct regardless
  data_dirty_ = true;
  ++change_epoch_;
  return payloads_[off];
}

void Segment::SetVersion(uint32_t off, uint64_t version) {
  versions_[off] = version;
  data_dirty_ = true;
  ++change_epoch_;
}

void Segment::MarkDeleted(uint32_t off) {
  if (deleted_[off]) return;
  deleted_[off] = 1;
  --live_;
  deletes_dirty_ = true;
  ++change_epoch_;
}

}  // namespace quiver::engine
