#include "ops/backup_tool/crypto.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <vector>

namespace quiver::ops::backup {
namespace {

constexpr char kMagic[8] = {'Q', 'V', 'B', 'K', 'E', 'N', 'C', '1'};
constexpr size_t kNonce = 12, kTag = 16, kHeader = sizeof(kMagic) + kNonce;
constexpr size_t kChunk = 1 << 20;

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

std::string Hex(const unsigned char* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    s[2 * i] = d[p[i] >> 4];
    s[2 * i + 1] = d[p[i] & 15];
  }
  return s;
}

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

}  // namespace

base::Result<EncryptionKey> ParseEncryptionKey(const std::string& text) {
  EncryptionKey key{};
  if (text.size() == key.size()) {
    std::memcpy(key.data(), text.data(), key.size());
    return key;
  }
  std::string t = Trim(text);
  if (t.size() != 64) {
    return base::Status::BadInput("encryption key must be 32 raw bytes or 64 hex digits (got " +
                                  std::to_string(t.size()) + " characters)");
  }
  for (size_t i = 0; i < 32; ++i) {
    int hi = HexVal(t[2 * i]), lo = HexVal(t[2 * i + 1]);
    if (hi < 0 || lo < 0) return base::Status::BadInput("encryption key is not hex");
    key[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return key;
}

base::Result<std::optional<EncryptionKey>> LoadEncryptionKey(const std::string& key_file,
                                                             const std::string& env_var) {
  if (!key_file.empty()) {
    std::ifstream in(key_file, std::ios::binary);
    if (!in) return base::Status::BadInput("cannot read encryption key file " + key_file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.size() > 4096) return base::Status::BadInput("encryption key file is too large");
    auto key = ParseEncryptionKey(text);
    if (!key.ok()) {
      return base::Status::BadInput("encryption key file " + key_file + ": " +
                                    key.status().message());
    }
    return std::optional<EncryptionKey>(*key);
  }
  if (!env_var.empty()) {
    const char* v = std::getenv(env_var.c_str());
    if (v != nullptr) {
      auto key = ParseEncryptionKey(Trim(v));
      if (!key.ok()) return base::Status::BadInput("$" + env_var + ": " + key.status().message());
      return std::optional<EncryptionKey>(*key);
    }
  }
  return std::optional<EncryptionKey>();
}

std::string KeyId(const EncryptionKey& key) {
  std::string data = "quiver-backup-key-id:";
  data.append(reinterpret_cast<const char*>(key.data()), key.size());
  return Sha256Hex(data).substr(0, 16);
}

base::Result<std::string> EncryptFile(const std::filesystem::path& in,
                                      const std::filesystem::path& out, const EncryptionKey& key,
                                      const std::string& object_key) {
  std::ifstream src(in, std::ios::binary);
  if (!src) return base::Status::Internal("cannot read " + in.string());
  std::ofstream dst(out, std::ios::binary | std::ios::trunc);
  if (!dst) return base::Status::Internal("cannot write " + out.string());
  unsigned char header[kHeader];
  std::memcpy(header, kMagic, sizeof(kMagic));
  if (RAND_bytes(header + sizeof(kMagic), kNonce) != 1) {
    return base::Status::Internal("no random bytes for the nonce");
  }
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonce, nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), header + sizeof(kMagic)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, header, kHeader) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const unsigned char*>(object_key.data()),
                        static_cast<int>(object_key.size())) != 1) {
    return base::Status::Internal("AES-256-GCM initialisation failed");
  }
  Sha256 sum;
  dst.write(reinterpret_cast<const char*>(header), kHeader);
  sum.Update(header, kHeader);
  std::vector<unsigned char> buf(kChunk), enc(kChunk + 32);
  while (src) {
    src.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(buf.size()));
    std::streamsize n = src.gcount();
    if (n <= 0) break;
    if (EVP_EncryptUpdate(ctx.get(), enc.data(), &len, buf.data(), static_cast<int>(n)) != 1) {
      return base::Status::Internal("AES-256-GCM encryption failed");
    }
    dst.write(reinterpret_cast<const char*>(enc.data()), len);
    sum.Update(enc.data(), static_cast<size_t>(len));
  }
  if (src.bad()) return base::Status::Internal("read error on " + in.string());
  unsigned char tag[kTag];
  if (EVP_EncryptFinal_ex(ctx.get(), enc.data(), &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag, tag) != 1) {
    return base::Status::Internal("AES-256-GCM finalisation failed");
  }
  dst.write(reinterpret_cast<const char*>(tag), kTag);
  sum.Update(tag, kTag);
  dst.flush();
  if (!dst) return base::Status::Internal("write error on " + out.string());
  return sum.HexDigest();
}

base::Status DecryptFile(const std::filesystem::path& in, const std::filesystem::path& out,
                         const EncryptionKey& key, const std::string& object_key) {
  std::error_code ec;
  uint64_t total = std::filesystem::file_size(in, ec);
  if (ec) return base::Status::Internal("cannot stat " + in.string());
  if (total < kHeader + kTag) return base::Status::Corruption("encrypted object is truncated");
  std::ifstream src(in, std::ios::binary);
  unsigned char header[kHeader];
  src.read(reinterpret_cast<char*>(header), kHeader);
  if (!src || std::memcmp(header, kMagic, sizeof(kMagic)) != 0) {
    return base::Status::Corruption("not an encrypted backup object (bad magic)");
  }
  std::ofstream dst(out, std::ios::binary | std::ios::trunc);
  if (!dst) return base::Status::Internal("cannot write " + out.string());
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonce, nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), header + sizeof(kMagic)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, header, kHeader) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const unsigned char*>(object_key.data()),
                        static_cast<int>(object_key.size())) != 1) {
    return base::Status::Internal("AES-256-GCM initialisation failed");
  }
  uint64_t remaining = total - kHeader - kTag;
  std::vector<unsigned char> buf(kChunk), dec(kChunk + 32);
  while (remaining > 0) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(remaining, buf.size()));
    src.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(want));
    if (static_cast<size_t>(src.gcount()) != want) {
      return base::Status::Internal("read error on " + in.string());
    }
    if (EVP_DecryptUpdate(ctx.get(), dec.data(), &len, buf.data(), static_cast<int>(want)) != 1) {
      return base::Status::Internal("AES-256-GCM decryption failed");
    }
    dst.write(reinterpret_cast<const char*>(dec.data()), len);
    remaining -= want;
  }
  unsigned char tag[kTag];
  src.read(reinterpret_cast<char*>(tag), kTag);
  bool ok = static_cast<size_t>(src.gcount()) == kTag &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag, tag) == 1 &&
            EVP_DecryptFinal_ex(ctx.get(), dec.data(), &len) == 1;
  dst.close();
  if (!ok) {
    std::filesystem::remove(out, ec);
    return base::Status::Corruption(
        "encrypted object failed authentication (wrong key, or the object is damaged)");
  }
  if (!dst) return base::Status::Internal("write error on " + out.string());
  return base::Status::Ok();
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr);
}
Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }
void Sha256::Update(const void* data, size_t n) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data, n);
}
std::string Sha256::HexDigest() {
  unsigned char md[32];
  unsigned int n = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), md, &n);
  return Hex(md, n);
}

base::Result<std::string> Sha256OfFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return base::Status::Internal("cannot read " + file.string());
  Sha256 sum;
  std::vector<char> buf(kChunk);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (in.gcount() > 0) sum.Update(buf.data(), static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) return base::Status::Internal("read error on " + file.string());
  return sum.HexDigest();
}

std::string Sha256Hex(std::string_view data) {
  Sha256 sum;
  sum.Update(data.data(), data.size());
  return sum.HexDigest();
}

bool IsSha256Hex(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace quiver::ops::backup
