#include "ops/ingest/batch_uploader.h"

#include <algorithm>

#include "ops/ingest/reject_log.h"

namespace quiver::ops::ingest {

void BarrierPoint::Offer(uint64_t seq, std::string_view point_json) {
  std::lock_guard<std::mutex> lock(mu_);
  if (set_ && seq < seq_) return;
  set_ = true;
  seq_ = seq;
  json_.assign(point_json);
}

std::string BarrierPoint::Get() const {
  std::lock_guard<std::mutex> lock(mu_);
  return json_;
}

BatchUploader::BatchUploader(UploadConfig config, std::unique_ptr<PointConverter> converter,
                             std::unique_ptr<RetryingClient> client, LiveStats* stats,
                             BarrierPoint* barrier)
    : config_(std::move(config)),
      converter_(std::move(converter)),
      client_(std::move(client)),
      stats_(stats),
      barrier_(barrier) {}

base::Status BatchUploader::Reject(const RawBatch& batch, const RawRecord& record,
                                   std::string_view reason, Outcome& out) {
  ++out.counts.rejected;
  stats_->rejected.fetch_add(1);
  std::string_view raw;
  if (!config_.binary_records)
    raw = std::string_view(batch.data.data() + record.offset, record.size);
  rejected_.push_back({record.number, RejectLog::Format(record.number, reason, raw)});
  if (config_.strict) {
    return base::Status::BadInput("--strict: record " + std::to_string(record.number) +
                                  " rejected: " + std::string(reason));
  }
  return base::Status::Ok();
}

base::Status BatchUploader::Process(const RawBatch& batch, bool wait, Outcome* out) {
  *out = Outcome();
  rejected_.clear();
  points_.clear();
  spans_.clear();
  base::Status status = Convert(batch, *out);
  if (status.ok() && !spans_.empty()) {
    if (config_.dry_run) {
      out->counts.loaded += spans_.size();
      stats_->loaded.fetch_add(spans_.size());
    } else {
      status = SendRange(batch, 0, spans_.size(), wait, *out);
    }
  }
  // Local rejects and server rejects were found in two passes: put them in line order.
  std::stable_sort(rejected_.begin(), rejected_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& r : rejected_) out->rejects += r.second;
  return status;
}

base::Status BatchUploader::Convert(const RawBatch& batch, Outcome& out) {
  for (size_t i = 0; i < batch.records.size(); ++i) {
    const RawRecord& rec = batch.records[i];
    size_t before = points_.size();
    base::Status st = converter_->Convert(batch, rec, points_);
    ++out.counts.records;
    stats_->records.fetch_add(1);
    if (!st.ok()) {
      points_.resize(before);
      QUIVER_RETURN_IF_ERROR(Reject(batch, rec, st.message(), out));
      continue;
    }
    spans_.push_back({static_cast<uint32_t>(before), static_cast<uint32_t>(points_.size() - before),
                      static_cast<uint32_t>(i)});
  }
  return base::Status::Ok();
}

void BatchUploader::BuildBody(size_t lo, size_t hi) {
  body_.clear();
  body_ += "{\"points\":[";
  for (size_t i = lo; i < hi; ++i) {
    if (i > lo) body_ += ',';
    body_.append(points_, spans_[i].offset, spans_[i].size);
  }
  body_ += "]}";
}

base::Status BatchUploader::SendRange(const RawBatch& batch, size_t lo, size_t hi, bool wait,
                                      Outcome& out) {
  size_t bytes = 0;
  for (size_t i = lo; i < hi; ++i) bytes += spans_[i].size + 1;
  if (bytes + 16 > config_.max_body_bytes && hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    QUIVER_RETURN_IF_ERROR(SendRange(batch, lo, mid, wait, out));
    return SendRange(batch, mid, hi, wait, out);
  }
  BuildBody(lo, hi);
  stats_->requests.fetch_add(1);
  stats_->bytes_sent.fetch_add(body_.size());
  auto r = client_->Send("PUT", config_.points_path + (wait ? "?wait=true" : "?wait=false"), body_);
  if (!r.ok()) return r.status();
  long status = r.value().status;
  if (status >= 200 && status < 300) {
    out.counts.loaded += hi - lo;
    stats_->loaded.fetch_add(hi - lo);
    if (wait) out.durable = true;
    const Span& last = spans_[hi - 1];
    barrier_->Offer(batch.seq, std::string_view(points_).substr(last.offset, last.size));
    return base::Status::Ok();
  }
  bool record_level = status == 400 || status == 422 || status == 413;
  if (!record_level) {
    return base::Status::Internal("the server refused the upsert: " + ErrorMessageOf(r.value()));
  }
  if (hi - lo == 1) {
    std::string reason = status == 413 ? "the record is larger than the server's request size limit"
                                       : ErrorMessageOf(r.value());
    return Reject(batch, batch.records[spans_[lo].record], reason, out);
  }
  stats_->splits.fetch_add(1);
  size_t mid = lo + (hi - lo) / 2;
  QUIVER_RETURN_IF_ERROR(SendRange(batch, lo, mid, wait, out));
  return SendRange(batch, mid, hi, wait, out);
}

}  // namespace quiver::ops::ingest
