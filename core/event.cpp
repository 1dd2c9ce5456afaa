#include "core/event.hpp"

#include <boost/json.hpp>

namespace hookshot {
namespace json = boost::json;

namespace {

result<std::string> string_field(const json::object& o, const char* key, bool required) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) {
    if (required) return status::invalid_argument(std::string("missing field \"") + key + "\"");
    return std::string();
  }
  if (!it->value().is_string())
    return status::invalid_argument(std::string("field \"") + key + "\" must be a string");
  std::string s(it->value().as_string());
  if (required && s.empty())
    return status::invalid_argument(std::string("field \"") + key + "\" must not be empty");
  return s;
}

}  // namespace

result<parsed_event> parse_event(std::string_view bytes) {
  json::error_code ec;
  json::value v = json::parse(json::string_view(bytes.data(), bytes.size()), ec);
  if (ec) return status::invalid_argument("invalid JSON: " + ec.message());
  if (!v.is_object()) return status::invalid_argument("an event must be a JSON object");
  const auto& o = v.as_object();
  parsed_event out;
  auto type = string_field(o, "event", true);
  if (!type) return type.error();
  auto account = string_field(o, "account", true);
  if (!account) return account.error();
  out.type = std::move(*type);
  out.account_id = std::move(*account);
  for (const char* key : {"category", "eventCategory"}) {
    auto cat = string_field(o, key, false);
    if (!cat) return cat.error();
    if (!cat->empty() && *cat != "ActionEvent") out.action = false;
  }
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
  json::error_code ec;
  json::value v = json::parse(json::string_view(payload.data(), payload.size()), ec);
  return !ec && (v.is_object() || v.is_array());
}

}  // namespace hookshot
