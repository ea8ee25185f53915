// IngestRunner::Run: the load pipeline, the final barrier and checkpoint, --bulk restore, green
// wait, summary and report. See ingest_runner.h for the shape.
#include "ops/ingest/ingest_runner.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <thread>
#include <vector>

namespace quiver::ops::ingest {
namespace {

std::atomic<bool> g_signal{false};
std::atomic<int> g_signal_count{0};

void OnSignal(int) {
  if (g_signal_count.fetch_add(1) >= 1) _exit(kExitInterrupted);  // second Ctrl-C: quit at once
  g_signal.store(true);
}

double Since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

bool BatchQueue::Push(RawBatch batch) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
  if (closed_) return false;
  items_.push_back(std::move(batch));
  cv_.notify_all();
  return true;
}

std::optional<RawBatch> BatchQueue::Pop() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return closed_ || !items_.empty(); });
  if (items_.empty()) return std::nullopt;
  RawBatch b = std::move(items_.front());
  items_.pop_front();
  cv_.notify_all();
  return b;
}

void BatchQueue::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  cv_.notify_all();
}

void BatchQueue::Abort() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  items_.clear();
  cv_.notify_all();
}

IngestRunner::IngestRunner(const IngestOptions& options) : options_(options) {}

void IngestRunner::SetFatal(const base::Status& status) {
  {
    std::lock_guard<std::mutex> lock(fatal_mu_);
    bool cancelled = status.message() == "cancelled" && (interrupted_ || !fatal_.empty());
    if (fatal_.empty() && !cancelled) fatal_ = status.message();
  }
  stop_ = true;
  if (queue_) queue_->Abort();
}

int IngestRunner::Run() {
  start_ = std::chrono::steady_clock::now();
  g_signal = false;
  g_signal_count = 0;
  struct sigaction action {
  }, old_int{}, old_term{};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &old_int);
  sigaction(SIGTERM, &action, &old_term);
  signal(SIGPIPE, SIG_IGN);

  base::Status st = Prepare();
  if (!st.ok()) {
    SetFatal(st);
  } else {
    LoadSnapshot start;
    if (resumed_) {
      start.totals = resumed_->totals;
      start.position = resumed_->position;
    }
    tracker_ = std::make_unique<LoadTracker>(
        start,
        std::chrono::milliseconds(static_cast<int64_t>(options_.checkpoint_interval_sec * 1000)));
    tracker_->SetRejectSink([log = rejects_.get()](std::string_view entries, uint64_t count) {
      return log->Append(entries, count);
    });
    if (resumed_ && resumed_->complete) {
      LogLine("the checkpoint says this load is complete; nothing to send");
      input_done_ = true;
    } else {
      Load();
    }
  }
  int code = Finish();
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  return code;
}

void IngestRunner::Load() {
  const RecordLayout& layout = reader_->layout();
  queue_ = std::make_unique<BatchQueue>(2 * static_cast<size_t>(options_.parallel));
  UploadConfig config;
  config.points_path = "/collections/" + EncodePathSegment(options_.collection) + "/points";
  config.max_body_bytes = options_.batch_bytes;
  config.strict = options_.strict;
  config.dry_run = options_.dry_run;
  config.binary_records = layout.kind == RecordLayout::Kind::kDense;
  std::vector<std::unique_ptr<BatchUploader>> uploaders;
  for (int i = 0; i < options_.parallel; ++i) {
    std::unique_ptr<RetryingClient> client;
    if (!options_.dry_run) {
      client = std::make_unique<RetryingClient>(Endpoint(base_url_, options_.api_key), Policy(),
                                                &stop_, &stats_.retries);
    }
    uploaders.push_back(std::make_unique<BatchUploader>(config, MakeConverter(layout, convert_),
                                                        std::move(client), &stats_, &barrier_));
  }
  LoadTotals resumed = resumed_ ? resumed_->totals : LoadTotals{};
  ProgressDisplay display(options_.progress, options_.log_interval_sec, &stats_, &input_, resumed);
  std::atomic<int> running{options_.parallel};
  std::thread reader([this] { ReaderLoop(); });
  std::vector<std::thread> workers;
  for (auto& u : uploaders) {
    workers.emplace_back([this, &running, uploader = u.get()] {
      WorkerLoop(uploader);
      running.fetch_sub(1);
    });
  }
  while (running.load() > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (g_signal.load() && !interrupted_.load()) {
      interrupted_ = true;
      stop_ = true;
      queue_->Abort();
      display.Finish();
      LogLine("interrupted: finishing the requests in flight (Ctrl-C again quits at once)");
    }
    display.Tick();
    SaveCheckpoint(false);
  }
  for (auto& w : workers) w.join();
  queue_->Abort();  // a reader blocked on a full queue
  reader.join();
  display.Finish();
}

void IngestRunner::ReaderLoop() {
  const RecordLayout& layout = reader_->layout();
  // Raw bytes per batch: binary floats grow about 3x as JSON text.
  size_t budget = layout.kind == RecordLayout::Kind::kDense ? options_.batch_bytes / 3
                                                            : options_.batch_bytes / 10 * 9;
  uint64_t seq = 0, read = 0;
  while (!stop_.load()) {
    size_t max = options_.batch_size;
    if (options_.limit > 0) {
      if (read >= options_.limit) {
        input_done_ = true;
        stopped_at_limit_ = true;  // done for this run, but the input is not finished
        break;
      }
      max = std::min<uint64_t>(max, options_.limit - read);
    }
    RawBatch batch;
    auto got = reader_->Next(max, budget, batch);
    batch.progress_bytes = reader_->progress_bytes();
    if (auto total = reader_->total_records()) input_.total_records = *total;
    if (!got.ok()) {
      SetFatal(base::Status(got.status().code(), "input: " + got.status().message()));
      break;
    }
    if (!got.value()) {
      input_done_ = true;
      break;
    }
    read += batch.records.size();
    batch.seq = seq++;
    batches_ = seq;
    if (!queue_->Push(std::move(batch))) {
      input_done_ = false;
      break;
    }
  }
  queue_->Close();
}

void IngestRunner::WorkerLoop(BatchUploader* uploader) {
  while (!stop_.load()) {
    auto batch = queue_->Pop();
    if (!batch || stop_.load()) break;
    LoadSnapshot snapshot;
    bool wait = !options_.dry_run && tracker_->DurableRequestDue(&snapshot);
    BatchUploader::Outcome out;
    base::Status st = uploader->Process(*batch, wait, &out);
    if (!st.ok()) {
      // --strict: the reject file still gets the record that stopped the load.
      if (!out.rejects.empty()) (void)rejects_->Append(out.rejects, out.counts.rejected);
      SetFatal(st);
      break;
    }
    st = tracker_->Complete(batch->seq, out.counts, batch->end, std::move(out.rejects));
    if (!st.ok()) {
      SetFatal(st);
      break;
    }
    if (wait && out.durable) tracker_->MarkDurable(snapshot);
    // Progress counts input bytes of processed batches, not of batches read ahead.
    uint64_t bytes = input_.bytes.load();
    while (bytes < batch->progress_bytes &&
           !input_.bytes.compare_exchange_weak(bytes, batch->progress_bytes)) {
    }
  }
}

void IngestRunner::Barrier() {
  LoadSnapshot acked = tracker_->Acked();
  if (acked.next_seq <= tracker_->Durable().next_seq) return;
  std::string point = barrier_.Get();
  if (options_.dry_run || point.empty()) {  // nothing was written to the server by this run
    tracker_->MarkDurable(acked);
    return;
  }
  // After a failure or a Ctrl-C, one quick retry only: an interrupted load must not wait out the
  // whole retry policy for a server that is gone (its checkpoint then keeps the last durable
  // prefix).
  bool healthy = fatal_.empty() && !interrupted_;
  RetryPolicy policy = healthy ? Policy() : RetryPolicy{2, 0.1, 0.5};
  RetryingClient client(Endpoint(base_url_, options_.api_key), policy, nullptr, &stats_.retries);
  std::string path = "/collections/" + EncodePathSegment(options_.collection) + "/points?wait=true";
  auto r = client.Send("PUT", path, "{\"points\":[" + point + "]}");
  if (r.ok() && r.value().status == 200) {
    tracker_->MarkDurable(acked);
  } else if (healthy) {
    SetFatal(base::Status::Internal("the final wait=true request failed: " +
                                    (r.ok() ? ErrorMessageOf(r.value()) : r.status().message())));
  }
}

void IngestRunner::SaveCheckpoint(bool final_save) {
  if (options_.checkpoint.empty() || !tracker_) return;
  uint64_t version = tracker_->durable_version();
  if (!final_save &&
      (version == saved_version_ || Since(last_save_) < options_.checkpoint_interval_sec)) {
    return;
  }
  LoadSnapshot durable = tracker_->Durable();
  Checkpoint c = identity_;
  c.totals = durable.totals;
  c.position = durable.position;
  c.complete = final_save && fatal_.empty() && !interrupted_ && input_done_ && !stopped_at_limit_ &&
               durable.next_seq == batches_.load();
  c.bulk_active = bulk_active_;
  c.original_indexing_threshold = original_threshold_;
  base::Status st = rejects_ ? rejects_->Sync() : base::Status::Ok();
  if (st.ok()) st = ingest::SaveCheckpoint(options_.checkpoint, c);
  if (!st.ok()) {
    SetFatal(st);
    return;
  }
  saved_version_ = version;
  last_save_ = std::chrono::steady_clock::now();
}

void IngestRunner::RestoreBulk(bool quick) {
  uint64_t value = original_threshold_.value_or(10000);
  RetryingClient client(Endpoint(base_url_, options_.api_key),
                        quick ? RetryPolicy{2, 0.1, 0.5} : Policy(), nullptr, &stats_.retries);
  CollectionAdmin admin(&client, options_.collection);
  base::Status st = admin.SetIndexingThreshold(value);
  if (st.ok()) {
    bulk_active_ = false;
    LogLine("indexing restored (indexing_threshold = " + std::to_string(value) +
            (original_threshold_ ? ")" : ", Qdrant's default; it was unset)"));
  } else {
    LogLine("warning: indexing is still deferred (" + st.message() +
            "); rerun the same command to finish and restore it");
  }
}

int IngestRunner::Finish() {
  bool prepared = tracker_ != nullptr;
  if (prepared) Barrier();
  load_seconds_ = Since(start_);
  bool all_done = fatal_.empty() && !interrupted_ && input_done_ && prepared &&
                  tracker_->Acked().next_seq == batches_.load();
  if (prepared) SaveCheckpoint(true);
  if (bulk_active_ && prepared) {
    RestoreBulk(!all_done);
    SaveCheckpoint(true);
  }
  if (all_done && !options_.dry_run && (options_.bulk || options_.wait_indexed)) {
    auto t0 = std::chrono::steady_clock::now();
    LogLine("waiting for the collection to be green");
    base::Status st = admin_->WaitGreen(options_.green_timeout_sec, &g_signal);
    green_seconds_ = Since(t0);
    if (!st.ok() && g_signal.load()) {
      interrupted_ = true;  // Ctrl-C while waiting: the load itself is complete
    } else if (!st.ok()) {
      SetFatal(st);
    }
  }

  Summary s;
  s.url = RedactUrl(base_url_.empty() ? options_.url : base_url_);
  s.collection = options_.collection;
  s.source = identity_.source;
  s.format = identity_.format;
  s.dry_run = options_.dry_run;
  s.resumed = resumed_.has_value();
  if (prepared) {
    s.totals = tracker_->Acked().totals;
  } else if (resumed_) {
    s.totals = resumed_->totals;
  }
  s.this_run = {stats_.records.load(), stats_.loaded.load(), stats_.rejected.load()};
  s.seconds = load_seconds_;
  s.seconds_to_green = green_seconds_;
  s.requests = stats_.requests.load();
  s.retries = stats_.retries.load();
  s.splits = stats_.splits.load();
  s.bytes_read = input_.bytes.load();
  s.bytes_sent = stats_.bytes_sent.load();
  if (rejects_ && s.totals.rejected > 0) s.reject_file = rejects_->path();
  if (!fatal_.empty()) {
    s.status = "failed";
    s.exit_code = kExitFailure;
    s.error = fatal_;
  } else if (interrupted_) {
    s.status = "interrupted";
    s.exit_code = kExitInterrupted;
  } else if (s.totals.rejected > 0) {
    s.status = "partial";
    s.exit_code = kExitPartial;
  } else {
    s.status = "success";
    s.exit_code = kExitSuccess;
  }
  if (!fatal_.empty()) LogLine("error: " + fatal_);
  LogLine(SummaryLine(s));
  if (s.exit_code == kExitFailure || s.exit_code == kExitInterrupted) {
    LogLine(
        options_.checkpoint.empty()
            ? "rerunning loads everything again (ids are deterministic, nothing is duplicated); "
              "add --checkpoint FILE to resume instead"
            : "rerun the same command to resume from " + options_.checkpoint);
  }
  if (!options_.report.empty()) {
    std::ofstream out(options_.report, std::ios::trunc);
    out << ReportJson(s);
    if (!out) LogLine("warning: cannot write the report to " + options_.report);
  }
  return s.exit_code;
}

int RunIngest(const IngestOptions& options) {
  IngestRunner runner(options);
  return runner.Run();
}

}  // namespace quiver::ops::ingest
