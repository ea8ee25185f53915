#include "engine/collection/collection.h"

#include <algorithm>

#include "engine/filter/filter_matcher.h"
#include "engine/index/distance_kernels.h"
#include "engine/payload/payload_path.h"

namespace quiver::engine {
namespace {

// The appendable segment is sealed (and a new one started) past these sizes, which bounds the
// cost of a checkpoint.
constexpr uint32_t kSealPoints = 50000;
constexpr uint64_t kSealVectorBytes = 64ull << 20;

std::string VectorLabel(const std::string& name) { return name.empty() ? "default" : name; }

base::Status MissingPoint(const PointId& id) {
  return base::Status::NotFound("No point with id " + id.ToString() + " found");
}

}  // namespace

Collection::Collection(base::FileSystem* fs, std::string dir, std::string name,
                       CollectionConfig config)
    : fs_(fs),
      dir_(std::move(dir)),
      name_(std::move(name)),
      config_(std::move(config)),
      last_write_(std::chrono::steady_clock::now()) {}

Collection::~Collection() = default;

CollectionConfig Collection::config() const {
  std::shared_lock lock(mu_);
  return config_;
}

VectorSpecs Collection::Specs() const {
  VectorSpecs specs;
  for (const auto& [name, p] : config_.vectors) {
    specs[name] = VectorSpec{static_cast<uint32_t>(p.size), p.distance};
  }
  return specs;
}

base::Status Collection::UpdateConfig(const CollectionConfig& updated) {
  std::unique_lock lock(mu_);
  for (const auto& [name, p] : updated.vectors) {
    auto it = config_.vectors.find(name);
    if (it == config_.vectors.end()) {
      return base::Status::BadInput("Vector params for " + VectorLabel(name) +
                                    " are not specified in config");
    }
    if (it->second.size != p.size || it->second.distance != p.distance) {
      return base::Status::BadInput("Vector size and distance of `" + VectorLabel(name) +
                                    "` cannot be changed");
    }
  }
  if (updated.vectors.size() != config_.vectors.size()) {
    return base::Status::BadInput("Vectors cannot be added or removed by an update");
  }
  CollectionConfig old = config_;
  config_ = updated;
  base::Status st = WriteMeta(checkpoint_op_);
  if (!st.ok()) config_ = old;
  return st;
}

base::Status Collection::ValidateVectors(const NamedVectors& v, bool require_all) const {
  for (const auto& [name, vec] : v) {
    auto it = config_.vectors.find(name);
    if (it == config_.vectors.end()) {
      if (name.empty()) {
        return base::Status::BadInput("Vector with name `` is not found in the collection");
      }
      return base::Status::BadInput("Not existing vector name error: " + name);
    }
    if (vec.size() != it->second.size) {
      return base::Status::BadInput(
          "Vector dimension error: expected dim: " + std::to_string(it->second.size) + ", got " +
          std::to_string(vec.size()));
    }
  }
  if (require_all && config_.single_vector && v.empty()) {
    return base::Status::BadInput("Vector dimension error: expected dim: " +
                                  std::to_string(config_.vectors.begin()->second.size) + ", got 0");
  }
  return base::Status::Ok();
}

void Collection::NormalizeVectors(NamedVectors& v) const {
  for (auto& [name, vec] : v) {
    auto it = config_.vectors.find(name);
    if (it != config_.vectors.end() && it->second.distance == Distance::kCosine) {
      Normalize(vec.data(), vec.size());
    }
  }
}

std::optional<Collection::Location> Collection::Find(const PointId& id) const {
  auto it = index_.find(id);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

bool Collection::MatchesFilter(const Filter& f, const Location& loc) const {
  Segment::View view(*loc.segment, loc.offset);
  return engine::MatchesFilter(f, view, &text_indexes_);
}

void Collection::RebuildTextIndexes() {
  text_indexes_.clear();
  for (const auto& [field, p] : payload_indexes_) {
    if (p.type != "text") continue;
    text_indexes_[field] =
        std::make_shared<const TextIndexParams>(TextIndexParams::FromSchema(p.schema));
  }
}

base::Status Collection::ResolveSelector(PointSelector& sel) const {
  if (!sel.filter) return base::Status::Ok();
  sel.ids.clear();
  for (const auto& [id, loc] : index_) {
    if (MatchesFilter(*sel.filter, loc)) sel.ids.push_back(id);
  }
  std::sort(sel.ids.begin(), sel.ids.end());
  sel.filter.reset();
  return base::Status::Ok();
}

void Collection::ResolveAll(Operation& op) const {
  std::visit(
      [&](auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, UpsertOp>) {
          // update_filter / modes: keep only the points this operation may write.
          if (o.mode == UpsertOp::Mode::kUpsert && !o.update_filter) return;
          std::vector<PointStruct> kept;
          for (auto& p : o.points) {
            auto loc = Find(p.id);
            bool keep = true;
            if (o.mode == UpsertOp::Mode::kInsertOnly) keep = !loc;
            if (o.mode == UpsertOp::Mode::kUpdateOnly) keep = loc.has_value();
            if (keep && loc && o.update_filter) keep = MatchesFilter(*o.update_filter, *loc);
            if (keep) kept.push_back(std::move(p));
          }
          o.points = std::move(kept);
          o.mode = UpsertOp::Mode::kUpsert;
          o.update_filter.reset();
        } else if constexpr (std::is_same_v<T, UpdateVectorsOp>) {
          if (!o.update_filter) return;
          std::vector<PointStruct> kept;
          for (auto& p : o.points) {
            auto loc = Find(p.id);
            if (loc && MatchesFilter(*o.update_filter, *loc)) kept.push_back(std::move(p));
          }
          o.points = std::move(kept);
          o.update_filter.reset();
        } else {
          (void)ResolveSelector(o.selector);
        }
      },
      op);
}

base::Result<uint64_t> Collection::Update(Operation op) {
  // Validation that needs no lock on the data.
  {
    std::shared_lock lock(mu_);
    base::Status st = std::visit(
        [&](auto& o) -> base::Status {
          using T = std::decay_t<decltype(o)>;
          if constexpr (std::is_same_v<T, UpsertOp> || std::is_same_v<T, UpdateVectorsOp>) {
            for (const auto& p : o.points) {
              QUIVER_RETURN_IF_ERROR(ValidateVectors(p.vectors, std::is_same_v<T, UpsertOp>));
            }
          } else if constexpr (std::is_same_v<T, DeleteVectorsOp>) {
            for (const auto& n : o.names) {
              if (!config_.vectors.count(n)) {
                return base::Status::BadInput("Not existing vector name error: " + n);
              }
            }
          } else if constexpr (std::is_same_v<T, SetPayloadOp>) {
            if (!o.payload.is_object()) return base::Status::BadInput("payload must be an object");
            if (o.key) {
              auto path = ParsePath(*o.key);
              if (!path.ok()) return path.status();
            }
          } else if constexpr (std::is_same_v<T, DeletePayloadOp>) {
            for (const auto& k : o.keys) {
              auto path = ParsePath(k);
              if (!path.ok()) return path.status();
            }
          }
          return base::Status::Ok();
        },
        op);
    QUIVER_RETURN_IF_ERROR(st);
  }
  std::visit(
      [&](auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, UpsertOp> || std::is_same_v<T, UpdateVectorsOp>) {
          for (auto& p : o.points) NormalizeVectors(p.vectors);
        }
      },
      op);

  // A plain upsert's log record does not depend on the data: encode it before taking the lock,
  // so that concurrent upserts encode in parallel.
  std::string record;
  const auto* upsert = std::get_if<UpsertOp>(&op);
  const bool pre_encoded =
      upsert && upsert->mode == UpsertOp::Mode::kUpsert && !upsert->update_filter;
  if (pre_encoded) record = EncodeOperation(op);

  std::unique_lock lock(mu_);
  if (retired_) return base::Status::NotFound("Collection `" + name_ + "` was replaced");
  // Payload and vector edits that name points explicitly need every point to exist (Qdrant: 404).
  QUIVER_RETURN_IF_ERROR(std::visit(
      [&](const auto& o) -> base::Status {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, UpdateVectorsOp>) {
          for (const auto& p : o.points) {
            if (!index_.count(p.id)) return MissingPoint(p.id);
          }
        } else if constexpr (std::is_same_v<T, SetPayloadOp> ||
                             std::is_same_v<T, DeletePayloadOp> ||
                             std::is_same_v<T, ClearPayloadOp> ||
                             std::is_same_v<T, DeleteVectorsOp>) {
          if (!o.selector.filter) {
            for (const auto& id : o.selector.ids) {
              if (!index_.count(id)) return MissingPoint(id);
            }
          }
        }
        return base::Status::Ok();
      },
      op));
  ResolveAll(op);
  if (!pre_encoded) record = EncodeOperation(op);
  uint64_t op_id = last_op_ + 1;
  QUIVER_RETURN_IF_ERROR(wal_->Append(op_id, record));
  last_op_ = op_id;
  Apply(op, op_id);
  last_write_ = std::chrono::steady_clock::now();
  return op_id;
}

void Collection::WhenDurable(uint64_t op_id, Wal::DoneFn done) {
  wal_->WhenDurable(op_id, std::move(done));
}

Segment& Collection::Appendable() {
  Segment* last = segments_.empty() ? nullptr : segments_.back().get();
  // Qdrant's max_segment_size (KB) caps segments below the built-in bound.
  uint64_t max_bytes = kSealVectorBytes;
  if (const auto& kb = config_.optimizer_config.max_segment_size) {
    max_bytes = std::min<uint64_t>(max_bytes, std::max<uint64_t>(*kb, 1) * 1024);
  }
  if (!last || last->sealed() || last->size() >= kSealPoints || last->vector_bytes() >= max_bytes) {
    if (last) last->Seal();
    segments_.push_back(std::make_unique<Segment>(next_segment_id_++, Specs()));
    // Room up to the sealing bound (address space only until written), so that a bulk load does
    // not reallocate and copy the growing vector columns.
    uint64_t row_bytes = 0;
    for (const auto& [name, spec] : Specs()) row_bytes += uint64_t(spec.dim) * sizeof(float);
    segments_.back()->Reserve(static_cast<uint32_t>(
        std::min<uint64_t>(kSealPoints, max_bytes / std::max<uint64_t>(row_bytes, 1) + 1)));
  }
  return *segments_.back();
}

Collection::Location Collection::MakeAppendable(const PointId& id) {
  Location loc = index_.at(id);
  if (!loc.segment->sealed()) return loc;
  NamedVectors vectors;
  for (const auto& [name, spec] : loc.segment->specs()) {
    if (const float* v = loc.segment->VectorAt(loc.offset, name)) {
      vectors[name] = std::vector<float>(v, v + spec.dim);
    }
  }
  Segment& app = Appendable();
  uint32_t off = app.Append(id, loc.segment->VersionAt(loc.offset), vectors,
                            loc.segment->PayloadAt(loc.offset));
  loc.segment->MarkDeleted(loc.offset);
  Location moved{&app, off};
  index_[id] = moved;
  return moved;
}

void Collection::ApplyUpsert(UpsertOp& op, uint64_t op_id) {
  for (auto& p : op.points) {
    Value payload = p.payload ? std::move(*p.payload) : Value();
    auto loc = Find(p.id);
    if (loc && !loc->segment->sealed()) {
      // Replace in place: a new vector set and payload.
      Segment& s = *loc->segment;
      for (const auto& [name, spec] : s.specs()) {
        auto it = p.vectors.find(name);
        if (it != p.vectors.end()) {
          s.SetVector(loc->offset, name, it->second);
        } else {
          s.RemoveVector(loc->offset, name);
        }
      }
      s.MutablePayload(loc->offset) = std::move(payload);
      s.SetVersion(loc->offset, op_id);
      continue;
    }
    if (loc) loc->segment->MarkDeleted(loc->offset);
    Segment& app = Appendable();
    uint32_t off = app.Append(p.id, op_id, p.vectors, std::move(payload));
    index_[p.id] = Location{&app, off};
  }
}

void Collection::ApplyToPoint(const PointId& id, uint64_t op_id, const Operation& op) {
  if (!Find(id)) return;
  Location loc = MakeAppendable(id);
  Segment& s = *loc.segment;
  std::visit(
      [&](const auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, SetPayloadOp>) {
          Value& payload = s.MutablePayload(loc.offset);
          if (o.overwrite) {
            payload = o.payload;
          } else if (o.key) {
            auto path = ParsePath(*o.key);
            if (path.ok()) SetPayload(payload, o.payload, &path.value());
          } else {
            SetPayload(payload, o.payload, nullptr);
          }
        } else if constexpr (std::is_same_v<T, DeletePayloadOp>) {
          Value& payload = s.MutablePayload(loc.offset);
          for (const auto& k : o.keys) {
            auto path = ParsePath(k);
            if (path.ok()) DeletePayloadKey(payload, path.value());
          }
        } else if constexpr (std::is_same_v<T, ClearPayloadOp>) {
          s.MutablePayload(loc.offset) = Value();
        } else if constexpr (std::is_same_v<T, DeleteVectorsOp>) {
          for (const auto& n : o.names) s.RemoveVector(loc.offset, n);
        }
      },
      op);
  s.SetVersion(loc.offset, op_id);
}

void Collection::Apply(Operation& op, uint64_t op_id) {
  std::visit(
      [&](auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, UpsertOp>) {
          ApplyUpsert(o, op_id);
        } else if constexpr (std::is_same_v<T, DeletePointsOp>) {
          for (const auto& id : o.selector.ids) {
            auto it = index_.find(id);
            if (it == index_.end()) continue;
            it->second.segment->MarkDeleted(it->second.offset);
            index_.erase(it);
          }
        } else if constexpr (std::is_same_v<T, UpdateVectorsOp>) {
          for (const auto& p : o.points) {
            if (!Find(p.id)) continue;
            Location loc = MakeAppendable(p.id);
            for (const auto& [name, vec] : p.vectors) loc.segment->SetVector(loc.offset, name, vec);
            loc.segment->SetVersion(loc.offset, op_id);
          }
        } else {
          for (const auto& id : o.selector.ids) ApplyToPoint(id, op_id, op);
        }
      },
      op);
}

base::Result<uint64_t> Collection::CreatePayloadIndex(const std::string& field,
                                                      const PayloadIndexParams& params) {
  auto path = ParsePath(field);
  if (!path.ok()) return path.status();
  std::unique_lock lock(mu_);
  auto old = payload_indexes_;
  payload_indexes_[field] = params;
  base::Status st = WriteMeta(checkpoint_op_);
  if (!st.ok()) {
    payload_indexes_ = old;
    return st;
  }
  RebuildTextIndexes();
  for (auto& seg : segments_) {
    if (seg->sealed()) seg->BuildFieldIndex(field, params.type);
  }
  return last_op_;
}

base::Result<uint64_t> Collection::DeletePayloadIndex(const std::string& field) {
  std::unique_lock lock(mu_);
  auto old = payload_indexes_;
  payload_indexes_.erase(field);
  base::Status st = WriteMeta(checkpoint_op_);
  if (!st.ok()) {
    payload_indexes_ = old;
    return st;
  }
  RebuildTextIndexes();
  for (auto& seg : segments_) seg->DropFieldIndex(field);
  return last_op_;
}

}  // namespace quiver::engine
