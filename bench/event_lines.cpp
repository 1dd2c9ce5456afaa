#include "bench/event_lines.hpp"

#include <boost/json.hpp>
#include <charconv>

namespace hookshot::bench {

namespace json = boost::json;

event_lines::event_lines(const std::vector<std::string>& accounts) {
  for (const auto& a : accounts)
    heads_.push_back(R"({"event":"VM.CREATE","status":"Completed","account":)" +
                     json::serialize(json::string(a)) + R"(,"entity":"VirtualMachine","sent_us":)");
  tail_ = R"(,"description":")" + std::string(kPayloadPad, 'x') + "\"}";
}

void event_lines::append(std::string& out, size_t owner, std::int64_t sent_us) const {
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, sent_us).ptr;
  out += heads_[owner % heads_.size()];
  out.append(digits, end);
  out += tail_;
}

std::string event_lines::line(size_t owner, std::int64_t sent_us) const {
  std::string out;
  append(out, owner, sent_us);
  return out;
}

}  // namespace hookshot::bench
