// Snapshot uploads (src/api/multipart.cpp): multipart/form-data bodies from untrusted clients. The
// input is "<content type>\n<body>". Invariants: no crash; a found part is a view inside the body;
// the streaming extractor (which reads the body from a file in small pieces) agrees with the
// in-memory parser: same success, same bytes.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "api/multipart.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string dir = [] {
    const char* tmp = std::getenv("TMPDIR");  // the smoke run points it at its own work dir
    std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/quiver-fuzz-multipart-XXXXXX";
    return std::string(mkdtemp(tmpl.data()));
  }();
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nl = in.find('\n');
  if (nl == std::string_view::npos) return 0;
  std::string_view content_type = in.substr(0, nl);
  std::string_view body = in.substr(nl + 1);

  auto part = quiver::api::FindMultipartPart(content_type, body, "snapshot");
  if (part.ok()) {
    const char* b = body.data();
    const char* p = part.value().data.data();
    if (!part.value().data.empty() && (p < b || p + part.value().data.size() > b + body.size())) {
      std::abort();
    }
  }

  const std::string body_path = dir + "/body";
  const std::string out_path = dir + "/out";
  {
    std::ofstream f(body_path, std::ios::binary | std::ios::trunc);
    f.write(body.data(), static_cast<std::streamsize>(body.size()));
  }
  std::remove(out_path.c_str());
  auto st = quiver::api::ExtractMultipartPartToFile(content_type, body_path, "snapshot", out_path);
  if (st.ok() != part.ok()) std::abort();  // the two parsers must agree
  if (st.ok()) {
    std::ifstream f(out_path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    if (ss.str() != part.value().data) std::abort();
  }
  return 0;
}
