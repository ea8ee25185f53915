#include "api/response.h"

#include "wire/json_out.h"

namespace quiver::api {
namespace {

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

net::HttpResponse OkResponse(std::string_view result_json, Clock::time_point start) {
  net::HttpResponse r;
  r.body.reserve(result_json.size() + 48);
  r.body += "{\"result\":";
  r.body += result_json;
  r.body += ",\"status\":\"ok\",\"time\":";
  wire::JsonOut t;
  t.Double(Seconds(start));
  r.body += t.str();
  r.body += "}";
  return r;
}

net::HttpResponse AcceptedResponse(Clock::time_point start) {
  net::HttpResponse r;
  r.status = 202;
  wire::JsonOut o;
  o.BeginObject().Key("status").String("accepted").Key("time").Double(Seconds(start)).EndObject();
  r.body = o.Take();
  return r;
}

int HttpCodeOf(base::StatusCode code) {
  using C = base::StatusCode;
  switch (code) {
    case C::kOk:
      return 200;
    case C::kBadInput:
    case C::kBadRequest:
    case C::kFormat:
      return 400;
    case C::kValidation:
      return 422;
    case C::kNotFound:
      return 404;
    case C::kAlreadyExists:
      return 409;
    case C::kForbidden:
      return 403;
    case C::kPayloadTooLarge:
      return 413;
    case C::kTimeout:
      return 408;
    case C::kInsufficientStorage:
      return 507;
    case C::kCorruption:
    case C::kInternal:
      return 500;
  }
  return 500;
}

std::string ErrorMessageOf(const base::Status& status) {
  using C = base::StatusCode;
  const std::string& m = status.message();
  auto prefixed = [&](const char* prefix) {
    // Messages that already carry the prefix (e.g. built by a lower layer) keep it once.
    if (m.rfind(prefix, 0) == 0) return m;
    return std::string(prefix) + m;
  };
  switch (status.code()) {
    case C::kBadInput:
    case C::kAlreadyExists:
      return prefixed("Wrong input: ");
    case C::kBadRequest:
      return prefixed("Bad request: ");
    case C::kFormat:
      return prefixed("Format error in JSON body: ");
    case C::kValidation:
      // Path and query parameter errors say so, as actix-web-validator does in Qdrant.
      for (const char* source : {"path parameters: ", "query parameters: "}) {
        if (m.rfind(source, 0) == 0) {
          std::string_view src(source);
          return "Validation error in " + std::string(src.substr(0, src.size() - 2)) + ": [" +
                 m.substr(src.size()) + "]";
        }
      }
      return "Validation error in JSON body: [" + m + "]";
    case C::kNotFound:
      return prefixed("Not found: ");
    case C::kForbidden:
      return prefixed("Forbidden: ");
    case C::kTimeout:
      return prefixed("Timeout: ");
    case C::kInsufficientStorage:
      return prefixed("Insufficient storage: ");
    case C::kCorruption:
    case C::kInternal:
      return prefixed("Service internal error: ");
    default:
      return m;
  }
}

net::HttpResponse RawErrorResponse(int http_status, std::string_view message, double time) {
  net::HttpResponse r;
  r.status = http_status;
  wire::JsonOut o;
  o.BeginObject().Key("status").BeginObject().Key("error").String(message).EndObject();
  o.Key("time").Double(time).EndObject();
  r.body = o.Take();
  return r;
}

net::HttpResponse ErrorResponse(const base::Status& status, Clock::time_point start) {
  return RawErrorResponse(HttpCodeOf(status.code()), ErrorMessageOf(status), Seconds(start));
}

net::HttpResponse TextResponse(int http_status, std::string body) {
  net::HttpResponse r;
  r.status = http_status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return r;
}

net::HttpResponse AuthFailureResponse(bool unauthenticated, std::string message) {
  return TextResponse(unauthenticated ? 401 : 403, std::move(message));
}

}  // namespace quiver::api
