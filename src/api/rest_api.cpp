#include "api/rest_api.h"

namespace quiver::api {

RestApi::RestApi(engine::Catalog* catalog, ApiOptions options) {
  ctx_.catalog = catalog;
  ctx_.options = std::move(options);
  ctx_.metrics = &metrics_;
  RegisterServiceRoutes(router_, ctx_);
  RegisterCollectionRoutes(router_, ctx_);
  RegisterPointRoutes(router_, ctx_);
  RegisterQueryRoutes(router_, ctx_);
  RegisterSnapshotRoutes(router_, ctx_);
}

RestApi::~RestApi() { WaitForSnapshotWork(); }

std::shared_ptr<engine::Collection> CollectionOrFail(ApiContext& ctx, Call& call) {
  const std::string& name = call.Param("collection_name");
  if (name.empty() || name.size() > 255) {  // Qdrant validates the path parameter's length: 422
    call.Fail(base::Status::Validation(
        "path parameters: collection_name: length must be between 1 and 255"));
    return nullptr;
  }
  auto c = ctx.catalog->Get(name);
  if (!c.ok()) {
    call.Fail(c.status());
    return nullptr;
  }
  return c.value();
}

namespace {

// Time depends only on the length of the presented key, never on where it differs.
bool ConstantTimeEquals(std::string_view presented, std::string_view secret) {
  if (secret.empty()) return false;
  unsigned char diff = presented.size() != secret.size();
  for (size_t i = 0; i < presented.size(); ++i) {
    diff |= static_cast<unsigned char>(presented[i] ^ secret[i % secret.size()]);
  }
  return diff == 0;
}

// POST endpoints that only read.
bool IsReadOnlyPost(const std::string& endpoint) {
  static const char* kSuffixes[] = {
      "/points/scroll", "/points/count",        "/points/query",     "/points/query/batch",
      "/points/search", "/points/search/batch", "/points/recommend", "/points/recommend/batch"};
  if (endpoint == "/collections/{collection_name}/points") return true;  // retrieve
  for (const char* s : kSuffixes) {
    std::string_view e(endpoint), suffix(s);
    if (e.size() >= suffix.size() && e.substr(e.size() - suffix.size()) == suffix) return true;
  }
  return false;
}

}  // namespace

std::optional<net::HttpResponse> RestApi::CheckAccess(const net::HttpRequest& request,
                                                      const std::string& endpoint) const {
  const auto& opt = ctx_.options;
  if (opt.api_key.empty() && opt.read_only_api_key.empty()) return std::nullopt;
  const std::string& path = request.path;
  if (path == "/" || path == "/healthz" || path.rfind("/livez", 0) == 0 ||
      path.rfind("/readyz", 0) == 0) {
    return std::nullopt;
  }
  std::string_view key = request.Header("api-key");
  std::string_view auth = request.Header("authorization");
  if (key.empty() && auth.size() > 7 &&
      (auth.substr(0, 7) == "Bearer " || auth.substr(0, 7) == "bearer ")) {
    key = auth.substr(7);
  }
  if (key.empty()) {
    return TextResponse(401, "Must provide an API key or an Authorization bearer token");
  }
  if (!opt.api_key.empty() && ConstantTimeEquals(key, opt.api_key)) return std::nullopt;
  if (!opt.read_only_api_key.empty() && ConstantTimeEquals(key, opt.read_only_api_key)) {
    bool read = request.method == "GET" || request.method == "HEAD" ||
                (request.method == "POST" && IsReadOnlyPost(endpoint));
    if (read) return std::nullopt;
    return RawErrorResponse(403, "Forbidden: Write access is required for this operation");
  }
  return TextResponse(401, "Invalid API key or JWT");
}

void RestApi::Handle(net::HttpRequest&& request, net::Responder respond) {
  const bool cors = ctx_.options.enable_cors;
  std::string origin(request.Header("origin"));
  // CORS preflight, answered permissively as Qdrant does with enable_cors.
  if (cors && request.method == "OPTIONS") {
    net::HttpResponse r;
    r.content_type.clear();
    r.headers.emplace_back("access-control-allow-origin", origin.empty() ? "*" : origin);
    r.headers.emplace_back("access-control-allow-methods",
                           std::string(request.Header("access-control-request-method")).empty()
                               ? "GET, POST, PUT, PATCH, DELETE, OPTIONS"
                               : std::string(request.Header("access-control-request-method")));
    std::string hdrs(request.Header("access-control-request-headers"));
    r.headers.emplace_back("access-control-allow-headers", hdrs.empty() ? "*" : hdrs);
    r.headers.emplace_back("access-control-max-age", "3600");
    r.headers.emplace_back("vary", "Origin");
    respond(std::move(r));
    return;
  }
  std::map<std::string, std::string> params;
  auto match = router_.Find(request.method, request.path, params);
  std::string method = request.method;
  std::string endpoint = match.path_template;
  auto named = params.find("collection_name");
  std::string collection = named == params.end() ? std::string() : named->second;
  auto* metrics = &metrics_;
  auto start = Clock::now();
  net::Responder wrapped = [respond = std::move(respond), cors, origin, method, endpoint,
                            collection, metrics, start](net::HttpResponse r) {
    if (cors && !origin.empty()) {
      r.headers.emplace_back("access-control-allow-origin", origin);
      r.headers.emplace_back("vary", "Origin");
    }
    if (!endpoint.empty()) {
      double secs = std::chrono::duration<double>(Clock::now() - start).count();
      metrics->Observe(method, endpoint, r.status, secs, collection);
    }
    respond(std::move(r));
  };
  if (auto denied = CheckAccess(request, endpoint)) {
    wrapped(std::move(*denied));
    return;
  }
  if (!match.handler) {
    wrapped(
        RawErrorResponse(404, "Not found: no route for " + request.method + " " + request.path));
    return;
  }
  auto call = std::make_shared<Call>(std::move(request), std::move(wrapped));
  call->params() = std::move(params);
  // Qdrant validates `timeout` (seconds, >= 1) on every endpoint that takes it.
  if (auto timeout = call->Query("timeout"); timeout && *timeout == "0") {
    return call->Fail(base::Status::Validation(
        "query parameters: timeout: value 0 invalid, must be 1 or larger"));
  }
  (*match.handler)(call);
}

}  // namespace quiver::api
