#include "core/event.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>

#include "core/request.hpp"

namespace hookshot {
namespace json = boost::json;

namespace {

// A streaming (SAX) pass over one event: validates the whole document (syntax, UTF-8, depth)
// and keeps only the top-level fields routing needs, without building a DOM. The body is
// forwarded byte for byte, so nothing else of it is needed here.
struct event_fields {
  static constexpr std::size_t max_array_size = -1;
  static constexpr std::size_t max_object_size = -1;
  static constexpr std::size_t max_string_size = -1;
  static constexpr std::size_t max_key_size = -1;

  enum field { none, type, account, category, event_category, kFields };
  static constexpr const char* kNames[kFields] = {"", "event", "account", "category", "eventCategory"};

  int depth = 0;
  bool top_is_object = false;
  std::string key;          // the top-level key being read
  field current = none;     // the top-level field whose value comes next
  std::string value;        // the current field's string value, as it arrives
  std::string values[kFields];
  bool present[kFields] = {};
  std::string problem;      // a field-level error, reported instead of the parser's

  bool fail(json::error_code& ec, std::string why) {
    problem = std::move(why);
    ec = json::error::syntax;
    return false;
  }
  // A non-string value: an error for our fields, unless null (treated as absent).
  bool other_value(json::error_code& ec, bool is_null = false) {
    if (depth == 1 && current != none) {
      field f = current;
      current = none;
      if (!is_null) return fail(ec, std::string("field \"") + kNames[f] + "\" must be a string");
      present[f] = false;
    }
    return true;
  }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_array_begin(json::error_code& ec) {
    if (!other_value(ec)) return false;
    ++depth;
    return true;
  }
  bool on_array_end(std::size_t, json::error_code&) {
    --depth;
    return true;
  }
  bool on_object_begin(json::error_code& ec) {
    if (depth == 0) top_is_object = true;
    if (!other_value(ec)) return false;
    ++depth;
    return true;
  }
  bool on_object_end(std::size_t, json::error_code&) {
    --depth;
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
    if (depth == 1 && current != none) value.append(s.data(), s.size());
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code&) {
    if (depth == 1 && current != none) {
      value.append(s.data(), s.size());
      values[current] = std::move(value);
      value.clear();
      current = none;
    }
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    if (depth == 1) key.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code& ec) {
    if (depth != 1) return true;
    key.append(s.data(), s.size());
    current = none;
    for (int f = type; f < kFields; ++f) {
      if (key != kNames[f]) continue;
      // Two values for a field that routes the event: the receiver's parser might read the
      // other one, so refuse rather than guess.
      if (present[f]) return fail(ec, "duplicate field \"" + key + "\"");
      present[f] = true;
      current = static_cast<field>(f);
    }
    key.clear();
    return true;
  }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t, json::string_view, json::error_code& ec) { return other_value(ec); }
  bool on_uint64(std::uint64_t, json::string_view, json::error_code& ec) { return other_value(ec); }
  bool on_double(double, json::string_view, json::error_code& ec) { return other_value(ec); }
  bool on_bool(bool, json::error_code& ec) { return other_value(ec); }
  bool on_null(json::error_code& ec) { return other_value(ec, true); }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }
};

// Null handler: validation only.
struct any_json {
  static constexpr std::size_t max_array_size = -1;
  static constexpr std::size_t max_object_size = -1;
  static constexpr std::size_t max_string_size = -1;
  static constexpr std::size_t max_key_size = -1;
  int depth = 0;
  bool container = false;
  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_array_begin(json::error_code&) { container |= depth++ == 0; return true; }
  bool on_array_end(std::size_t, json::error_code&) { --depth; return true; }
  bool on_object_begin(json::error_code&) { container |= depth++ == 0; return true; }
  bool on_object_end(std::size_t, json::error_code&) { --depth; return true; }
  bool on_string_part(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_string(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_key_part(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_key(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t, json::string_view, json::error_code&) { return true; }
  bool on_uint64(std::uint64_t, json::string_view, json::error_code&) { return true; }
  bool on_double(double, json::string_view, json::error_code&) { return true; }
  bool on_bool(bool, json::error_code&) { return true; }
  bool on_null(json::error_code&) { return true; }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }
};

template <class Handler>
json::error_code run_parser(json::basic_parser<Handler>& p, std::string_view bytes) {
  json::error_code ec;
  size_t n = p.write_some(false, bytes.data(), bytes.size(), ec);
  if (!ec && n < bytes.size()) ec = json::error::extra_data;
  return ec;
}

}  // namespace

result<parsed_event> parse_event(std::string_view bytes) {
  json::basic_parser<event_fields> p(json::parse_options{});
  json::error_code ec = run_parser(p, bytes);
  event_fields& h = p.handler();
  if (!h.problem.empty()) return status::invalid_argument(h.problem);
  if (ec) return status::invalid_argument("invalid JSON: " + ec.message());
  if (!h.top_is_object) return status::invalid_argument("an event must be a JSON object");
  for (auto f : {event_fields::type, event_fields::account}) {
    std::string name = event_fields::kNames[f];
    if (!h.present[f]) return status::invalid_argument("missing field \"" + name + "\"");
    if (h.values[f].empty()) return status::invalid_argument("field \"" + name + "\" must not be empty");
    if (!header_value_safe(h.values[f]))
      return status::invalid_argument("field \"" + name +
                                      "\" must not contain control characters (it is sent in a header)");
  }
  parsed_event out;
  out.type = std::move(h.values[event_fields::type]);
  out.account_id = std::move(h.values[event_fields::account]);
  for (auto f : {event_fields::category, event_fields::event_category})
    if (h.present[f] && !h.values[f].empty() && h.values[f] != "ActionEvent") out.action = false;
  return out;
}

std::vector<ndjson_line> split_ndjson(std::string_view body) {
  std::vector<ndjson_line> lines;
  size_t number = 0, pos = 0;
  while (pos <= body.size()) {
    size_t end = body.find('\n', pos);
    if (end == std::string_view::npos) end = body.size();
    ++number;
    std::string_view line = body.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") != std::string_view::npos) lines.push_back({number, line});
    pos = end + 1;
  }
  return lines;
}

bool is_json_payload(std::string_view payload) {
  json::basic_parser<any_json> p(json::parse_options{});
  return !run_parser(p, payload) && p.handler().container;
}

}  // namespace hookshot
