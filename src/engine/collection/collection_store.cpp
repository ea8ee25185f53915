// Persistence of a Collection: the meta file, checkpoints, and recovery (docs/formats/).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

#include "base/byte_io.h"
#include "base/crc32c.h"
#include "engine/collection/collection.h"
#include "engine/types/value_codec.h"

namespace quiver::engine {
namespace {

constexpr char kMetaMagic[8] = {'Q', 'V', 'R', 'M', 'E', 'T', 'A', '\0'};
constexpr uint32_t kMetaVersion = 1;

int64_t I(uint64_t v) { return static_cast<int64_t>(v); }

uint64_t GetU(const Value& o, const char* key) {
  const Value* v = o.Find(key);
  return v && v->is_int() ? static_cast<uint64_t>(v->as_int()) : 0;
}
std::string GetS(const Value& o, const char* key) {
  const Value* v = o.Find(key);
  return v && v->is_string() ? v->as_string() : std::string();
}

}  // namespace

base::Status Collection::WriteMeta(uint64_t checkpoint_op) {
  if (retired_) return base::Status::Ok();  // its directory now belongs to another collection
  Value root{Object{}};
  root.Set("name", Value(name_));
  base::ByteWriter cw;
  EncodeConfig(config_, cw);
  root.Set("config", Value(cw.Take()));
  Value indexes{Object{}};
  for (const auto& [field, p] : payload_indexes_) {
    Value e{Object{}};
    e.Set("type", Value(p.type));
    e.Set("params", Value(p.params_encoded));
    if (!p.schema.is_null()) e.Set("schema", p.schema);
    indexes.Set(field, std::move(e));
  }
  root.Set("payload_indexes", std::move(indexes));
  Array segs;
  for (const auto& [id, files] : segment_files_) {
    Value e{Object{}};
    e.Set("id", Value(I(id)));
    e.Set("data", Value(files.data));
    e.Set("deletes", Value(files.deletes));
    Value idx{Object{}};
    for (const auto& [vname, file] : files.indexes) idx.Set(vname, Value(file));
    e.Set("indexes", std::move(idx));
    Array vecs;
    for (const auto& file : files.vectors) vecs.push_back(Value(file));
    if (!vecs.empty()) e.Set("vectors", Value(std::move(vecs)));
    segs.push_back(std::move(e));
  }
  root.Set("segments", Value(std::move(segs)));
  root.Set("checkpoint_op", Value(I(checkpoint_op)));
  root.Set("next_segment_id", Value(I(next_segment_id_.load())));
  root.Set("generation", Value(I(generation_)));

  base::ByteWriter w;
  w.Raw(kMetaMagic, 8);
  w.U32(kMetaVersion);
  w.U32(0);
  EncodeValue(root, w);
  w.U32(base::Crc32c(w.data()));
  QUIVER_RETURN_IF_ERROR(fs_->WriteFileAtomic(MetaPath(), w.data()));
  checkpoint_op_ = checkpoint_op;
  return base::Status::Ok();
}

base::Result<std::unique_ptr<Collection>> Collection::Create(base::FileSystem* fs,
                                                             const std::string& dir,
                                                             const std::string& name,
                                                             const CollectionConfig& config) {
  QUIVER_RETURN_IF_ERROR(fs->CreateDirs(dir + "/segments"));
  QUIVER_RETURN_IF_ERROR(fs->CreateDirs(dir + "/wal"));
  std::unique_ptr<Collection> c(new Collection(fs, dir, name, config));
  QUIVER_RETURN_IF_ERROR(c->WriteMeta(0));
  auto wal = Wal::Open(
      fs, dir + "/wal", 0, [](uint64_t, std::string_view) { return base::Status::Ok(); },
      WalOptions{config.wal_config.wal_capacity_mb << 20});
  if (!wal.ok()) return wal.status();
  c->wal_ = std::move(wal.value());
  return c;
}

base::Result<std::unique_ptr<Collection>> Collection::Open(base::FileSystem* fs,
                                                           const std::string& dir,
                                                           const std::string& name) {
  std::unique_ptr<Collection> c(new Collection(fs, dir, name, CollectionConfig{}));
  QUIVER_RETURN_IF_ERROR(c->Load());
  return c;
}

base::Status Collection::Load() {
  auto bytes = fs_->ReadFile(MetaPath());
  if (!bytes.ok()) return bytes.status();
  std::string_view b = bytes.value();
  if (b.size() < 20 || std::memcmp(b.data(), kMetaMagic, 8) != 0) {
    return base::Status::Corruption(MetaPath() + ": not a collection meta file");
  }
  uint32_t stored_crc;
  std::memcpy(&stored_crc, b.data() + b.size() - 4, 4);
  if (base::Crc32c(b.substr(0, b.size() - 4)) != stored_crc) {
    return base::Status::Corruption(MetaPath() + ": checksum mismatch");
  }
  uint32_t version;
  std::memcpy(&version, b.data() + 8, 4);
  if (version != kMetaVersion) {
    return base::Status::Corruption(MetaPath() + ": unsupported format version " +
                                    std::to_string(version));
  }
  base::ByteReader r(b.substr(16, b.size() - 20));
  Value root = DecodeValue(r);
  if (!r.AtEnd() || !root.is_object()) return base::Status::Corruption(MetaPath() + ": malformed");
  const std::string config_bytes = GetS(root, "config");
  base::ByteReader cr(config_bytes);
  auto config = DecodeConfig(cr);
  if (!config.ok()) return base::Status::Corruption(MetaPath() + ": " + config.status().message());
  config_ = std::move(config.value());
  if (const Value* idx = root.Find("payload_indexes"); idx && idx->is_object()) {
    for (const auto& [field, e] : idx->as_object()) {
      PayloadIndexParams p{GetS(e, "type"), GetS(e, "params"), Value()};
      if (const Value* schema = e.Find("schema")) p.schema = *schema;
      payload_indexes_[field] = std::move(p);
    }
  }
  RebuildTextIndexes();
  checkpoint_op_ = GetU(root, "checkpoint_op");
  next_segment_id_ = std::max<uint64_t>(GetU(root, "next_segment_id"), 1);
  generation_ = GetU(root, "generation");

  const VectorSpecs specs = Specs();
  if (const Value* segs = root.Find("segments"); segs && segs->is_array()) {
    for (const Value& e : segs->as_array()) {
      uint64_t id = GetU(e, "id");
      SegmentFiles files{GetS(e, "data"), GetS(e, "deletes"), {}, {}};
      std::string path = dir_ + "/segments/" + files.data;
      auto data = fs_->ReadFile(path);
      if (!data.ok()) return base::Status::Corruption(path + ": " + data.status().message());
      auto seg = Segment::DeserializeData(data.value(), specs, dir_ + "/segments");
      if (!seg.ok()) return base::Status::Corruption(path + ": " + seg.status().message());
      if (seg.value()->id() != id) return base::Status::Corruption(path + ": wrong segment id");
      if (!files.deletes.empty()) {
        std::string dpath = dir_ + "/segments/" + files.deletes;
        auto del = fs_->ReadFile(dpath);
        if (!del.ok()) return base::Status::Corruption(dpath + ": " + del.status().message());
        base::Status st = seg.value()->ApplyDeletes(del.value());
        if (!st.ok()) return base::Status::Corruption(dpath + ": " + st.message());
      }
      if (const Value* idx = e.Find("indexes"); idx && idx->is_object()) {
        for (const auto& [vname, file] : idx->as_object()) {
          if (!file.is_string() || !specs.count(vname)) {
            return base::Status::Corruption(path + ": bad index entry for vector `" + vname + "`");
          }
          std::string ipath = dir_ + "/segments/" + file.as_string();
          auto bytes = fs_->ReadFile(ipath);
          if (!bytes.ok()) return base::Status::Corruption(ipath + ": " + bytes.status().message());
          const VectorSpec& spec = specs.at(vname);
          auto graph = HnswIndex::Deserialize(bytes.value(), seg.value()->RawColumn(vname),
                                              seg.value()->size(), spec.dim, spec.distance);
          if (!graph.ok()) return base::Status::Corruption(ipath + ": " + graph.status().message());
          seg.value()->SetIndex(vname, std::move(graph.value()));
          files.indexes[vname] = file.as_string();
        }
        seg.value()->MarkIndexPersisted();
      }
      seg.value()->MarkPersisted();
      files.vectors = seg.value()->VectorFiles();
      segment_files_[id] = files;
      segments_.push_back(std::move(seg.value()));
    }
  }
  std::sort(segments_.begin(), segments_.end(),
            [](const auto& a, const auto& b) { return a->id() < b->id(); });
  // Merged segments get new (higher) ids than the appendable one: keep the appendable last.
  std::stable_partition(segments_.begin(), segments_.end(),
                        [](const auto& s) { return s->sealed(); });
  for (size_t i = 0; i + 1 < segments_.size(); ++i) {
    if (!segments_[i]->sealed()) segments_[i]->Seal();  // only one appendable segment
  }
  const auto quantization = WantedQuantization();
  for (auto& seg : segments_) {
    if (!seg->sealed()) continue;
    for (const auto& [key, p] : payload_indexes_) seg->BuildFieldIndex(key, p.type);
    // Quantized copies are derived data: rebuilt from the vectors (deterministically) on load.
    if (seg->live_count() == 0) continue;
    auto quantized = Quantize(*seg, quantization);
    if (!quantized.ok()) return base::Status::Corruption(quantized.status().message());
    for (auto& [vname, q] : quantized.value()) seg->SetQuantized(vname, std::move(q));
  }
  for (auto& seg : segments_) {
    for (uint32_t i = 0; i < seg->size(); ++i) {
      if (seg->IsDeleted(i)) continue;
      auto [it, inserted] = index_.try_emplace(seg->IdAt(i), Location{seg.get(), i});
      if (!inserted) {
        // Two live copies can only come from a damaged checkpoint: keep the newer one.
        Location& old = it->second;
        if (old.segment->VersionAt(old.offset) <= seg->VersionAt(i)) {
          old.segment->MarkDeleted(old.offset);
          old = Location{seg.get(), i};
        } else {
          seg->MarkDeleted(i);
        }
      }
    }
  }
  last_op_ = checkpoint_op_;

  uint64_t replayed = 0;
  auto wal = Wal::Open(
      fs_, dir_ + "/wal", checkpoint_op_,
      [&](uint64_t op_id, std::string_view payload) -> base::Status {
        auto op = DecodeOperation(payload);
        if (!op.ok()) {
          return base::Status::Corruption("WAL record " + std::to_string(op_id) + ": " +
                                          op.status().message());
        }
        Apply(op.value(), op_id);
        last_op_ = op_id;
        ++replayed;
        return base::Status::Ok();
      },
      WalOptions{config_.wal_config.wal_capacity_mb << 20});
  if (!wal.ok()) return wal.status();
  wal_ = std::move(wal.value());
  last_op_ = std::max(last_op_, wal_->LastOpId());
  if (replayed > 0) {
    spdlog::info("collection {}: replayed {} WAL operations after checkpoint {}", name_, replayed,
                 checkpoint_op_);
  }
  return base::Status::Ok();
}

// What one checkpoint writes: the serialized form of every changed segment as of `op`.
struct Collection::CheckpointPlan {
  bool dirty = false;
  uint64_t op = 0;   // the checkpoint covers every operation up to here
  uint64_t gen = 0;  // file generation
  std::map<uint64_t, SegmentFiles> files;
  std::vector<std::pair<std::string, std::string>> pending;  // path, bytes: not written yet
  uint64_t pending_bytes = 0;
  std::map<uint64_t, uint64_t> epochs;  // segment id -> change epoch when serialized
};

base::Status Collection::PlanCheckpoint(CheckpointPlan& plan, uint64_t budget_bytes) {
  if (retired_) return base::Status::Ok();
  plan.dirty = last_op_ != checkpoint_op_ || segment_files_.size() != segments_.size();
  for (const auto& seg : segments_) {
    plan.dirty = plan.dirty || seg->data_dirty() || seg->deletes_dirty() || seg->index_dirty();
  }
  if (!plan.dirty) return base::Status::Ok();
  plan.op = last_op_;
  plan.gen = generation_ + 1;
  auto add = [&](const std::string& file, std::string bytes) -> base::Status {
    plan.pending_bytes += bytes.size();
    plan.pending.emplace_back(dir_ + "/segments/" + file, std::move(bytes));
    // Past the budget, write now (under the lock) rather than hold more copies in memory.
    if (plan.pending_bytes > budget_bytes) return WriteCheckpointFiles(plan);
    return base::Status::Ok();
  };
  // Built from the live segments only: segments replaced by the optimizer drop out here.
  for (const auto& seg : segments_) {
    plan.epochs[seg->id()] = seg->change_epoch();
    std::string stem = std::to_string(seg->id()) + "-" + std::to_string(plan.gen);
    auto known = segment_files_.find(seg->id());
    SegmentFiles files = known == segment_files_.end() ? SegmentFiles{} : known->second;
    if (seg->data_dirty() || known == segment_files_.end()) {
      // Vector files are written by the optimizer before the segment is shared; the data file
      // names them.
      files = SegmentFiles{stem + ".dat", "", {}, seg->VectorFiles()};
      QUIVER_RETURN_IF_ERROR(add(files.data, seg->SerializeData()));
    } else if (seg->deletes_dirty()) {
      files.deletes = stem + ".del";
      QUIVER_RETURN_IF_ERROR(add(files.deletes, seg->SerializeDeletes()));
    }
    if (seg->index_dirty() || files.indexes.size() != seg->indexes().size()) {
      files.indexes.clear();
      int k = 0;
      for (const auto& [vname, graph] : seg->indexes()) {
        std::string file = stem + "-" + std::to_string(k++) + ".hnsw";
        QUIVER_RETURN_IF_ERROR(add(file, graph->Serialize()));
        files.indexes[vname] = file;
      }
    }
    plan.files[seg->id()] = files;
  }
  return base::Status::Ok();
}

base::Status Collection::WriteCheckpointFiles(CheckpointPlan& plan) {
  if (!plan.dirty) return base::Status::Ok();
  // Every operation the files reflect is in the WAL; make it durable before they replace it.
  QUIVER_RETURN_IF_ERROR(wal_->SyncNow());
  for (auto& [path, bytes] : plan.pending)
    QUIVER_RETURN_IF_ERROR(fs_->WriteFileAtomic(path, bytes));
  plan.pending.clear();
  plan.pending_bytes = 0;
  return base::Status::Ok();
}

base::Status Collection::CommitCheckpoint(CheckpointPlan& plan) {
  if (retired_ || !plan.dirty) return base::Status::Ok();
  auto old_files = segment_files_;
  uint64_t old_gen = generation_;
  segment_files_ = plan.files;
  generation_ = plan.gen;
  base::Status st = WriteMeta(plan.op);
  if (!st.ok()) {
    segment_files_ = old_files;
    generation_ = old_gen;
    return st;
  }
  // Segments changed since they were serialized stay dirty for the next checkpoint.
  for (auto& seg : segments_) {
    auto e = plan.epochs.find(seg->id());
    if (e == plan.epochs.end() || e->second != seg->change_epoch()) continue;
    seg->MarkPersisted();
    seg->MarkIndexPersisted();
  }
  QUIVER_RETURN_IF_ERROR(wal_->TruncateUpTo(checkpoint_op_));
  // Files no checkpoint refers to any more.
  // Vector files are also kept while a live segment maps them (swapped in after this checkpoint
  // was planned) or the optimizer has written them for a segment it has not swapped in yet.
  std::vector<std::string> keep;
  for (const auto& seg : segments_) {
    for (auto& file : seg->VectorFiles()) keep.push_back(std::move(file));
  }
  // Held until the clean-up is done: the optimizer names a file there before it creates it, so a
  // file that appears after this list was taken cannot be in the directory listing below either
  // (taking the list, then the listing without it, removed a file written in between).
  std::lock_guard t(tracker_mu_);
  keep.insert(keep.end(), unpublished_vector_files_.begin(), unpublished_vector_files_.end());
  auto names = fs_->ListDir(dir_ + "/segments");
  if (names.ok()) {
    for (const auto& n : names.value()) {
      bool used = std::find(keep.begin(), keep.end(), n) != keep.end();
      for (const auto& [id, f] : segment_files_) {
        used = used || f.data == n || f.deletes == n;
        for (const auto& [vname, file] : f.indexes) used = used || file == n;
        for (const auto& file : f.vectors) used = used || file == n;
      }
      if (!used) (void)fs_->Remove(dir_ + "/segments/" + n);
    }
  }
  return base::Status::Ok();
}

base::Status Collection::CheckpointLocked() {
  CheckpointPlan plan;
  QUIVER_RETURN_IF_ERROR(PlanCheckpoint(plan, 0));
  QUIVER_RETURN_IF_ERROR(WriteCheckpointFiles(plan));
  return CommitCheckpoint(plan);
}

base::Status Collection::Checkpoint() {
  // Up to this much serialized data is held in memory so that files are written and fsynced
  // without the lock; a larger checkpoint (after a big merge) writes under the lock instead.
  constexpr uint64_t kUnlockedWriteBudget = 256ull << 20;
  std::lock_guard cp(checkpoint_mu_);  // also keeps Retire() (and the directory) waiting
  last_checkpoint_at_ = std::chrono::steady_clock::now().time_since_epoch().count();
  CheckpointPlan plan;
  {
    // Shared: readers go on, writers wait (they need the lock exclusively).
    std::shared_lock lock(mu_);
    QUIVER_RETURN_IF_ERROR(PlanCheckpoint(plan, kUnlockedWriteBudget));
  }
  if (checkpoint_write_hook_) checkpoint_write_hook_();
  QUIVER_RETURN_IF_ERROR(WriteCheckpointFiles(plan));
  std::shared_lock lock(mu_);
  return CommitCheckpoint(plan);
}

base::Status Collection::MaybeCheckpoint() {
  {
    std::shared_lock lock(mu_);
    if (last_op_ == checkpoint_op_) {
      // No new writes, but the optimizer may have replaced segments: persist them once idle.
      bool changed = segment_files_.size() != segments_.size();
      for (const auto& seg : segments_) {
        changed = changed || seg->data_dirty() || seg->index_dirty() || seg->deletes_dirty();
      }
      if (!changed || optimizing_) return base::Status::Ok();
    }
    const auto now = std::chrono::steady_clock::now();
    const auto interval = std::chrono::seconds(config_.optimizer_config.flush_interval_sec);
    const uint64_t wal_bytes = wal_->SizeBytes();
    const uint64_t capacity = config_.wal_config.wal_capacity_mb << 20;
    const auto since_checkpoint =
        now - std::chrono::steady_clock::time_point(
                  std::chrono::steady_clock::duration(last_checkpoint_at_.load()));
    if (WritesStreaming()) {
      // During a stream of writes the WAL alone makes them durable; a checkpoint would write each
      // sealed segment (and the growing appendable one) a second time while the load runs and
      // compete with it for both cores (a 1M x 384 bulk load went from 28 s to 20 s without).
      // So it waits until the stream pauses, unless the WAL passes kStreamWalFactor x
      // wal_capacity_mb (2 GB by default: replayed in ~6 s after a crash) or, for a long stream,
      // kStreamIntervalFactor x flush_interval_sec have passed since the last checkpoint.
      const bool wal_full =
          wal_bytes > kStreamWalFactor * capacity ||
          (wal_bytes > capacity && since_checkpoint > kStreamIntervalFactor * interval);
      if (!wal_full) return base::Status::Ok();
    } else {
      // Once writes pause: past wal_capacity_mb a checkpoint at most every flush_interval_sec, at
      // once past 8x the capacity, and after flush_interval_sec without writes.
      bool wal_full =
          wal_bytes > 8 * capacity || (wal_bytes > capacity && since_checkpoint > interval);
      bool idle = now - last_write_ > interval;
      // A segment sealed since the last checkpoint is written at once: one segment at a time stays
      // within the budget of a checkpoint written without the lock.
      bool sealed_unsaved = std::any_of(segments_.begin(), segments_.end(), [](const auto& s) {
        return s->sealed() && s->data_dirty();
      });
      if (!wal_full && !idle && !sealed_unsaved) return base::Status::Ok();
    }
  }
  return Checkpoint();
}

base::Status Collection::Flush() {
  QUIVER_RETURN_IF_ERROR(wal_->SyncNow());
  return Checkpoint();
}

}  // namespace quiver::engine
