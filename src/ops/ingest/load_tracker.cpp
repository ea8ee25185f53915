#include "ops/ingest/load_tracker.h"

namespace quiver::ops::ingest {

LoadTracker::LoadTracker(LoadSnapshot start, Clock::duration durable_interval)
    : acked_(start),
      durable_(start),
      interval_(durable_interval),
      last_durable_request_(Clock::now()) {}

base::Status LoadTracker::Complete(uint64_t seq, const LoadTotals& counts,
                                   const SourcePosition& end, std::string rejects) {
  std::lock_guard<std::mutex> lock(mu_);
  pending_[seq] = Done{counts, end, std::move(rejects)};
  base::Status status = base::Status::Ok();
  for (auto it = pending_.begin(); it != pending_.end() && it->first == acked_.next_seq;) {
    if (sink_ && (!it->second.rejects.empty() || it->second.counts.rejected > 0) && status.ok()) {
      status = sink_(it->second.rejects, it->second.counts.rejected);
    }
    acked_.totals += it->second.counts;
    acked_.position = std::move(it->second.end);
    ++acked_.next_seq;
    it = pending_.erase(it);
  }
  return status;
}

bool LoadTracker::DurableRequestDue(LoadSnapshot* snapshot) {
  std::lock_guard<std::mutex> lock(mu_);
  auto now = Clock::now();
  if (now - last_durable_request_ < interval_) return false;
  last_durable_request_ = now;
  *snapshot = acked_;
  return true;
}

void LoadTracker::MarkDurable(const LoadSnapshot& snapshot) {
  std::lock_guard<std::mutex> lock(mu_);
  if (snapshot.next_seq <= durable_.next_seq) return;
  durable_ = snapshot;
  ++durable_version_;
}

LoadSnapshot LoadTracker::Acked() const {
  std::lock_guard<std::mutex> lock(mu_);
  return acked_;
}

LoadSnapshot LoadTracker::Durable() const {
  std::lock_guard<std::mutex> lock(mu_);
  return durable_;
}

uint64_t LoadTracker::durable_version() const {
  std::lock_guard<std::mutex> lock(mu_);
  return durable_version_;
}

}  // namespace quiver::ops::ingest
