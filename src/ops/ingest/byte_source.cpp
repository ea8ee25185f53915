#include "ops/ingest/byte_source.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <vector>

namespace quiver::ops::ingest {
namespace {

constexpr size_t kInputBuffer = 1 << 20;

// Owns a file descriptor and reads raw bytes, with a small look-ahead used for magic detection.
class RawFile {
 public:
  RawFile(int fd, bool owned) : fd_(fd), owned_(owned) {}
  ~RawFile() {
    if (owned_) close(fd_);
  }
  base::Result<size_t> Read(char* buf, size_t n) {
    size_t done = 0;
    if (pos_ < peek_.size()) {
      done = std::min(n, peek_.size() - pos_);
      std::memcpy(buf, peek_.data() + pos_, done);
      pos_ += done;
      offset_ += done;
      if (done == n) return done;
    }
    while (true) {
      ssize_t r = ::read(fd_, buf + done, n - done);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return base::Status::Internal(std::string("read failed: ") + strerror(errno));
      offset_ += static_cast<size_t>(r);
      return done + static_cast<size_t>(r);
    }
  }
  // Reads up to 4 bytes ahead without consuming them.
  base::Result<std::string> Peek() {
    char buf[4];
    size_t got = 0;
    while (got < sizeof(buf)) {
      ssize_t r = ::read(fd_, buf + got, sizeof(buf) - got);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return base::Status::Internal(std::string("read failed: ") + strerror(errno));
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    peek_.assign(buf, got);
    pos_ = 0;
    return peek_;
  }
  // Moves `n` bytes forward with lseek; false (nothing consumed) when the file is not seekable.
  bool Seek(uint64_t n) {
    uint64_t buffered = peek_.size() - pos_;
    if (n > buffered && lseek(fd_, static_cast<off_t>(n - buffered), SEEK_CUR) < 0) return false;
    pos_ += static_cast<size_t>(std::min(n, buffered));
    offset_ += n;
    return true;
  }
  uint64_t offset() const { return offset_; }

 private:
  int fd_;
  bool owned_;
  std::string peek_;
  size_t pos_ = 0;
  uint64_t offset_ = 0;
};

class PlainSource : public ByteSource {
 public:
  PlainSource(std::unique_ptr<RawFile> file, bool seekable)
      : file_(std::move(file)), seekable_(seekable) {}
  base::Result<size_t> Read(char* buf, size_t n) override {
    auto r = file_->Read(buf, n);
    if (r.ok()) offset_ += r.value();
    return r;
  }
  uint64_t raw_offset() const override { return file_->offset(); }

 protected:
  base::Status SkipFast(uint64_t n, bool* done) override {
    *done = seekable_ && file_->Seek(n);
    if (*done) offset_ += n;
    return base::Status::Ok();
  }

 private:
  std::unique_ptr<RawFile> file_;
  bool seekable_;
};

class GzipSource : public ByteSource {
 public:
  explicit GzipSource(std::unique_ptr<RawFile> file) : file_(std::move(file)), in_(kInputBuffer) {
    std::memset(&z_, 0, sizeof(z_));
    inflateInit2(&z_, 15 + 32);  // 32: accept the gzip header
  }
  ~GzipSource() override { inflateEnd(&z_); }
  base::Result<size_t> Read(char* buf, size_t n) override {
    z_.next_out = reinterpret_cast<Bytef*>(buf);
    z_.avail_out = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
    while (z_.avail_out > 0) {
      if (z_.avail_in == 0 && !eof_) {
        auto r = file_->Read(in_.data(), in_.size());
        if (!r.ok()) return r.status();
        if (r.value() == 0) eof_ = true;
        z_.next_in = reinterpret_cast<Bytef*>(in_.data());
        z_.avail_in = static_cast<uInt>(r.value());
      }
      if (z_.avail_in == 0 && eof_) {
        if (in_member_) return base::Status::Corruption("gzip input is truncated");
        break;
      }
      in_member_ = true;
      int rc = inflate(&z_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        in_member_ = false;
        inflateReset(&z_);  // concatenated gzip members continue the stream
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return base::Status::Corruption(std::string("gzip input is damaged: ") +
                                        (z_.msg ? z_.msg : "inflate error"));
      }
    }
    size_t produced = static_cast<size_t>(reinterpret_cast<char*>(z_.next_out) - buf);
    offset_ += produced;
    return produced;
  }
  uint64_t raw_offset() const override { return file_->offset() - z_.avail_in; }

 private:
  std::unique_ptr<RawFile> file_;
  std::vector<char> in_;
  z_stream z_;
  bool eof_ = false;
  bool in_member_ = false;
};

class ZstdSource : public ByteSource {
 public:
  explicit ZstdSource(std::unique_ptr<RawFile> file)
      : file_(std::move(file)), in_(kInputBuffer), ctx_(ZSTD_createDCtx()) {}
  ~ZstdSource() override { ZSTD_freeDCtx(ctx_); }
  base::Result<size_t> Read(char* buf, size_t n) override {
    ZSTD_outBuffer out{buf, n, 0};
    while (out.pos < out.size) {
      if (input_.pos == input_.size && !eof_) {
        auto r = file_->Read(in_.data(), in_.size());
        if (!r.ok()) return r.status();
        if (r.value() == 0) eof_ = true;
        input_ = ZSTD_inBuffer{in_.data(), r.value(), 0};
      }
      if (input_.pos == input_.size && eof_) {
        if (pending_) return base::Status::Corruption("zstd input is truncated");
        break;
      }
      size_t rc = ZSTD_decompressStream(ctx_, &out, &input_);
      if (ZSTD_isError(rc)) {
        return base::Status::Corruption(std::string("zstd input is damaged: ") +
                                        ZSTD_getErrorName(rc));
      }
      pending_ = rc != 0;
    }
    offset_ += out.pos;
    return out.pos;
  }
  uint64_t raw_offset() const override { return file_->offset() - (input_.size - input_.pos); }

 private:
  std::unique_ptr<RawFile> file_;
  std::vector<char> in_;
  ZSTD_DCtx* ctx_;
  ZSTD_inBuffer input_{nullptr, 0, 0};
  bool eof_ = false;
  bool pending_ = false;
};

}  // namespace

base::Status ByteSource::SkipFast(uint64_t, bool* done) {
  *done = false;
  return base::Status::Ok();
}

base::Status ByteSource::Skip(uint64_t n) {
  if (n == 0) return base::Status::Ok();
  bool done = false;
  QUIVER_RETURN_IF_ERROR(SkipFast(n, &done));
  if (done) return base::Status::Ok();
  std::vector<char> buf(std::min<uint64_t>(n, kInputBuffer));
  while (n > 0) {
    auto r = Read(buf.data(), std::min<uint64_t>(n, buf.size()));
    if (!r.ok()) return r.status();
    if (r.value() == 0) return base::Status::Corruption("input ended while skipping to a position");
    n -= r.value();
  }
  return base::Status::Ok();
}

base::Result<std::unique_ptr<ByteSource>> ByteSource::Open(const std::string& path) {
  int fd = 0;
  bool owned = false;
  if (path != "-") {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return base::Status::NotFound("cannot open " + path + ": " + strerror(errno));
    owned = true;
  }
  struct stat st;
  bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  auto file = std::make_unique<RawFile>(fd, owned);
  auto magic = file->Peek();
  if (!magic.ok()) return magic.status();
  const std::string& m = magic.value();
  std::unique_ptr<ByteSource> source;
  if (m.size() >= 2 && static_cast<uint8_t>(m[0]) == 0x1f && static_cast<uint8_t>(m[1]) == 0x8b) {
    source = std::make_unique<GzipSource>(std::move(file));
    source->compression_ = Compression::kGzip;
  } else if (m.size() >= 4 && static_cast<uint8_t>(m[0]) == 0x28 &&
             static_cast<uint8_t>(m[1]) == 0xb5 && static_cast<uint8_t>(m[2]) == 0x2f &&
             static_cast<uint8_t>(m[3]) == 0xfd) {
    source = std::make_unique<ZstdSource>(std::move(file));
    source->compression_ = Compression::kZstd;
  } else {
    source = std::make_unique<PlainSource>(std::move(file), regular);
  }
  if (regular) source->raw_size_ = static_cast<uint64_t>(st.st_size);
  return source;
}

}  // namespace quiver::ops::ingest
