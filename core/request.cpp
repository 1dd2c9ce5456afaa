#include "core/request.hpp"

namespace hookshot {

header_list delivery_headers(const std::string& event_id, const std::string& event_type,
                             const std::string& account_id, const std::string& signature,
                             bool json) {
  header_list h;
  h.reserve(5);
  h.emplace_back("X-CS-Event-ID", event_id);
  h.emplace_back("X-CS-Event", event_type);
  h.emplace_back("User-Agent",
                 "CS-Hookshot/" + (account_id.empty() ? std::string("null") : account_id));
  if (!signature.empty()) h.emplace_back("X-CS-Signature", signature);
  h.emplace_back("Content-Type",
                 json ? "application/json; charset=UTF-8" : "text/plain; charset=UTF-8");
  return h;
}

bool header_value_safe(std::string_view text) {
  for (unsigned char c : text)
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  return true;
}

std::string recorded_headers(const delivery_record& r) {
  return format_recorded_headers(
      delivery_headers(r.event_id, r.event_type, r.account_id, r.signature, r.json),
      r.payload.size());
}

std::string format_recorded_headers(const header_list& headers, size_t body_size) {
  std::string out;
  for (const auto& [name, value] : headers) {
    if (name == "Content-Type" && body_size > 0) {
      out += "Content-Length: " + std::to_string(body_size) + "\n";
    }
    out += name + ": " + value + "\n";
  }
  if (!out.empty()) out.pop_back();
  return out;
}

}  // namespace hookshot
