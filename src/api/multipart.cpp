#include "api/multipart.h"

#include <algorithm>
#include <cctype>

namespace quiver::api {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The value of parameter `key` (`key=value` or `key="value"`) in a header value, or "".
std::string HeaderParam(std::string_view header, std::string_view key) {
  std::string lower = Lower(header);
  size_t pos = 0;
  while ((pos = lower.find(std::string(key) + "=", pos)) != std::string::npos) {
    // Must start a parameter (so that `filename=` does not match `name=`).
    if (pos > 0 && lower[pos - 1] != ';' && lower[pos - 1] != ' ' && lower[pos - 1] != '\t') {
      pos += key.size();
      continue;
    }
    size_t v = pos + key.size() + 1;
    if (v < header.size() && header[v] == '"') {
      size_t end = header.find('"', v + 1);
      if (end == std::string_view::npos) return {};
      return std::string(header.substr(v + 1, end - v - 1));
    }
    size_t end = header.find_first_of("; \t", v);
    return std::string(header.substr(v, end == std::string_view::npos ? end : end - v));
  }
  return {};
}

base::Status Bad(const std::string& m) { return base::Status::BadRequest(m); }

}  // namespace

base::Result<MultipartPart> FindMultipartPart(std::string_view content_type, std::string_view body,
                                              std::string_view field) {
  if (Lower(content_type).rfind("multipart/form-data", 0) != 0) {
    return Bad("expected a multipart/form-data body with the field `" + std::string(field) + "`");
  }
  std::string boundary = HeaderParam(content_type, "boundary");
  if (boundary.empty()) return Bad("multipart/form-data without a boundary");
  const std::string delim = "--" + boundary;
  size_t pos = body.find(delim);
  if (pos == std::string_view::npos) return Bad("malformed multipart body");
  for (;;) {
    pos += delim.size();
    if (body.substr(pos, 2) == "--") break;  // the closing delimiter
    if (body.substr(pos, 2) != "\r\n") return Bad("malformed multipart body");
    pos += 2;
    size_t headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == std::string_view::npos) return Bad("malformed multipart body");
    std::string_view headers = body.substr(pos, headers_end - pos);
    size_t data_start = headers_end + 4;
    size_t next = body.find("\r\n" + delim, data_start);
    if (next == std::string_view::npos)
      return Bad("malformed multipart body (no closing boundary)");
    std::string name, filename;
    size_t line_start = 0;
    while (line_start <= headers.size()) {
      size_t eol = headers.find("\r\n", line_start);
      std::string_view line =
          headers.substr(line_start, eol == std::string_view::npos ? eol : eol - line_start);
      if (Lower(line).rfind("content-disposition:", 0) == 0) {
        name = HeaderParam(line, "name");
        filename = HeaderParam(line, "filename");
      }
      if (eol == std::string_view::npos) break;
      line_start = eol + 2;
    }
    if (name == field) return MultipartPart{body.substr(data_start, next - data_start), filename};
    pos = next + 2;
  }
  return Bad("multipart body has no field `" + std::string(field) + "`");
}

}  // namespace quiver::api
