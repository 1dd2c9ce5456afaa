#include "core/filter.hpp"

#include <strings.h>

#include <algorithm>
#include <cctype>

namespace hookshot {
namespace {

bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }
bool ends_with(const std::string& s, const std::string& p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}
std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

const char* to_string(filter_mode m) { return m == filter_mode::include ? "Include" : "Exclude"; }

const char* to_string(match_type m) {
  switch (m) {
    case match_type::exact: return "Exact";
    case match_type::prefix: return "Prefix";
    case match_type::suffix: return "Suffix";
    case match_type::contains: return "Contains";
  }
  return "Exact";
}

std::optional<filter_mode> parse_filter_mode(const std::string& s) {
  for (auto m : {filter_mode::include, filter_mode::exclude})
    if (strcasecmp(s.c_str(), to_string(m)) == 0) return m;
  return std::nullopt;
}

std::optional<match_type> parse_match_type(const std::string& s) {
  for (auto m : {match_type::exact, match_type::prefix, match_type::suffix, match_type::contains})
    if (strcasecmp(s.c_str(), to_string(m)) == 0) return m;
  return std::nullopt;
}

bool filter_matches(const webhook_filter& f, const std::string& t) {
  switch (f.match) {
    case match_type::exact: return t == f.value;
    case match_type::prefix: return starts_with(t, f.value);
    case match_type::suffix: return ends_with(t, f.value);
    case match_type::contains: return t.find(f.value) != std::string::npos;
  }
  return false;
}

bool filters_pass(const std::vector<webhook_filter>& filters, const std::string& event_type) {
  bool has_include = false, included = false;
  for (const auto& f : filters) {
    bool m = filter_matches(f, event_type);
    if (f.mode == filter_mode::exclude && m) return false;
    if (f.mode == filter_mode::include) {
      has_include = true;
      included = included || m;
    }
  }
  return !has_include || included;
}

const webhook_filter* conflicting_filter(const std::vector<webhook_filter>& existing,
                                         const webhook_filter& added) {
  std::string nv = upper(added.value);
  for (const auto& old : existing) {
    std::string ov = upper(old.value);
    if (old.mode == added.mode) {
      if (old.match == added.match && ov == nv) return &old;
      continue;
    }
    bool overlap = false;
    switch (old.match) {
      case match_type::exact: overlap = added.match == match_type::exact && nv == ov; break;
      case match_type::prefix:
        overlap = (added.match == match_type::exact || added.match == match_type::prefix) && starts_with(nv, ov);
        break;
      case match_type::suffix:
        overlap = (added.match == match_type::exact || added.match == match_type::suffix) && ends_with(nv, ov);
        break;
      case match_type::contains: overlap = nv.find(ov) != std::string::npos; break;
    }
    if (overlap) return &old;
  }
  return nullptr;
}

}  // namespace hookshot
