#include "ops/s3/s3_sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <ctime>

namespace quiver::ops::s3 {
namespace {

std::string Hex(const unsigned char* data, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 15];
  }
  return out;
}

std::string Hmac(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string Sha256(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return Hex(digest, sizeof(digest));
}

// Trims and collapses runs of spaces, as SigV4 requires.
std::string CanonicalValue(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string SignedHeaders(const SigningRequest& r) {
  std::string out;
  for (const auto& [name, value] : r.headers) {  // std::map: sorted by name
    if (!out.empty()) out += ';';
    out += name;
  }
  return out;
}

std::string HeaderOr(const SigningRequest& r, const std::string& name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? std::string() : it->second;
}

}  // namespace

std::string CanonicalRequest(const SigningRequest& r) {
  std::string out = r.method + "\n" + r.canonical_uri + "\n" + r.canonical_query + "\n";
  for (const auto& [name, value] : r.headers) out += name + ":" + CanonicalValue(value) + "\n";
  out += "\n" + SignedHeaders(r) + "\n" + HeaderOr(r, "x-amz-content-sha256");
  return out;
}

std::string AuthorizationHeader(const SigningRequest& r) {
  const std::string amz_date = HeaderOr(r, "x-amz-date");
  const std::string date = amz_date.substr(0, 8);
  const std::string scope = date + "/" + r.region + "/" + r.service + "/aws4_request";
  const std::string to_sign =
      "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + Sha256(CanonicalRequest(r));
  std::string key = Hmac("AWS4" + r.secret_access_key, date);
  key = Hmac(key, r.region);
  key = Hmac(key, r.service);
  key = Hmac(key, "aws4_request");
  const std::string sig = Hmac(key, to_sign);
  return "AWS4-HMAC-SHA256 Credential=" + r.access_key_id + "/" + scope +
         ", SignedHeaders=" + SignedHeaders(r) +
         ", Signature=" + Hex(reinterpret_cast<const unsigned char*>(sig.data()), sig.size());
}

std::string AmzDate(int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

}  // namespace quiver::ops::s3
