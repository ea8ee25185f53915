#include "api/multipart.h"

#include <algorithm>
#include <cctype>
#include <fstream>

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
        break;  // the first one counts, as in ExtractMultipartPartToFile (PartName)
      }
      if (eol == std::string_view::npos) break;
      line_start = eol + 2;
    }
    if (name == field) return MultipartPart{body.substr(data_start, next - data_start), filename};
    pos = next + 2;
  }
  return Bad("multipart body has no field `" + std::string(field) + "`");
}

namespace {

// Content-Disposition `name` from the header lines of a part.
std::string PartName(std::string_view headers) {
  size_t line_start = 0;
  while (line_start <= headers.size()) {
    size_t eol = headers.find("\r\n", line_start);
    std::string_view line =
        headers.substr(line_start, eol == std::string_view::npos ? eol : eol - line_start);
    if (Lower(line).rfind("content-disposition:", 0) == 0) return HeaderParam(line, "name");
    if (eol == std::string_view::npos) break;
    line_start = eol + 2;
  }
  return {};
}

}  // namespace

base::Status ExtractMultipartPartToFile(std::string_view content_type, const std::string& body_path,
                                        std::string_view field, const std::string& out_path) {
  if (Lower(content_type).rfind("multipart/form-data", 0) != 0) {
    return Bad("expected a multipart/form-data body with the field `" + std::string(field) + "`");
  }
  std::string boundary = HeaderParam(content_type, "boundary");
  if (boundary.empty()) return Bad("multipart/form-data without a boundary");
  std::ifstream in(body_path, std::ios::binary);
  if (!in) return base::Status::Internal("cannot read the spooled request body");
  constexpr size_t kChunk = 1 << 20;
  constexpr size_t kMaxHeaders = 64 << 10;
  std::string buf;  // unread bytes of the body
  size_t pos = 0;   // parse position in buf
  bool eof = false;
  auto fill = [&]() {  // appends one chunk, dropping what was consumed; false at end of file
    if (eof) return false;
    buf.erase(0, pos);
    pos = 0;
    size_t old = buf.size();
    buf.resize(old + kChunk);
    in.read(buf.data() + old, static_cast<std::streamsize>(kChunk));
    buf.resize(old + static_cast<size_t>(in.gcount()));
    if (in.gcount() == 0) eof = true;
    return !eof;
  };
  const std::string delim = "--" + boundary;
  const std::string next_delim = "\r\n" + delim;
  // The first delimiter (a preamble before it is allowed).
  size_t found;
  while ((found = buf.find(delim, pos)) == std::string::npos) {
    if (buf.size() > delim.size()) pos = buf.size() - delim.size();
    if (!fill()) return Bad("malformed multipart body");
  }
  pos = found;
  for (;;) {
    while (buf.size() - pos < delim.size() + 2 && fill()) {
    }
    if (buf.size() - pos < delim.size() + 2) return Bad("malformed multipart body");
    pos += delim.size();
    if (buf.compare(pos, 2, "--") == 0) break;  // the closing delimiter
    if (buf.compare(pos, 2, "\r\n") != 0) return Bad("malformed multipart body");
    pos += 2;
    size_t headers_end;
    while ((headers_end = buf.find("\r\n\r\n", pos)) == std::string::npos) {
      if (buf.size() - pos > kMaxHeaders || !fill()) return Bad("malformed multipart body");
    }
    const std::string name = PartName(std::string_view(buf).substr(pos, headers_end - pos));
    pos = headers_end + 4;
    const bool wanted = name == field;
    std::ofstream out;
    if (wanted) {
      out.open(out_path, std::ios::binary | std::ios::trunc);
      if (!out) return base::Status::Internal("cannot create " + out_path);
    }
    // The part's data runs to the next "\r\n--boundary"; all but a possible partial match at
    // the end of the buffer can be written (or skipped) before reading more.
    for (;;) {
      size_t end = buf.find(next_delim, pos);
      size_t safe = end != std::string::npos         ? end
                    : buf.size() > next_delim.size() ? buf.size() - next_delim.size()
                                                     : pos;
      if (safe > pos) {
        if (wanted) out.write(buf.data() + pos, static_cast<std::streamsize>(safe - pos));
        pos = safe;
      }
      if (end != std::string::npos) break;
      if (!fill()) return Bad("malformed multipart body (no closing boundary)");
    }
    if (wanted) {
      out.close();
      if (!out) return base::Status::Internal("cannot write " + out_path);
      return base::Status::Ok();
    }
    pos += 2;  // at the delimiter
  }
  return Bad("multipart body has no field `" + std::string(field) + "`");
}

}  // namespace quiver::api
