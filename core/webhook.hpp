#pragma once

// The tenants (domains, accounts) and the webhook entity, as CloudStack models them.

#include <cstdint>
#include <optional>
#include <string>

#include "core/status.hpp"

namespace hookshot {

enum class scope { local, domain, global };
enum class webhook_state { enabled, disabled };
enum class account_role { admin, domain_admin, user };

/// CloudStack spelling: "Local", "Domain", "Global" (parsing is case-insensitive).
const char* to_string(scope s);
std::optional<scope> parse_scope(const std::string& s);
const char* to_string(webhook_state s);
std::optional<webhook_state> parse_state(const std::string& s);
const char* to_string(account_role r);
std::optional<account_role> parse_role(const std::string& s);

struct domain {
  std::string id;  // uuid
  std::string name;
  std::string parent;  // uuid of the parent; empty for ROOT
};

struct account {
  std::string id;  // uuid; events name their owner by this id
  std::string name;
  std::string domain_id;
  account_role role = account_role::user;
  std::string api_key;
  std::string secret_key;
};

/// A webhook as stored. `key` is the internal numeric id used in storage keys; `id` is the
/// uuid the API shows.
struct webhook {
  std::uint64_t key = 0;
  std::string id;
  std::string name;
  std::string description;
  std::string account_id;  // owner account uuid
  std::string domain_id;   // owner domain (or target domain of a Domain-scoped webhook)
  std::string payload_url;
  std::string secret_key;
  bool ssl_verification = false;
  scope scope_ = scope::local;
  webhook_state state = webhook_state::enabled;
  std::int64_t created_ms = 0;
};

/// CloudStack's normalisation: a URL that does not start with "http://" or "https://" gets
/// "http://" prepended.
std::string normalize_payload_url(const std::string& url);

/// A (normalised) payload URL must be http or https with a host and, if given, a port from 1
/// to 65535, and hold no whitespace. The error quotes the URL as CloudStack does.
status validate_payload_url(const std::string& url);

}  // namespace hookshot
