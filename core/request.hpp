#pragma once

// The header set of a delivery, exactly as CloudStack sends it (spec section 6.2).

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/delivery.hpp"
#include "core/event.hpp"

namespace hookshot {

/// True when `text` can be sent as a header field value as it is: no control characters
/// (bytes below 0x20 other than tab, and 0x7F). A CR or LF would end the header line and
/// start one the sender never meant (header injection); a NUL cuts the value short.
bool header_value_safe(std::string_view text);

/// Header fields in order, kept the way curl takes them: "Name: value" lines, each ended by a
/// NUL, back to back in one string. A request's headers cost one allocation, made by whoever
/// builds them (a webhook actor) and freed by the HTTP loop that sent them: every allocation
/// made on one thread and freed on another misses malloc's per-thread cache twice.
class header_list {
 public:
  using field = std::pair<std::string_view, std::string_view>;

  header_list() = default;
  header_list(std::initializer_list<field> fields);

  /// Appends a field whose value is `value` followed by `more`. One that cannot be sent as it
  /// is (a control character in the name or the value, or a name that is empty or holds ':')
  /// is left out and the list marked unsafe.
  void add(std::string_view name, std::string_view value, std::string_view more = {});
  void reserve(size_t bytes) { lines_.reserve(bytes); }

  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  /// False when add() left a field out; `refused()` names the first one. Never send such a
  /// list: a request without a header it was meant to carry is not the request.
  bool safe() const { return refused_.empty(); }
  const std::string& refused() const { return refused_; }
  /// The lines, each "Name: value" and a NUL (what curl's header list points into).
  const std::string& lines() const { return lines_; }
  /// The fields as (name, value) views into lines().
  std::vector<field> fields() const;

  bool operator==(const header_list& o) const { return lines_ == o.lines_ && refused_ == o.refused_; }

 private:
  std::string lines_;
  size_t count_ = 0;
  std::string refused_;  // the name of the first field left out
};

/// X-CS-Event-ID, X-CS-Event, User-Agent (CS-Hookshot/<account uuid>, "null" when unknown),
/// X-CS-Signature (only when `signature` is not empty), Content-Type (JSON or text/plain).
header_list delivery_headers(const std::string& event_id, const std::string& event_type,
                             const std::string& account_id, const std::string& signature,
                             bool json);
inline header_list delivery_headers(const event& ev, const std::string& signature) {
  return delivery_headers(ev.id, ev.type, ev.account_id, signature, ev.json);
}

/// The headers as CloudStack records them: "Name: value" lines joined by "\n", including
/// Content-Length when the body is not empty.
std::string format_recorded_headers(const header_list& headers, size_t body_size);

/// The recorded header text of a stored delivery (rebuilt from its fields, so the log does
/// not store it).
std::string recorded_headers(const delivery_record& r);

}  // namespace hookshot
