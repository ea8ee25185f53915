#include "engine/wal/wal.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "base/byte_io.h"
#include "base/crc32c.h"
#include "base/stats.h"

namespace quiver::engine {
namespace {

using base::Status;

constexpr char kMagic[8] = {'Q', 'V', 'R', 'W', 'A', 'L', '\0', '\0'};
constexpr uint32_t kFormatVersion = 1;
constexpr size_t kFileHeaderSize = 24;    // magic, version, reserved, first op id
constexpr size_t kRecordHeaderSize = 16;  // length, crc, op id
constexpr uint64_t kMaxPayload = 1ull << 30;
constexpr size_t kNameDigits = 20;

std::string FileName(uint64_t first_op) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%020llu.wal", static_cast<unsigned long long>(first_op));
  return buf;
}

// Parses "<20 digits>.wal"; false for any other name.
bool ParseFileName(const std::string& name, uint64_t* first_op) {
  if (name.size() != kNameDigits + 4 || name.compare(kNameDigits, 4, ".wal") != 0) return false;
  uint64_t v = 0;
  for (size_t i = 0; i < kNameDigits; ++i) {
    char c = name[i];
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *first_op = v;
  return true;
}

std::string FileHeader(uint64_t first_op) {
  base::ByteWriter w;
  w.Raw(kMagic, sizeof(kMagic));
  w.U32(kFormatVersion);
  w.U32(0);
  w.U64(first_op);
  return w.Take();
}

uint32_t RecordCrc(uint64_t op_id, std::string_view payload) {
  base::ByteWriter w;
  w.U64(op_id);
  uint32_t crc = base::Crc32c(w.data());
  return base::Crc32c(crc, payload.data(), payload.size());
}

bool AllZero(std::string_view s) {
  for (char c : s) {
    if (c != 0) return false;
  }
  return true;
}

// Process-wide WAL statistics (all collections together), rendered on /metrics by observability/.
struct WalStats {
  base::Counter& appends;
  base::Counter& bytes;
  base::Counter& fsync_failures;
  base::Histogram& fsync_seconds;
};

WalStats& Stats() {
  static WalStats stats{
      base::StatsRegistry::Global()
          .Counter("quiver_wal_appends_total", "records appended to write-ahead logs")
          .With({}),
      base::StatsRegistry::Global()
          .Counter("quiver_wal_appended_bytes_total", "bytes appended to write-ahead logs")
          .With({}),
      base::StatsRegistry::Global()
          .Counter("quiver_wal_fsync_failures_total",
                   "failed write-ahead log fsyncs (the log then refuses writes)")
          .With({}),
      base::StatsRegistry::Global()
          .Histogram("quiver_wal_fsync_duration_seconds", "write-ahead log fsync latency",
                     {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                      0.5, 1, 2.5, 5, 10})
          .With({})};
  return stats;
}

// file->Sync(), timed and counted.
Status TimedSync(base::AppendFile& file) {
  auto start = std::chrono::steady_clock::now();
  Status st = file.Sync();
  Stats().fsync_seconds.Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  if (!st.ok()) Stats().fsync_failures.Inc();
  return st;
}

enum class RecordCheck { kGood, kTorn, kBadCrc };

struct Record {
  uint64_t op_id = 0;
  std::string_view payload;
  size_t end = 0;  // offset just past the record
};

// Decodes the record at `pos` of `data`. kTorn: the header does not fit, or the length is absurd
// or runs past the end of `data`.
RecordCheck DecodeRecord(std::string_view data, size_t pos, Record* rec) {
  if (data.size() - pos < kRecordHeaderSize) return RecordCheck::kTorn;
  base::ByteReader r(data.substr(pos, kRecordHeaderSize));
  uint64_t length = r.U32();
  uint32_t crc = r.U32();
  rec->op_id = r.U64();
  if (length > kMaxPayload || length > data.size() - pos - kRecordHeaderSize) {
    return RecordCheck::kTorn;
  }
  rec->payload = data.substr(pos + kRecordHeaderSize, length);
  rec->end = pos + kRecordHeaderSize + length;
  return RecordCrc(rec->op_id, rec->payload) == crc ? RecordCheck::kGood : RecordCheck::kBadCrc;
}

// True when a record that passes its checksum starts anywhere in (pos, end of data): then the bad
// record at `pos` is damage in the middle of the log, not a torn tail.
bool GoodRecordAfter(std::string_view data, size_t pos, uint64_t prev_op) {
  Record rec;
  for (size_t q = pos + 1; q + kRecordHeaderSize <= data.size(); ++q) {
    if (DecodeRecord(data, q, &rec) == RecordCheck::kGood && rec.op_id > prev_op) return true;
  }
  return false;
}

struct LiveFile {
  uint64_t first_op;
  std::string path;
  uint64_t size;
};

class WalImpl : public Wal {
 public:
  WalImpl(base::FileSystem* fs, std::string dir, WalOptions options)
      : fs_(fs), dir_(std::move(dir)), options_(options) {}

  ~WalImpl() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    syncer_cv_.notify_all();
    if (syncer_.joinable()) syncer_.join();
  }

  Status Replay(uint64_t after_op, const ReplayFn& replay);

  void StartSyncer() {
    durable_op_ = last_op_;
    syncer_ = std::thread([this] { SyncerLoop(); });
  }

  Status Append(uint64_t op_id, std::string_view payload) override {
    if (payload.size() > kMaxPayload) {
      return Status::BadInput("wal record of " + std::to_string(payload.size()) +
                              " bytes exceeds the 1 GiB limit");
    }
    base::ByteWriter w;
    w.U32(static_cast<uint32_t>(payload.size()));
    w.U32(RecordCrc(op_id, payload));
    w.U64(op_id);
    w.Raw(payload.data(), payload.size());

    std::lock_guard<std::mutex> lock(mu_);
    if (!broken_.ok()) return broken_;
    if (op_id <= last_op_ || op_id < current_first_op_) {
      return Status::Internal("wal op id " + std::to_string(op_id) + " is not above " +
                              std::to_string(std::max(last_op_, current_first_op_ - 1)));
    }
    if (current_->Size() >= options_.file_capacity_bytes && current_has_records_) {
      QUIVER_RETURN_IF_ERROR(RollLocked(op_id));
    }
    uint64_t before = current_->Size();
    Status st = current_->Append(w.data());
    if (!st.ok()) {
      Status undo = current_->Truncate(before);
      if (!undo.ok()) Break(undo);
      return st;
    }
    last_op_ = op_id;
    current_has_records_ = true;
    Stats().appends.Inc();
    Stats().bytes.Inc(w.data().size());
    syncer_cv_.notify_one();
    return Status::Ok();
  }

  void WhenDurable(uint64_t op_id, DoneFn done) override {
    Status now;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (op_id > durable_op_ && broken_.ok() && !stop_) {
        waiters_.emplace(op_id, std::move(done));
        syncer_cv_.notify_one();
        return;
      }
      now = op_id <= durable_op_ ? Status::Ok() : (broken_.ok() ? Closed(op_id) : broken_);
    }
    done(now);
  }

  Status SyncNow() override {
    std::promise<Status> promise;
    std::future<Status> result = promise.get_future();
    WhenDurable(LastOpId(), [&promise](Status st) { promise.set_value(std::move(st)); });
    return result.get();
  }

  Status TruncateUpTo(uint64_t op_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!broken_.ok()) return broken_;
    if (current_has_records_) QUIVER_RETURN_IF_ERROR(RollLocked(last_op_ + 1));
    // closed_ holds every file before the current one, oldest first.
    size_t removable = 0;
    while (removable < closed_.size()) {
      uint64_t next_first =
          removable + 1 < closed_.size() ? closed_[removable + 1].first_op : current_first_op_;
      if (next_first != 0 && next_first - 1 > op_id) break;
      ++removable;
    }
    if (removable == 0) return Status::Ok();
    Status st;
    size_t removed = 0;
    for (; removed < removable; ++removed) {
      st = fs_->Remove(closed_[removed].path);
      if (!st.ok()) break;
    }
    closed_.erase(closed_.begin(), closed_.begin() + static_cast<ptrdiff_t>(removed));
    if (!st.ok()) return st;
    return fs_->SyncDir(dir_);
  }

  uint64_t LastOpId() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return last_op_;
  }

  uint64_t SizeBytes() const override {
    std::lock_guard<std::mutex> lock(mu_);
    uint64_t total = current_ ? current_->Size() : 0;
    for (const LiveFile& f : closed_) total += f.size;
    return total;
  }

 private:
  static Status Closed(uint64_t op_id) {
    return Status::Internal("wal closed before op " + std::to_string(op_id) + " was appended");
  }

  std::string PathOf(uint64_t first_op) const { return dir_ + "/" + FileName(first_op); }

  // A failed fsync or a failed undo of a short write leaves the file in an unknown state: the log
  // refuses all further work (retrying fsync can report success for lost pages).
  void Break(const Status& st) {
    if (broken_.ok()) {
      spdlog::error("wal {}: {}; refusing further writes", dir_, st.message());
      broken_ = st;
    }
    syncer_cv_.notify_one();
  }

  // Syncs the current file (so that every record before the new file is durable), then starts a
  // new file named `first_op`. On failure the current file stays current.
  Status RollLocked(uint64_t first_op) {
    if (current_) {
      Status st = TimedSync(*current_);
      if (!st.ok()) {
        Break(st);
        return st;
      }
      durable_op_ = last_op_;
      syncer_cv_.notify_one();
    }
    std::string path = PathOf(first_op);
    auto opened = fs_->OpenAppend(path);
    if (!opened.ok()) return opened.status();
    std::shared_ptr<base::AppendFile> file = std::move(opened).value();
    Status st = file->Size() == 0 ? Status::Ok() : file->Truncate(0);
    if (st.ok()) st = file->Append(FileHeader(first_op));
    if (st.ok()) st = fs_->SyncDir(dir_);
    if (!st.ok()) {
      file.reset();
      Status rm = fs_->Remove(path);
      if (!rm.ok()) Break(rm);
      return st;
    }
    if (current_)
      closed_.push_back({current_first_op_, PathOf(current_first_op_), current_->Size()});
    current_ = std::move(file);
    current_first_op_ = first_op;
    current_has_records_ = false;
    return Status::Ok();
  }

  void SyncerLoop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      syncer_cv_.wait(lock, [this] {
        bool ready = !waiters_.empty() && (waiters_.begin()->first <= durable_op_ || !broken_.ok());
        return stop_ || ready || (broken_.ok() && last_op_ > durable_op_);
      });
      if (broken_.ok() && last_op_ > durable_op_) {
        uint64_t target = last_op_;
        std::shared_ptr<base::AppendFile> file = current_;
        lock.unlock();
        Status st = TimedSync(*file);
        lock.lock();
        if (st.ok()) {
          durable_op_ = std::max(durable_op_, target);
        } else {
          Break(st);
        }
      }
      std::vector<std::pair<DoneFn, Status>> ready;
      while (!waiters_.empty()) {
        auto it = waiters_.begin();
        if (it->first <= durable_op_) {
          ready.emplace_back(std::move(it->second), Status::Ok());
        } else if (!broken_.ok()) {
          ready.emplace_back(std::move(it->second), broken_);
        } else if (stop_ && last_op_ <= durable_op_) {
          ready.emplace_back(std::move(it->second), Closed(it->first));
        } else {
          break;
        }
        waiters_.erase(it);
      }
      lock.unlock();
      for (auto& [fn, st] : ready) fn(std::move(st));
      lock.lock();
      if (stop_ && waiters_.empty() && (!broken_.ok() || last_op_ <= durable_op_)) return;
    }
  }

  base::FileSystem* const fs_;
  const std::string dir_;
  const WalOptions options_;

  mutable std::mutex mu_;
  std::condition_variable syncer_cv_;
  std::shared_ptr<base::AppendFile> current_;
  uint64_t current_first_op_ = 0;
  bool current_has_records_ = false;
  std::vector<LiveFile> closed_;
  uint64_t last_op_ = 0;
  uint64_t durable_op_ = 0;
  std::multimap<uint64_t, DoneFn> waiters_;
  Status broken_;
  bool stop_ = false;
  std::thread syncer_;
};

Status WalImpl::Replay(uint64_t after_op, const ReplayFn& replay) {
  QUIVER_RETURN_IF_ERROR(fs_->CreateDirs(dir_));
  auto names = fs_->ListDir(dir_);
  if (!names.ok()) return names.status();
  std::vector<std::pair<uint64_t, std::string>> files;
  for (const std::string& name : names.value()) {
    uint64_t first_op = 0;
    if (ParseFileName(name, &first_op)) files.emplace_back(first_op, PathOf(first_op));
  }
  // Zero-padded names sort by number; ListDir sorts by name.
  for (size_t i = 0; i < files.size(); ++i) {
    const auto& [first_op, path] = files[i];
    const bool last = i + 1 == files.size();
    auto read = fs_->ReadFile(path);
    if (!read.ok()) return read.status();
    const std::string& data = read.value();

    if (first_op <= last_op_) {
      return Status::Corruption("wal file " + path + ": first op id " + std::to_string(first_op) +
                                " does not follow op " + std::to_string(last_op_) +
                                " at offset 16");
    }
    std::string header = FileHeader(first_op);
    if (data.size() < kFileHeaderSize || data.compare(0, kFileHeaderSize, header) != 0) {
      // A crash while creating the last file can leave it empty, cut short or zero-filled.
      bool torn = data.size() <= kFileHeaderSize
                      ? (AllZero(data) || header.compare(0, data.size(), data) == 0)
                      : AllZero(data);
      if (!last || !torn) {
        return Status::Corruption("wal file " + path + ": bad file header at offset 0");
      }
      spdlog::warn("wal file {}: incomplete file header ({} bytes), rewriting it", path,
                   data.size());
      auto file = fs_->OpenAppend(path);
      if (!file.ok()) return file.status();
      QUIVER_RETURN_IF_ERROR(file.value()->Truncate(0));
      QUIVER_RETURN_IF_ERROR(file.value()->Append(header));
      QUIVER_RETURN_IF_ERROR(file.value()->Sync());
      current_ = std::move(file).value();
      current_first_op_ = first_op;
      break;
    }
    size_t pos = kFileHeaderSize;
    bool has_records = false;
    while (pos < data.size()) {
      Record rec;
      RecordCheck check = DecodeRecord(data, pos, &rec);
      if (check != RecordCheck::kGood) {
        bool torn =
            last && (check == RecordCheck::kTorn ? !GoodRecordAfter(data, pos, last_op_)
                                                 : AllZero(std::string_view(data).substr(rec.end)));
        if (!torn) {
          return Status::Corruption("wal file " + path + ": bad record at offset " +
                                    std::to_string(pos));
        }
        spdlog::warn("wal file {}: torn record at offset {}, truncating {} bytes", path, pos,
                     data.size() - pos);
        break;
      }
      if (rec.op_id < first_op || rec.op_id <= last_op_) {
        return Status::Corruption("wal file " + path + ": op id " + std::to_string(rec.op_id) +
                                  " out of order at offset " + std::to_string(pos));
      }
      if (rec.op_id > after_op) QUIVER_RETURN_IF_ERROR(replay(rec.op_id, rec.payload));
      last_op_ = rec.op_id;
      has_records = true;
      pos = rec.end;
    }

    if (!last) {
      closed_.push_back({first_op, path, data.size()});
      continue;
    }
    auto file = fs_->OpenAppend(path);
    if (!file.ok()) return file.status();
    if (pos < data.size()) {
      QUIVER_RETURN_IF_ERROR(file.value()->Truncate(pos));
      QUIVER_RETURN_IF_ERROR(file.value()->Sync());
    }
    current_ = std::move(file).value();
    current_first_op_ = first_op;
    current_has_records_ = has_records;
  }
  if (!current_) QUIVER_RETURN_IF_ERROR(RollLocked(last_op_ + 1));
  // Records replayed from the page cache may not have reached the disk before a crash.
  return current_->Sync();
}

}  // namespace

base::Result<std::unique_ptr<Wal>> Wal::Open(base::FileSystem* fs, const std::string& dir,
                                             uint64_t after_op, const ReplayFn& replay,
                                             WalOptions options) {
  auto wal = std::make_unique<WalImpl>(fs, dir, options);
  QUIVER_RETURN_IF_ERROR(wal->Replay(after_op, replay));
  wal->StartSyncer();
  return std::unique_ptr<Wal>(std::move(wal));
}

}  // namespace quiver::engine
