// A FileSystem for fault tests: delegates to the POSIX file system and injects faults on demand:
// failed fsync (of append files, atomic writes and directories), a disk that fills up after a byte
// budget (short write, then ENOSPC), and damage applied to what ReadFile returns (bit flips,
// truncation) for chosen paths.
#pragma once

#include <atomic>
#include <cerrno>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/file_system.h"

namespace quiver::faults {

class FaultFileSystem : public base::FileSystem {
 public:
  using Damage = std::function<void(const std::string& path, std::string& data)>;

  std::atomic<bool> fail_sync{false};
  std::atomic<int> syncs_failed{0};
  // Bytes that may still be written; negative = unlimited.
  std::atomic<int64_t> space_left{-1};

  void SetDamage(Damage d) {
    std::lock_guard<std::mutex> lock(mu_);
    damage_ = std::move(d);
  }

  base::Result<std::unique_ptr<base::AppendFile>> OpenAppend(const std::string& path) override {
    auto f = real_->OpenAppend(path);
    if (!f.ok()) return f.status();
    return std::unique_ptr<base::AppendFile>(new File(this, path, std::move(f).value()));
  }
  base::Result<std::string> ReadFile(const std::string& path) override {
    auto r = real_->ReadFile(path);
    if (!r.ok()) return r;
    std::string data = std::move(r).value();
    std::lock_guard<std::mutex> lock(mu_);
    if (damage_) damage_(path, data);
    return data;
  }
  base::Status WriteFileAtomic(const std::string& path, std::string_view data) override {
    if (!Take(data.size())) return base::ErrnoStatus("write " + path + ".tmp", ENOSPC);
    if (fail_sync) return SyncFailure(path + ".tmp");
    return real_->WriteFileAtomic(path, data);
  }
  base::Status WriteFileAtomicParts(const std::string& path,
                                    const std::vector<std::string_view>& parts) override {
    size_t total = 0;
    for (std::string_view p : parts) total += p.size();
    if (!Take(total)) return base::ErrnoStatus("write " + path + ".tmp", ENOSPC);
    if (fail_sync) return SyncFailure(path + ".tmp");
    return real_->WriteFileAtomicParts(path, parts);
  }
  base::Status CreateDirs(const std::string& p) override { return real_->CreateDirs(p); }
  base::Status SyncDir(const std::string& p) override {
    if (fail_sync) return SyncFailure(p);
    return real_->SyncDir(p);
  }
  base::Status Rename(const std::string& a, const std::string& b) override {
    return real_->Rename(a, b);
  }
  base::Status Remove(const std::string& p) override { return real_->Remove(p); }
  base::Status RemoveAll(const std::string& p) override { return real_->RemoveAll(p); }
  bool Exists(const std::string& p) override { return real_->Exists(p); }
  base::Result<std::vector<std::string>> ListDir(const std::string& p) override {
    return real_->ListDir(p);
  }
  base::Result<uint64_t> FreeBytes(const std::string& p) override {
    int64_t left = space_left;
    if (left >= 0) return static_cast<uint64_t>(left);
    return real_->FreeBytes(p);
  }

 private:
  // Reserves n bytes of the budget; false (and nothing reserved) when they do not fit.
  bool Take(size_t n) {
    int64_t left = space_left.load();
    while (left >= 0) {
      if (static_cast<int64_t>(n) > left) return false;
      if (space_left.compare_exchange_weak(left, left - static_cast<int64_t>(n))) return true;
    }
    return true;
  }
  base::Status SyncFailure(const std::string& path) {
    ++syncs_failed;
    return base::ErrnoStatus("fdatasync " + path, EIO);
  }

  class File : public base::AppendFile {
   public:
    File(FaultFileSystem* fs, std::string path, std::unique_ptr<base::AppendFile> f)
        : fs_(fs), path_(std::move(path)), f_(std::move(f)) {}
    base::Status Append(std::string_view d) override {
      if (!fs_->Take(d.size())) {
        // A full disk: what fits is written (a short write), then ENOSPC.
        int64_t left = fs_->space_left.exchange(0);
        if (left > 0) (void)f_->Append(d.substr(0, static_cast<size_t>(left)));
        return base::ErrnoStatus("write " + path_, ENOSPC);
      }
      return f_->Append(d);
    }
    base::Status Sync() override {
      if (fs_->fail_sync) return fs_->SyncFailure(path_);
      return f_->Sync();
    }
    base::Status Truncate(uint64_t s) override { return f_->Truncate(s); }
    base::Status WriteAt(uint64_t offset, std::string_view d) override {
      return f_->WriteAt(offset, d);  // overwrites: takes no new space
    }
    uint64_t Size() const override { return f_->Size(); }

   private:
    FaultFileSystem* fs_;
    std::string path_;
    std::unique_ptr<base::AppendFile> f_;
  };

  base::FileSystem* real_ = base::FileSystem::Default();
  std::mutex mu_;
  Damage damage_;
};

}  // namespace quiver::faults
