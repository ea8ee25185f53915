// BatchUploader: converts one raw batch to points and upserts them (PUT /points), one worker
// connection per uploader. A batch the server rejects with 400/422 is split in halves until the
// bad records are isolated and written to the reject file with the server's reason; 413 splits
// too. Transport errors, 5xx and 429 are retried by the RetryingClient.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "ops/ingest/http_client.h"
#include "ops/ingest/load_tracker.h"
#include "ops/ingest/point_converter.h"

namespace quiver::ops::ingest {

// Counters shown by the progress display and the report (updated by all workers).
struct LiveStats {
  std::atomic<uint64_t> records{0};
  std::atomic<uint64_t> loaded{0};
  std::atomic<uint64_t> rejected{0};
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> retries{0};
  std::atomic<uint64_t> splits{0};
  std::atomic<uint64_t> bytes_sent{0};
};

// The last point of the latest batch, re-sent with wait=true as the final durability barrier
// (upserting a point with its own final content changes nothing).
class BarrierPoint {
 public:
  void Offer(uint64_t seq, std::string_view point_json);
  std::string Get() const;

 private:
  mutable std::mutex mu_;
  uint64_t seq_ = 0;
  bool set_ = false;
  std::string json_;
};

struct UploadConfig {
  std::string points_path;  // "/collections/<name>/points"
  size_t max_body_bytes = 8 << 20;
  bool strict = false;
  bool dry_run = false;         // convert and reject locally, send nothing
  bool binary_records = false;  // NPY/fvecs rows: not copied into the reject file
};

class BatchUploader {
 public:
  BatchUploader(UploadConfig config, std::unique_ptr<PointConverter> converter,
                std::unique_ptr<RetryingClient> client, LiveStats* stats, BarrierPoint* barrier);

  struct Outcome {
    LoadTotals counts;
    bool durable = false;  // a wait=true request of this batch succeeded
    std::string rejects;   // reject-file entries, in record order
  };

  // Processes `batch` into `*out`; with `wait` its requests use wait=true. A non-ok Status stops
  // the load: the server is unreachable or refuses the requests (401, 403, 404, ...), or --strict
  // met a bad record (then `out->rejects` holds it).
  base::Status Process(const RawBatch& batch, bool wait, Outcome* out);

 private:
  struct Span {
    uint32_t offset;
    uint32_t size;
    uint32_t record;  // index into batch.records
  };
  base::Status Convert(const RawBatch& batch, Outcome& out);
  base::Status SendRange(const RawBatch& batch, size_t lo, size_t hi, bool wait, Outcome& out);
  base::Status Reject(const RawBatch& batch, const RawRecord& record, std::string_view reason,
                      Outcome& out);
  void BuildBody(size_t lo, size_t hi);

  UploadConfig config_;
  std::unique_ptr<PointConverter> converter_;
  std::unique_ptr<RetryingClient> client_;
  LiveStats* stats_;
  BarrierPoint* barrier_;
  std::string points_;  // converted points, back to back
  std::vector<Span> spans_;
  std::string body_;
  std::vector<std::pair<uint64_t, std::string>> rejected_;  // line, reject-file entry
};

}  // namespace quiver::ops::ingest
