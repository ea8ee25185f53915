// Client-side encryption of backup objects (AES-256-GCM, OpenSSL EVP) and streaming sha256.
// Encrypted object layout (docs/formats/backup.md):
//   "QVBKENC1" (8 bytes) | nonce (12 random bytes) | ciphertext (plaintext length) | GCM tag (16)
// The additional authenticated data is the 20 header bytes followed by the object's key, so an
// object cannot be swapped for another one of the same backup without the tag failing.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "base/status.h"

namespace quiver::ops::backup {

using EncryptionKey = std::array<unsigned char, 32>;

// Key from `key_file` (32 raw bytes, or 64 hex digits with optional surrounding whitespace), else
// from the environment variable `env_var` (64 hex digits). nullopt when neither is configured.
// A configured key that cannot be used (missing file, wrong length, not hex) is an error: the
// caller must stop rather than fall back to plaintext.
base::Result<std::optional<EncryptionKey>> LoadEncryptionKey(const std::string& key_file,
                                                             const std::string& env_var);

// Parses 32 raw bytes or 64 hex digits (whitespace trimmed).
base::Result<EncryptionKey> ParseEncryptionKey(const std::string& text);

// A public identifier of the key (16 hex digits of sha256("quiver-backup-key-id:" + key)), stored
// in the manifest so that a wrong key is reported as such before any decryption.
std::string KeyId(const EncryptionKey& key);

// Encrypts `in` into `out` (created/truncated). Returns the sha256 hex of the output file.
base::Result<std::string> EncryptFile(const std::filesystem::path& in,
                                      const std::filesystem::path& out, const EncryptionKey& key,
                                      const std::string& object_key);
// Decrypts `in` into `out`; Corruption when the tag does not verify (wrong key, damaged or swapped
// object), in which case `out` is removed.
base::Status DecryptFile(const std::filesystem::path& in, const std::filesystem::path& out,
                         const EncryptionKey& key, const std::string& object_key);

// Incremental sha256.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(const void* data, size_t n);
  std::string HexDigest();  // once

 private:
  void* ctx_;
};

base::Result<std::string> Sha256OfFile(const std::filesystem::path& file);
std::string Sha256Hex(std::string_view data);
bool IsSha256Hex(const std::string& s);

}  // namespace quiver::ops::backup
