#pragma once

// Settings, by CloudStack's names, resolved as CloudStack's domain-scoped settings are:
// the webhook's domain, then each ancestor up to ROOT, then the global value, then the default.

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/domain_tree.hpp"
#include "core/retry_policy.hpp"
#include "core/status.hpp"
#include "core/url_policy.hpp"

namespace hookshot {

/// One known setting.
struct setting_spec {
  const char* name;
  const char* default_value;
  bool domain_scoped;  // may be overridden per domain
  enum kind_t { integer, text, backoff, boolean, cidr_list } kind;
  long min_value;  // for integers
  const char* help;
};

/// Every setting hookshot knows, in documentation order.
const std::vector<setting_spec>& known_settings();
const setting_spec* find_setting(const std::string& name);

/// Checks a value against its spec. The error names the setting.
status validate_setting(const setting_spec& spec, const std::string& value);

/// The delivery settings in force for one webhook.
struct delivery_settings {
  retry_policy retry;
  millis timeout_ms = 10000;
  int max_in_flight = 16;
  std::shared_ptr<const url_policy> policy;  // where this webhook's deliveries may connect
};

/// Global values plus per-domain overrides. Immutable after construction; thread-safe reads.
class settings {
 public:
  using values = std::map<std::string, std::string>;

  settings() = default;
  settings(values global, std::map<std::string, values> per_domain)
      : global_(std::move(global)), per_domain_(std::move(per_domain)) {}
  settings(const settings& o) : global_(o.global_), per_domain_(o.per_domain_) {}
  settings& operator=(const settings& o) {
    global_ = o.global_;
    per_domain_ = o.per_domain_;
    std::lock_guard lock(policies_mutex_);
    policies_.clear();
    return *this;
  }

  /// The value of `name` for a webhook in `domain_id` (pass "" for the global value).
  std::string get(const std::string& name, const std::string& domain_id,
                  const domain_tree* tree) const;
  long get_int(const std::string& name, const std::string& domain_id = "",
               const domain_tree* tree = nullptr) const;

  /// Resolves and parses the delivery settings for a domain. Values were validated at load.
  delivery_settings delivery_for(const std::string& domain_id, const domain_tree& tree) const;

  /// The URL policy for a domain: one shared object per distinct combination of values, so
  /// 100,000 webhooks do not each hold a copy of the blocklist. Thread-safe.
  std::shared_ptr<const url_policy> policy_for(const std::string& domain_id,
                                               const domain_tree& tree) const;

  const values& global() const { return global_; }
  const std::map<std::string, values>& per_domain() const { return per_domain_; }

 private:
  values global_;
  std::map<std::string, values> per_domain_;
  mutable std::mutex policies_mutex_;
  mutable std::map<std::string, std::shared_ptr<const url_policy>> policies_;  // by resolved values
};

}  // namespace hookshot
