#include "ops/ingest/line_buffer.h"

#include <cstring>

namespace quiver::ops::ingest {
namespace {
constexpr size_t kChunk = 4 << 20;
constexpr size_t kMaxLine = size_t{1} << 30;
}  // namespace

base::Result<bool> LineBuffer::Fill() {
  if (eof_) return false;
  if (begin_ > 0 && (begin_ == end_ || begin_ >= buf_.size() / 2)) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (buf_.size() - end_ < kChunk / 2) {
    if (end_ - begin_ > kMaxLine) return base::Status::Format("a line is longer than 1 GiB");
    buf_.resize(std::max(buf_.size() * 2, end_ + kChunk));
  }
  auto r = source_->Read(buf_.data() + end_, buf_.size() - end_);
  if (!r.ok()) return r.status();
  if (r.value() == 0) {
    eof_ = true;
    return false;
  }
  end_ += r.value();
  return true;
}

base::Result<bool> LineBuffer::Next(std::string_view* line, uint64_t* lines) {
  while (true) {
    const char* base = buf_.data() + begin_;
    size_t avail = end_ - begin_;
    size_t newline = std::string_view::npos;
    if (!csv_quotes_) {
      const void* p = scan_ < avail ? std::memchr(base + scan_, '\n', avail - scan_) : nullptr;
      if (p) newline = static_cast<size_t>(static_cast<const char*>(p) - base);
      scan_ = avail;
    } else {
      for (; scan_ < avail; ++scan_) {
        char c = base[scan_];
        if (c == '"') {
          in_quotes_ = !in_quotes_;
        } else if (c == '\n') {
          if (!in_quotes_) {
            newline = scan_;
            break;
          }
          ++scan_lines_;
        }
      }
    }
    if (newline != std::string_view::npos || (eof_ && avail > 0)) {
      if (newline == std::string_view::npos) {
        if (csv_quotes_ && in_quotes_) {
          return base::Status::Format("the input ends inside a quoted CSV field");
        }
        newline = avail;  // last line without a terminator
      }
      size_t len = newline;
      if (len > 0 && base[len - 1] == '\r') --len;
      *line = std::string_view(base, len);
      *lines = 1 + scan_lines_;
      begin_ += std::min(newline + 1, avail);
      scan_ = 0;
      scan_lines_ = 0;
      in_quotes_ = false;
      return true;
    }
    if (eof_) return false;
    auto more = Fill();
    if (!more.ok()) return more.status();
  }
}

base::Status LineBuffer::SkipTo(uint64_t target) {
  uint64_t here = offset();
  if (target < here) return base::Status::Internal("cannot skip backwards in the input");
  uint64_t n = target - here;
  size_t buffered = end_ - begin_;
  if (n <= buffered) {
    begin_ += n;
  } else {
    begin_ = end_ = 0;
    QUIVER_RETURN_IF_ERROR(source_->Skip(n - buffered));
  }
  scan_ = 0;
  scan_lines_ = 0;
  in_quotes_ = false;
  return base::Status::Ok();
}

}  // namespace quiver::ops::ingest
