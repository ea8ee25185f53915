// Status and Result: the one error type of Quiver. Domain codes only; api/ maps them to HTTP.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace quiver::base {

enum class StatusCode {
  kOk,
  kBadInput,    // the request is well-formed but wrong for the data ("Wrong input: ")
  kBadRequest,  // the request is not acceptable ("Bad request: ")
  kFormat,      // the body could not be parsed or has wrong types ("Format error in JSON body: ")
  kValidation,  // a value is out of its allowed range ("Validation error in JSON body: ")
  kNotFound,    // "Not found: "
  kAlreadyExists,        // "Wrong input: " with 409
  kForbidden,            // "Forbidden: "
  kPayloadTooLarge,      // body over the request-size limit
  kTimeout,              // "Timeout: "
  kInsufficientStorage,  // disk full ("Insufficient storage: ")
  kCorruption,           // stored data failed a check; never served
  kInternal,             // "Service internal error: "
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status BadInput(std::string m) { return {StatusCode::kBadInput, std::move(m)}; }
  static Status BadRequest(std::string m) { return {StatusCode::kBadRequest, std::move(m)}; }
  static Status Format(std::string m) { return {StatusCode::kFormat, std::move(m)}; }
  static Status Validation(std::string m) { return {StatusCode::kValidation, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status Forbidden(std::string m) { return {StatusCode::kForbidden, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
  static Status InsufficientStorage(std::string m) {
    return {StatusCode::kInsufficientStorage, std::move(m)};
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Result<T>: a value or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : data_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(data_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(data_);
  }
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace quiver::base

// Propagates a non-ok Status from an expression returning Status.
#define QUIVER_RETURN_IF_ERROR(expr)     \
  do {                                   \
    ::quiver::base::Status _st = (expr); \
    if (!_st.ok()) return _st;           \
  } while (0)
