// S3 / STS XML responses (src/ops/s3/s3_xml.cpp): the first byte picks the parser, the rest is the
// response body of a hostile or broken endpoint. Invariants: no crash or sanitizer report; the
// error path always yields a non-ok Status; an accepted CompleteMultipartUpload body we build
// ourselves stays well-formed for any ETag text.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ops/s3/s3_xml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  namespace x = quiver::ops::s3xml;
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 7) {
    case 0:
      (void)x::ParseError(body);
      break;
    case 1:
      if (x::ErrorStatus("GET s3://b/k", 400 + data[0] % 200, body).ok()) std::abort();
      break;
    case 2:
      (void)x::ParseListObjectsV2(body);
      break;
    case 3:
      (void)x::ParseInitiateMultipartUpload(body);
      break;
    case 4:
      (void)x::ParseCompleteMultipartUpload(body);
      break;
    case 5:
      (void)x::ParseAssumeRoleWithWebIdentity(body);
      break;
    case 6: {
      (void)x::ParseIso8601Utc(body);
      std::string built = x::BuildCompleteMultipartUpload({std::string(body), "\"etag\""});
      (void)x::ParseCompleteMultipartUpload(built);
      break;
    }
  }
  return 0;
}
