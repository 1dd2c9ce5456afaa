#include "core/webhook.hpp"

#include <strings.h>

namespace hookshot {
namespace {

bool iequals(const std::string& a, const char* b) {
  return strcasecmp(a.c_str(), b) == 0;
}

}  // namespace

const char* to_string(scope s) {
  switch (s) {
    case scope::local:
      return "Local";
    case scope::domain:
      return "Domain";
    case scope::global:
      return "Global";
  }
  return "Local";
}

std::optional<scope> parse_scope(const std::string& s) {
  for (auto v : {scope::local, scope::domain, scope::global})
    if (iequals(s, to_string(v))) return v;
  return std::nullopt;
}

const char* to_string(webhook_state s) {
  return s == webhook_state::enabled ? "Enabled" : "Disabled";
}

std::optional<webhook_state> parse_state(const std::string& s) {
  for (auto v : {webhook_state::enabled, webhook_state::disabled})
    if (iequals(s, to_string(v))) return v;
  return std::nullopt;
}

const char* to_string(account_role r) {
  switch (r) {
    case account_role::admin:
      return "Admin";
    case account_role::domain_admin:
      return "DomainAdmin";
    case account_role::user:
      return "User";
  }
  return "User";
}

std::optional<account_role> parse_role(const std::string& s) {
  for (auto v : {account_role::admin, account_role::domain_admin, account_role::user})
    if (iequals(s, to_string(v))) return v;
  return std::nullopt;
}

std::string normalize_payload_url(const std::string& url) {
  if (url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0) return url;
  return "http://" + url;
}

}  // namespace hookshot
