#include "ops/ingest/reject_log.h"

#include <errno.h>
#include <fcntl.h>
#include <simdjson.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "ops/ingest/json_text.h"

namespace quiver::ops::ingest {

base::Result<std::unique_ptr<RejectLog>> RejectLog::Open(const std::string& path,
                                                         uint64_t keep_before) {
  std::string kept;
  if (!path.empty() && keep_before > 0) {
    std::ifstream in(path, std::ios::binary);
    std::string line;
    simdjson::dom::parser parser;
    while (in && std::getline(in, line)) {
      simdjson::dom::element e;
      uint64_t n = 0;
      if (parser.parse(line).get(e) || e["line"].get(n)) continue;  // a torn last line
      if (n < keep_before) kept += line + "\n";
    }
  }
  if (!path.empty() && ::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return base::Status::Internal("cannot replace reject file " + path + ": " + strerror(errno));
  }
  auto log = std::unique_ptr<RejectLog>(new RejectLog(path, std::move(kept)));
  if (!log->kept_.empty()) QUIVER_RETURN_IF_ERROR(log->EnsureOpen());
  return log;
}

RejectLog::~RejectLog() {
  if (fd_ >= 0) ::close(fd_);
}

base::Status RejectLog::EnsureOpen() {
  if (fd_ >= 0) return base::Status::Ok();
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0)
    return base::Status::Internal("cannot open reject file " + path_ + ": " + strerror(errno));
  if (!kept_.empty() &&
      ::write(fd_, kept_.data(), kept_.size()) != static_cast<ssize_t>(kept_.size())) {
    return base::Status::Internal("cannot write reject file " + path_ + ": " + strerror(errno));
  }
  kept_.clear();
  return base::Status::Ok();
}

std::string RejectLog::Format(uint64_t line, std::string_view reason, std::string_view record) {
  std::string entry = "{\"line\":" + std::to_string(line) + ",\"reason\":";
  AppendJsonString(entry, reason);
  if (!record.empty()) {
    entry += ",\"record\":";
    size_t cut = std::min<size_t>(record.size(), 64 << 10);
    while (cut < record.size() && cut > 0 && (static_cast<uint8_t>(record[cut]) & 0xC0) == 0x80) {
      --cut;  // do not split a UTF-8 sequence
    }
    std::string text(record.substr(0, cut));
    if (!simdjson::validate_utf8(text.data(), text.size())) {
      for (char& c : text) {
        if (static_cast<uint8_t>(c) >= 0x80) c = '?';  // keep the reject file valid JSON
      }
    }
    AppendJsonString(entry, text);
  }
  entry += "}\n";
  return entry;
}

base::Status RejectLog::Add(uint64_t line, std::string_view reason, std::string_view record) {
  return Append(Format(line, reason, record), 1);
}

base::Status RejectLog::Append(std::string_view entries, uint64_t count) {
  std::lock_guard<std::mutex> lock(mu_);
  count_ += count;
  if (path_.empty() || entries.empty()) return base::Status::Ok();
  QUIVER_RETURN_IF_ERROR(EnsureOpen());
  if (::write(fd_, entries.data(), entries.size()) != static_cast<ssize_t>(entries.size())) {
    return base::Status::Internal("cannot write reject file " + path_ + ": " + strerror(errno));
  }
  return base::Status::Ok();
}

base::Status RejectLog::Sync() {
  std::lock_guard<std::mutex> lock(mu_);
  if (fd_ >= 0 && ::fdatasync(fd_) != 0) {
    return base::Status::Internal("cannot sync reject file " + path_ + ": " + strerror(errno));
  }
  return base::Status::Ok();
}

uint64_t RejectLog::count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return count_;
}

}  // namespace quiver::ops::ingest
