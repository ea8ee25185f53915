// SHA-256 (OpenSSL EVP) of bytes and files, as lowercase hex.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace quiver::ops {

// Incremental hashing: Update any number of times, then Hex once.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view data);
  // The 64 lowercase hex digits of the digest of everything passed to Update.
  std::string Hex();

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

std::string Sha256Hex(std::string_view data);
// The sha256 of a file's contents; NotFound when it is missing.
base::Result<std::string> Sha256OfFile(const std::string& path);

}  // namespace quiver::ops
