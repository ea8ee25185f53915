// Route table: method + path template ("/collections/{collection_name}") → handler.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/auth.h"
#include "api/response.h"
#include "base/status.h"
#include "net/http_types.h"

namespace quiver::api {

// One request in flight: what a handler reads and how it answers (exactly once).
class Call {
 public:
  Call(net::HttpRequest req, net::Responder respond)
      : req_(std::move(req)), respond_(std::move(respond)), start_(Clock::now()) {}

  const net::HttpRequest& req() const { return req_; }
  const std::string& body() const { return req_.body; }
  Clock::time_point start() const { return start_; }
  // A path parameter of the matched template.
  const std::string& Param(const std::string& name) const { return params_.at(name); }
  // A query-string parameter (percent-decoded), if present.
  std::optional<std::string> Query(std::string_view name) const;
  // Query parameter `wait` (and similar booleans); Format error on a non-boolean value.
  base::Result<bool> QueryBool(std::string_view name, bool default_value) const;

  void Ok(std::string_view result_json) { Respond(OkResponse(result_json, start_)); }
  void Fail(const base::Status& status) { Respond(ErrorResponse(status, start_)); }
  void Respond(net::HttpResponse r) { respond_(std::move(r)); }

  std::map<std::string, std::string>& params() { return params_; }
  // What the caller's credential allows (manage access when authentication is off); handlers use
  // it to filter listings, the router has already checked the route itself.
  const Access& access() const { return access_; }
  void set_access(Access access) { access_ = std::move(access); }

 private:
  net::HttpRequest req_;
  net::Responder respond_;
  Clock::time_point start_;
  std::map<std::string, std::string> params_;
  Access access_ = Access::Manage();
};

using RouteHandler = std::function<void(std::shared_ptr<Call>)>;

class Router {
 public:
  void Add(std::string method, std::string path_template, RouteHandler handler);
  struct Match {
    const RouteHandler* handler = nullptr;
    std::string path_template;
    bool path_matched = false;  // some route has this path but another method
  };
  // Fills `params` for the first route whose method and path match.
  Match Find(std::string_view method, std::string_view path,
             std::map<std::string, std::string>& params) const;

 private:
  struct Route {
    std::string method;
    std::string path_template;
    std::vector<std::string> segments;
    RouteHandler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace quiver::api
