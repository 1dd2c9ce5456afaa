#include "core/retry_policy.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <ctime>

namespace hookshot {

result<std::vector<double>> retry_policy::parse_backoff(const std::string& text) {
  std::vector<double> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find(',', pos);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(pos, end - pos);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    char* stop = nullptr;
    double v = item.empty() ? -1 : std::strtod(item.c_str(), &stop);
    if (item.empty() || *stop != '\0' || !std::isfinite(v) || v < 0)
      return status::invalid_argument("'" + text +
                                      "' is not a comma-separated list of non-negative seconds");
    out.push_back(v);
    pos = end + 1;
  }
  return out;
}

millis retry_policy::delay_after(int attempts_made, std::optional<double> retry_after_s,
                                 random_source& rng) const {
  double base = 0;
  if (!backoff_s.empty()) {
    size_t i = static_cast<size_t>(std::max(attempts_made, 1) - 1);
    base = backoff_s[std::min(i, backoff_s.size() - 1)];
  }
  double wait = base > 0 ? base * (0.8 + 0.4 * rng.uniform()) : 0.0;
  if (retry_after_s) wait = std::max(wait, std::min(*retry_after_s, retry_after_max_s));
  return static_cast<millis>(std::llround(wait * 1000.0));
}

std::optional<double> parse_retry_after(const std::string& value, millis now) {
  std::string v = value;
  v.erase(0, v.find_first_not_of(" \t"));
  v.erase(v.find_last_not_of(" \t\r\n") + 1);
  if (v.empty()) return std::nullopt;
  if (std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); }))
    return std::strtod(v.c_str(), nullptr);
  std::tm tm{};
  const char* end = strptime(v.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end || *end != '\0') return std::nullopt;
  double at_s = static_cast<double>(timegm(&tm));
  return std::max(0.0, at_s - static_cast<double>(now) / 1000.0);
}

}  // namespace hookshot
