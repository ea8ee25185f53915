// IngestRunner: one `quiver ingest` run (internal to ops/ingest). Prepare (ingest_prepare.cpp)
// checks the options, opens the input, reads the checkpoint and sets up the target collection;
// Run (ingest_runner.cpp) drives the pipeline:
//
//   reader thread ──RawBatch──▶ bounded queue ──▶ N workers (convert, PUT /points on a keep-alive
//   connection each) ──▶ LoadTracker (acknowledged / durable prefix) ──▶ checkpoint file
//
// and finishes with a wait=true barrier, the final checkpoint, restoring --bulk settings, waiting
// for green, the summary and the report.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "ops/ingest/batch_uploader.h"
#include "ops/ingest/checkpoint.h"
#include "ops/ingest/collection_admin.h"
#include "ops/ingest/http_client.h"
#include "ops/ingest/ingest.h"
#include "ops/ingest/load_tracker.h"
#include "ops/ingest/point_converter.h"
#include "ops/ingest/progress.h"
#include "ops/ingest/record_reader.h"
#include "ops/ingest/reject_log.h"

namespace quiver::ops::ingest {

// A bounded blocking queue of batches between the reader and the workers.
class BatchQueue {
 public:
  explicit BatchQueue(size_t capacity) : capacity_(capacity) {}
  bool Push(RawBatch batch);      // blocks while full; false once closed
  std::optional<RawBatch> Pop();  // blocks while empty; nullopt once closed and drained
  void Close();                   // no more pushes; pops drain what is queued
  void Abort();                   // close and drop what is queued

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<RawBatch> items_;
  size_t capacity_;
  bool closed_ = false;
};

class IngestRunner {
 public:
  explicit IngestRunner(const IngestOptions& options);
  int Run();

 private:
  // ingest_prepare.cpp
  base::Status Prepare();
  base::Status OpenInput();
  base::Status ReadCheckpoint();
  base::Status PrepareCollection();
  base::Status CreateFromSource(CollectionAdmin& admin);
  base::Status PrepareRejects();
  RetryPolicy Policy() const;
  HttpEndpoint Endpoint(const std::string& url, const std::string& api_key) const;

  // ingest_runner.cpp
  void Load();
  void ReaderLoop();
  void WorkerLoop(BatchUploader* uploader);
  void Barrier();
  void SaveCheckpoint(bool final_save);
  void RestoreBulk(bool quick);
  void SetFatal(const base::Status& status);
  int Finish();

  IngestOptions options_;
  std::string base_url_;
  std::unique_ptr<RecordReader> reader_;
  std::unique_ptr<RetryingClient> admin_client_;
  std::unique_ptr<CollectionAdmin> admin_;
  std::unique_ptr<RejectLog> rejects_;
  std::unique_ptr<LoadTracker> tracker_;
  ConvertOptions convert_;
  InputFormat format_ = InputFormat::kAuto;

  Checkpoint identity_;                // this load's identity fields, and the resumed state
  std::optional<Checkpoint> resumed_;  // the checkpoint this run started from
  bool bulk_active_ = false;
  std::optional<uint64_t> original_threshold_;

  LiveStats stats_;
  InputProgress input_;
  BarrierPoint barrier_;
  std::unique_ptr<BatchQueue> queue_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> interrupted_{false};
  std::atomic<bool> input_done_{false};  // the reader reached the end of the input (or --limit)
  std::atomic<bool> stopped_at_limit_{false};
  std::atomic<uint64_t> batches_{0};  // batches handed to the workers
  std::mutex fatal_mu_;
  std::string fatal_;
  uint64_t saved_version_ = ~0ull;
  std::chrono::steady_clock::time_point last_save_;
  std::chrono::steady_clock::time_point start_;
  double load_seconds_ = 0;
  std::optional<double> green_seconds_;
};

}  // namespace quiver::ops::ingest
