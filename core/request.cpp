#include "core/request.hpp"

#include "core/signature.hpp"

namespace hookshot {

header_list delivery_headers(const event& ev, const hmac_sha256* signer) {
  header_list h;
  h.reserve(5);
  h.emplace_back("X-CS-Event-ID", ev.id);
  h.emplace_back("X-CS-Event", ev.type);
  h.emplace_back("User-Agent",
                 "CS-Hookshot/" + (ev.account_id.empty() ? std::string("null") : ev.account_id));
  if (signer) h.emplace_back("X-CS-Signature", signer->sign_base64(ev.body));
  h.emplace_back("Content-Type", ev.json ? "application/json; charset=UTF-8"
                                         : "text/plain; charset=UTF-8");
  return h;
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
