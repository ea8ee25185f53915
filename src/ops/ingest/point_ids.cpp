#include "ops/ingest/point_ids.h"

#include <openssl/evp.h>

#include <charconv>

#include "engine/types/point_id.h"

namespace quiver::ops::ingest {

base::Result<IdSpec> IdSpec::Parse(std::string_view text) {
  IdSpec spec;
  if (text == "auto") return spec;
  if (text == "line") {
    spec.kind = Kind::kLine;
    return spec;
  }
  auto colon = text.find(':');
  if (colon != std::string_view::npos && colon + 1 < text.size()) {
    std::string_view kind = text.substr(0, colon);
    spec.field = std::string(text.substr(colon + 1));
    if (kind == "field") {
      spec.kind = Kind::kField;
      return spec;
    }
    if (kind == "uuid5") {
      spec.kind = Kind::kUuid5;
      return spec;
    }
  }
  return base::Status::Validation("--id must be auto, line, field:NAME or uuid5:NAME, not `" +
                                  std::string(text) + "`");
}

std::string IdSpec::ToString() const {
  switch (kind) {
    case Kind::kAuto:
      return "auto";
    case Kind::kLine:
      return "line";
    case Kind::kField:
      return "field:" + field;
    case Kind::kUuid5:
      return "uuid5:" + field;
  }
  return "auto";
}

UuidBytes DefaultIdNamespace() {
  return {0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
          0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
}

base::Result<UuidBytes> ParseUuidBytes(std::string_view text) {
  auto id = engine::PointId::ParseUuid(text);
  if (!id) return base::Status::Validation("`" + std::string(text) + "` is not a UUID");
  UuidBytes out;
  for (int i = 0; i < 8; ++i) {
    out[i] = static_cast<uint8_t>(id->hi >> (56 - 8 * i));
    out[8 + i] = static_cast<uint8_t>(id->lo >> (56 - 8 * i));
  }
  return out;
}

std::string FormatUuid(const UuidBytes& uuid) {
  engine::PointId id{true, 0, 0};
  for (int i = 0; i < 8; ++i) {
    id.hi = (id.hi << 8) | uuid[i];
    id.lo = (id.lo << 8) | uuid[8 + i];
  }
  return id.ToString();
}

std::string Uuid5(const UuidBytes& name_space, std::string_view name) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr);
  EVP_DigestUpdate(ctx, name_space.data(), name_space.size());
  EVP_DigestUpdate(ctx, name.data(), name.size());
  EVP_DigestFinal_ex(ctx, digest, &digest_size);
  EVP_MD_CTX_free(ctx);
  UuidBytes out;
  for (int i = 0; i < 16; ++i) out[i] = digest[i];
  out[6] = static_cast<uint8_t>((out[6] & 0x0F) | 0x50);  // version 5
  out[8] = static_cast<uint8_t>((out[8] & 0x3F) | 0x80);  // RFC 4122 variant
  return FormatUuid(out);
}

base::Result<std::string> PointIdJsonFromText(std::string_view text) {
  if (!text.empty() && text.size() <= 20 &&
      text.find_first_not_of("0123456789") == std::string_view::npos) {
    if (text.size() > 1 && text[0] == '0') {
      return base::Status::Format("bad id `" + std::string(text) + "`: leading zeros");
    }
    uint64_t v = 0;
    auto r = std::from_chars(text.data(), text.data() + text.size(), v);
    if (r.ec == std::errc() && r.ptr == text.data() + text.size()) return std::to_string(v);
  }
  return PointIdJsonFromUuidString(text);
}

base::Result<std::string> PointIdJsonFromUuidString(std::string_view text) {
  auto id = engine::PointId::ParseUuid(text);
  if (!id) {
    std::string shown(text.substr(0, 64));
    return base::Status::Format("bad id `" + shown + "`: point ids are unsigned integers or UUIDs");
  }
  return "\"" + id->ToString() + "\"";
}

}  // namespace quiver::ops::ingest
