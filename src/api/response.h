// Qdrant response envelopes and the one map from Status codes to HTTP codes.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "base/status.h"
#include "net/http_types.h"

namespace quiver::api {

using Clock = std::chrono::steady_clock;

// {"result":<result_json>,"status":"ok","time":<seconds since start>}
net::HttpResponse OkResponse(std::string_view result_json, Clock::time_point start);
// {"status":"accepted","time":...} with HTTP 202.
net::HttpResponse AcceptedResponse(Clock::time_point start);
// The HTTP status of a non-ok Status, and its message with Qdrant's prefix.
int HttpCodeOf(base::StatusCode code);
std::string ErrorMessageOf(const base::Status& status);
// {"status":{"error":"<prefix><message>"},"time":...} with the mapped HTTP code.
net::HttpResponse ErrorResponse(const base::Status& status, Clock::time_point start);
// The same envelope for an explicit code and full message (server-level errors).
net::HttpResponse RawErrorResponse(int http_status, std::string_view message, double time = 0);
net::HttpResponse TextResponse(int http_status, std::string body);
// A request refused by authentication, as Qdrant's auth middleware answers it: plain text, 401
// when the credential is missing or unknown, 403 when it is a JWT with a bad signature or expired.
net::HttpResponse AuthFailureResponse(bool unauthenticated, std::string message);

}  // namespace quiver::api
