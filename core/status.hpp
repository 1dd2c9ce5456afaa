#pragma once

// Status and result<T>: how every fallible boundary in hookshot reports failure.
//
// A status is either ok or carries a code and a human-readable message that names what went
// wrong (a config key, an NDJSON line, an LMDB call). Errors are values: nothing in hookshot
// throws across a component boundary or a message handler.
//
// Thread safety: distinct objects are safe; a shared object is safe for const use only.

#include <optional>
#include <string>
#include <utility>

namespace hookshot {

class status {
 public:
  enum class code { ok, invalid_argument, not_found, io_error, corruption, map_full, unavailable };

  status() = default;  // ok

  static status ok() { return status(); }
  static status invalid_argument(std::string msg) {
    return {code::invalid_argument, std::move(msg)};
  }
  static status not_found(std::string msg) { return {code::not_found, std::move(msg)}; }
  static status io_error(std::string msg) { return {code::io_error, std::move(msg)}; }
  static status corruption(std::string msg) { return {code::corruption, std::move(msg)}; }
  static status map_full(std::string msg) { return {code::map_full, std::move(msg)}; }
  static status unavailable(std::string msg) { return {code::unavailable, std::move(msg)}; }

  bool is_ok() const { return code_ == code::ok; }
  explicit operator bool() const { return is_ok(); }
  code error_code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  status(code c, std::string msg) : code_(c), message_(std::move(msg)) {}

  code code_ = code::ok;
  std::string message_;
};

/// A value or the status that explains why there is none.
template <class T>
class result {
 public:
  result(T value) : value_(std::move(value)) {}       // NOLINT: implicit by design
  result(status error) : error_(std::move(error)) {}  // NOLINT: implicit by design

  bool is_ok() const { return value_.has_value(); }
  explicit operator bool() const { return is_ok(); }
  const status& error() const { return error_; }
  T& value() { return *value_; }
  const T& value() const { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }

 private:
  std::optional<T> value_;
  status error_;
};

}  // namespace hookshot
