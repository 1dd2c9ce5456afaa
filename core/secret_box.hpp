#pragma once

// Secrets at rest: AES-256-GCM under one 32-byte key, so a copy of the data directory (a
// backup, a stolen disk) does not give away webhook secret keys.
//
// A sealed value is  "\x01" | nonce (12 random bytes) | ciphertext | tag (16 bytes);
// `context` (the webhook's uuid) is authenticated with it, so a sealed secret cannot be moved
// to another webhook. Nonces come from OpenSSL's CSPRNG (RAND_bytes): 2^32 seals under one key
// stay far inside GCM's random-nonce bound.
//
// Where the key comes from (config key `secrets.key_file`, environment HOOKSHOT_SECRETS_KEY):
// see load_secret_key(). Thread safety: a secret_box is immutable; seal/open are thread-safe.

#include <array>
#include <cstdint>
#include <string>

#include "core/status.hpp"

namespace hookshot {

class secret_box {
 public:
  using key_bytes = std::array<std::uint8_t, 32>;
  explicit secret_box(const key_bytes& key) : key_(key) {}

  std::string seal(const std::string& plaintext, const std::string& context) const;
  /// corruption if the value was not sealed under this key and context (or was altered).
  result<std::string> open(const std::string& sealed, const std::string& context) const;

 private:
  key_bytes key_;
};

/// The key, in this order: the environment variable HOOKSHOT_SECRETS_KEY (64 hex digits);
/// the file `key_file` if set (32 raw bytes or 64 hex digits; must be mode 0600 or stricter);
/// else `default_file`, created with a random key (64 hex digits) and mode 0600 if missing
/// (`created` is set then). Errors name the source: "secrets.key_file: /etc/k is readable by group or
/// others (mode 0644); chmod 600 it".
result<secret_box::key_bytes> load_secret_key(const std::string& key_file,
                                              const std::string& default_file, bool* created);

}  // namespace hookshot
