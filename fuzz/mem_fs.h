// A small in-memory FileSystem for the fuzz targets (no disk I/O per input).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/file_system.h"

namespace quiver::fuzz {

class MemFs : public base::FileSystem {
 public:
  std::map<std::string, std::string> files;

  base::Result<std::unique_ptr<base::AppendFile>> OpenAppend(const std::string& path) override {
    files.try_emplace(path);
    return std::unique_ptr<base::AppendFile>(new File(this, path));
  }
  base::Result<std::string> ReadFile(const std::string& path) override {
    auto it = files.find(path);
    if (it == files.end()) return base::Status::NotFound(path);
    return it->second;
  }
  base::Status WriteFileAtomic(const std::string& path, std::string_view data) override {
    files[path] = std::string(data);
    return base::Status::Ok();
  }
  base::Status CreateDirs(const std::string&) override { return base::Status::Ok(); }
  base::Status SyncDir(const std::string&) override { return base::Status::Ok(); }
  base::Status Rename(const std::string& from, const std::string& to) override {
    auto it = files.find(from);
    if (it == files.end()) return base::Status::NotFound(from);
    files[to] = std::move(it->second);
    files.erase(from);
    return base::Status::Ok();
  }
  base::Status Remove(const std::string& path) override {
    files.erase(path);
    return base::Status::Ok();
  }
  base::Status RemoveAll(const std::string& dir) override {
    for (auto it = files.begin(); it != files.end();) {
      it = it->first.rfind(dir + "/", 0) == 0 ? files.erase(it) : std::next(it);
    }
    return base::Status::Ok();
  }
  bool Exists(const std::string& path) override { return files.count(path) > 0; }
  base::Result<std::vector<std::string>> ListDir(const std::string& dir) override {
    std::vector<std::string> names;
    std::string prefix = dir + "/";
    for (const auto& [path, data] : files) {
      if (path.rfind(prefix, 0) == 0 && path.find('/', prefix.size()) == std::string::npos) {
        names.push_back(path.substr(prefix.size()));
      }
    }
    return names;
  }
  base::Result<uint64_t> FreeBytes(const std::string&) override { return uint64_t{1} << 40; }

 private:
  class File : public base::AppendFile {
   public:
    File(MemFs* fs, std::string path) : fs_(fs), path_(std::move(path)) {}
    base::Status Append(std::string_view d) override {
      fs_->files[path_].append(d);
      return base::Status::Ok();
    }
    base::Status Sync() override { return base::Status::Ok(); }
    base::Status Truncate(uint64_t s) override {
      fs_->files[path_].resize(s);
      return base::Status::Ok();
    }
    base::Status WriteAt(uint64_t offset, std::string_view d) override {
      std::string& f = fs_->files[path_];
      if (offset + d.size() > f.size()) return base::Status::Internal("write past the end");
      f.replace(offset, d.size(), d);
      return base::Status::Ok();
    }
    uint64_t Size() const override { return fs_->files[path_].size(); }

   private:
    MemFs* fs_;
    std::string path_;
  };
};

}  // namespace quiver::fuzz
