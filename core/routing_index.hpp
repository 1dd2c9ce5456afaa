#pragma once

// Which webhooks an event goes to (CloudStack's delivery selection, spec section 3.2).
//
// Enabled webhooks are indexed three ways: the Global list, Domain webhooks by their domain,
// Local webhooks by their owner account. An event owned by account A in domain D matches
//   every Global webhook,
//   every Domain webhook whose domain is D or an ancestor of D (so a Domain webhook receives
//   events from its domain and all subdomains),
//   every Local webhook owned by A.
// The cost of match() follows the number of matching webhooks plus the depth of D, never the
// number of all webhooks. Disabled webhooks are not in the index and receive nothing.
//
// Thread safety: not synchronised; owned by the supervisor actor.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/webhook.hpp"

namespace hookshot {

class routing_index {
 public:
  /// Adds the webhook, or moves it when its scope, owner, domain or state changed. A disabled
  /// webhook is removed from the index.
  void upsert(const webhook& w);
  void remove(std::uint64_t key);

  /// Keys of the webhooks an event owned by `account_id` receives. `domain_ancestors` is the
  /// event's domain followed by its ancestors up to ROOT (empty when the domain is unknown).
  std::vector<std::uint64_t> match(const std::string& account_id,
                                   const std::vector<std::string>& domain_ancestors) const;

  size_t size() const { return entries_.size(); }

 private:
  struct entry {
    scope where;
    std::string bucket;  // domain id for Domain, account id for Local, empty for Global
  };
  using bucket_map = std::unordered_map<std::string, std::vector<std::uint64_t>>;

  static void erase_key(std::vector<std::uint64_t>& v, std::uint64_t key);

  std::unordered_map<std::uint64_t, entry> entries_;
  std::vector<std::uint64_t> global_;
  bucket_map by_domain_;
  bucket_map by_account_;
};

}  // namespace hookshot
