#include "api/rest_api.h"

#include "wire/jwt_claims.h"

namespace quiver::api {

RestApi::RestApi(engine::Catalog* catalog, ApiOptions options)
    : auth_(AuthConfig{options.api_key, options.alt_api_key, options.read_only_api_key,
                       options.jwt_rbac}) {
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

std::optional<net::HttpResponse> RestApi::Admit(const net::HttpRequest& request,
                                                const std::string& endpoint,
                                                const std::map<std::string, std::string>& params,
                                                Access* access) const {
  if (!auth_.enabled()) return std::nullopt;
  AccessRule rule = RuleFor(request.method, request.path, endpoint);
  if (rule.scope == AccessRule::Scope::kOpen) return std::nullopt;
  AuthFailure failure;
  auto now = std::chrono::system_clock::now().time_since_epoch();
  auto granted = auth_.Authenticate(
      request, std::chrono::duration_cast<std::chrono::seconds>(now).count(), &failure);
  if (!granted) return AuthFailureResponse(failure.unauthenticated, failure.message);
  std::string collection, resolved;
  if (rule.scope == AccessRule::Scope::kCollection) {
    auto named = params.find("collection_name");
    if (named != params.end()) collection = named->second;
    // An alias is allowed when the collection it points to is granted.
    if (!granted->global() && !collection.empty() && !granted->Find(collection)) {
      if (auto c = ctx_.catalog->Get(collection); c.ok()) resolved = c.value()->name();
    }
  }
  base::Status st = CheckAccess(*granted, rule, collection, resolved);
  // Lookups (`lookup_from`, `with_lookup`) read other collections: those need read access too.
  if (st.ok() && !granted->global() && rule.scope == AccessRule::Scope::kCollection) {
    const AccessRule read{AccessRule::Scope::kCollection, AccessRule::Need::kRead};
    for (const std::string& other : wire::CollectionsReferenced(request.body)) {
      std::string other_resolved;
      if (auto c = ctx_.catalog->Get(other); c.ok()) other_resolved = c.value()->name();
      st = CheckAccess(*granted, read, other, other_resolved);
      if (!st.ok()) break;
    }
  }
  if (!st.ok()) return ErrorResponse(st, Clock::now());
  *access = std::move(*granted);
  return std::nullopt;
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
  Access access = Access::Manage();
  if (auto denied = Admit(request, endpoint, params, &access)) {
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
  call->set_access(std::move(access));
  // Qdrant validates `timeout` (seconds, >= 1) on every endpoint that takes it.
  if (auto timeout = call->Query("timeout"); timeout && *timeout == "0") {
    return call->Fail(base::Status::Validation(
        "query parameters: timeout: value 0 invalid, must be 1 or larger"));
  }
  (*match.handler)(call);
}

}  // namespace quiver::api
