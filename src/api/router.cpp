#include "api/router.h"

namespace quiver::api {
namespace {

// Leading and trailing slashes are dropped; an empty segment inside the path
// (`/collections//exists`) is kept, so that it reaches the handler as an empty parameter and is
// refused there with 422, as Qdrant does.
std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.empty()) return out;
  size_t i = 0;
  while (true) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) {
      out.push_back(path.substr(i));
      return out;
    }
    out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
}

std::string Decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> Call::Query(std::string_view name) const {
  std::string_view q = req_.query;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    size_t eq = pair.find('=');
    std::string key = Decode(pair.substr(0, eq));
    if (key == name) {
      return eq == std::string_view::npos ? std::string() : Decode(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

base::Result<bool> Call::QueryBool(std::string_view name, bool default_value) const {
  auto v = Query(name);
  if (!v) return default_value;
  if (*v == "true" || v->empty()) return true;
  if (*v == "false") return false;
  return base::Status(base::StatusCode::kFormat, "Deserialize error in query parameters: `" +
                                                     std::string(name) +
                                                     "` must be true or false, got `" + *v + "`");
}

void Router::Add(std::string method, std::string path_template, RouteHandler handler) {
  Route r;
  r.method = std::move(method);
  for (auto s : Split(path_template)) r.segments.emplace_back(s);
  r.path_template = std::move(path_template);
  r.handler = std::move(handler);
  routes_.push_back(std::move(r));
}

Router::Match Router::Find(std::string_view method, std::string_view path,
                           std::map<std::string, std::string>& params) const {
  auto parts = Split(path);
  Match m;
  // Routes are tried in registration order: literal routes are registered before templated
  // ones that could capture the same path (e.g. /collections/aliases).
  for (const auto& r : routes_) {
    if (r.segments.size() != parts.size()) continue;
    std::map<std::string, std::string> captured;
    bool ok = true;
    for (size_t i = 0; i < parts.size() && ok; ++i) {
      const std::string& seg = r.segments[i];
      if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
        captured[seg.substr(1, seg.size() - 2)] = std::string(parts[i]);
      } else {
        ok = seg == parts[i];
      }
    }
    if (!ok) continue;
    if (r.method != method) {
      m.path_matched = true;
      continue;
    }
    params = std::move(captured);
    m.handler = &r.handler;
    m.path_template = r.path_template;
    return m;
  }
  return m;
}

}  // namespace quiver::api
