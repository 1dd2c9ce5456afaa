#pragma once

// hookshot's configuration: one JSON file (comments allowed), documented key by key in
// README.md and shown in full in config/hookshot.example.json.
//
// load_config() either returns a complete, validated config or a status whose message names
// the offending key ("accounts[1].role: ..."); hookshot never starts on a config it only
// partly understood.

#include <string>
#include <unordered_map>
#include <vector>

#include "core/domain_tree.hpp"
#include "core/settings.hpp"
#include "core/status.hpp"
#include "core/webhook.hpp"

namespace hookshot::config {

/// A webhook declared in the file; created or updated at start-up. Identity: (owner, name).
struct webhook_decl {
  std::string name;
  std::string description;
  std::string account_id;   // resolved owner
  std::string domain_id;    // resolved (owner's domain, or the Domain-scope target)
  std::string payload_url;  // normalised
  std::string secret_key;
  bool ssl_verification = false;
  scope scope_ = scope::local;
  webhook_state state = webhook_state::enabled;
};

struct management_server {
  std::string id;
  std::string name;
};

struct config {
  std::string listen = "127.0.0.1:8080";
  std::string data_dir = "./hookshot-data";
  bool fsync = true;  // durability "fsync" (true) or "os" (false)
  management_server server;
  settings values;
  std::string ingest_secret;
  std::string secrets_key_file;  // "" = HOOKSHOT_SECRETS_KEY, else <data_dir>/secrets.key
  std::vector<domain> domains;
  std::vector<account> accounts;
  std::vector<webhook_decl> webhooks;
  domain_tree tree;

  /// The account with that uuid, or null. Constant time (the index is built at load).
  const account* find_account(const std::string& id) const;

  std::unordered_map<std::string, size_t> account_index;  // id -> position in `accounts`
};

/// Parses and validates config text. `origin` names the source in messages.
result<config> parse_config(const std::string& text, const std::string& origin);

/// Reads and validates a config file.
result<config> load_config(const std::string& path);

/// The built-in config `hookshot serve` uses without --config: listen 127.0.0.1:8080,
/// data in ./hookshot-data, one ROOT domain, no accounts, no webhooks.
config default_config();

}  // namespace hookshot::config
