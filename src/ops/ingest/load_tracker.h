// LoadTracker: which batches are done, in input order, and which prefix of the input is durable on
// the server; that prefix is what a checkpoint records.
//
// Batches complete out of order (parallel connections). The acknowledged prefix is the longest run
// of completed batches 0..k-1. A wait=false acknowledgement is not a durability promise, so the
// durable prefix only moves when a wait=true request succeeds: everything acknowledged before that
// request was sent is durable once it returns (the server applies and syncs writes in order).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "base/status.h"
#include "ops/ingest/record_reader.h"

namespace quiver::ops::ingest {

struct LoadTotals {
  uint64_t records = 0;   // records read (loaded + rejected)
  uint64_t loaded = 0;    // acknowledged by the server
  uint64_t rejected = 0;  // written to the reject file

  LoadTotals& operator+=(const LoadTotals& o) {
    records += o.records;
    loaded += o.loaded;
    rejected += o.rejected;
    return *this;
  }
};

// A prefix of the input: batches [0, next_seq) of this run, with totals since the start of the
// load (a resumed run starts from the checkpoint's totals) and the input position after them.
struct LoadSnapshot {
  uint64_t next_seq = 0;
  LoadTotals totals;
  SourcePosition position;
};

class LoadTracker {
 public:
  using Clock = std::chrono::steady_clock;

  // `start`: the position and totals the run begins with; `durable_interval`: how often a
  // wait=true request should be sent (DurableRequestDue).
  LoadTracker(LoadSnapshot start, Clock::duration durable_interval);

  // Receives the reject-file entries of batches in input order (called under the tracker's lock).
  using RejectSink = std::function<base::Status(std::string_view entries, uint64_t count)>;
  void SetRejectSink(RejectSink sink) { sink_ = std::move(sink); }

  // Records that batch `seq` finished (every record loaded or rejected); `rejects` holds its
  // reject-file entries, passed to the sink once every earlier batch is done. A sink error is
  // returned (by the call that flushed it).
  base::Status Complete(uint64_t seq, const LoadTotals& counts, const SourcePosition& end,
                        std::string rejects = {});

  // True (once per interval) when the next request should be sent with wait=true; then
  // `*snapshot` is the acknowledged prefix to mark durable when that request succeeds.
  bool DurableRequestDue(LoadSnapshot* snapshot);

  // Marks `snapshot` durable (ignored if an equal or longer prefix already is).
  void MarkDurable(const LoadSnapshot& snapshot);

  LoadSnapshot Acked() const;
  LoadSnapshot Durable() const;
  // Increments whenever Durable() moves.
  uint64_t durable_version() const;

 private:
  struct Done {
    LoadTotals counts;
    SourcePosition end;
    std::string rejects;
  };
  mutable std::mutex mu_;
  LoadSnapshot acked_;
  LoadSnapshot durable_;
  uint64_t durable_version_ = 0;
  std::map<uint64_t, Done> pending_;  // completed beyond the acknowledged prefix
  Clock::duration interval_;
  Clock::time_point last_durable_request_;
  RejectSink sink_;
};

}  // namespace quiver::ops::ingest
