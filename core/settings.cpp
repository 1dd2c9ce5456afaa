#include "core/settings.hpp"

#include <cerrno>
#include <cstdlib>

namespace hookshot {

const std::vector<setting_spec>& known_settings() {
  static const std::vector<setting_spec> specs = {
      {"webhook.delivery.tries", "3", true, setting_spec::integer, 0,
       "total attempts per delivery (CloudStack semantics: 3 = one try and two retries)"},
      {"webhook.delivery.timeout", "10", true, setting_spec::integer, 1,
       "seconds one attempt may take, connect to last byte"},
      {"webhook.delivery.backoff", "1,5,30,120,600", true, setting_spec::backoff, 0,
       "seconds to wait after attempt 1, 2, ...; the last repeats; 0 = back-to-back; +-20% jitter"},
      {"webhook.delivery.retry.after.max", "3600", true, setting_spec::integer, 0,
       "longest Retry-After (seconds) a receiver may ask for"},
      {"webhook.delivery.max.inflight", "16", true, setting_spec::integer, 1,
       "attempts one webhook may have on the wire at once"},
      {"webhook.delivery.allow.http", "false", true, setting_spec::boolean, 0,
       "allow plain http payload URLs (otherwise https only)"},
      {"webhook.delivery.blocklist", kDefaultBlocklist, true, setting_spec::cidr_list, 0,
       "CIDRs no delivery may connect to, checked on every address used (comma-separated)"},
      {"webhook.delivery.block.local.addresses", "true", false, setting_spec::boolean, 0,
       "refuse wildcard, loopback and this host's own addresses"},
      {"webhook.delivery.allow.redirects", "false", true, setting_spec::boolean, 0,
       "follow 3xx answers (at most 5 hops, each checked like the payload URL)"},
      {"webhook.delivery.thread.pool.size", "0", false, setting_spec::integer, 0,
       "HTTP event-loop threads (0 = number of cores)"},
      {"webhook.delivery.pool.max.inflight", "512", false, setting_spec::integer, 1,
       "transfers one HTTP event loop keeps on the wire at once"},
      {"webhook.delivery.pool.adaptive", "true", false, setting_spec::boolean, 0,
       "each receiver's share of a loop's transfers follows its round trips (a fast receiver "
       "gets a few connections, a slow one up to the whole pool); false: any receiver may use "
       "them all"},
      {"webhook.delivery.backlog.memory.mb", "16", false, setting_spec::integer, 0,
       "MiB for the events of deliveries waiting beyond each webhook's first 256 in line; the "
       "rest are read back from storage when due (0 = none)"},
      {"webhook.delivery.ca.file", "", false, setting_spec::text, 0,
       "PEM bundle of extra CAs trusted when sslverification is true (empty = system store)"},
      {"webhook.delivery.response.max.bytes", "8192", false, setting_spec::integer, 0,
       "bytes of a response body kept in the delivery log"},
      {"webhook.deliveries.limit", "10", false, setting_spec::integer, 0,
       "delivery records kept per webhook (the newest)"},
      {"webhook.deliveries.cleanup.initial.delay", "180", false, setting_spec::integer, 0,
       "seconds after start before the first cleanup"},
      {"webhook.deliveries.cleanup.interval", "3600", false, setting_spec::integer, 1,
       "seconds between cleanups"},
      {"ingest.max.pending", "1000000", false, setting_spec::integer, 1,
       "pending deliveries held at most; intake answers 429 above it (bounded memory)"},
      {"ingest.max.body.bytes", "16777216", false, setting_spec::integer, 1024,
       "largest POST /v1/events body accepted"},
  };
  return specs;
}

const setting_spec* find_setting(const std::string& name) {
  for (const auto& s : known_settings())
    if (name == s.name) return &s;
  return nullptr;
}

status validate_setting(const setting_spec& spec, const std::string& value) {
  switch (spec.kind) {
    case setting_spec::integer: {
      errno = 0;
      char* end = nullptr;
      long v = std::strtol(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || errno != 0)
        return status::invalid_argument(std::string(spec.name) + ": '" + value +
                                        "' is not an integer");
      if (v < spec.min_value)
        return status::invalid_argument(std::string(spec.name) + ": must be at least " +
                                        std::to_string(spec.min_value));
      return status::ok();
    }
    case setting_spec::backoff: {
      auto parsed = retry_policy::parse_backoff(value);
      if (!parsed)
        return status::invalid_argument(std::string(spec.name) + ": " + parsed.error().message());
      return status::ok();
    }
    case setting_spec::boolean:
      if (value != "true" && value != "false")
        return status::invalid_argument(std::string(spec.name) + ": '" + value +
                                        "' is not true or false");
      return status::ok();
    case setting_spec::cidr_list: {
      auto parsed = parse_cidr_list(value);
      if (!parsed)
        return status::invalid_argument(std::string(spec.name) + ": " + parsed.error().message());
      return status::ok();
    }
    case setting_spec::text:
      return status::ok();
  }
  return status::ok();
}

std::string settings::get(const std::string& name, const std::string& domain_id,
                          const domain_tree* tree) const {
  if (tree && !domain_id.empty()) {
    for (const auto& d : tree->ancestors_of(domain_id)) {
      auto dom = per_domain_.find(d);
      if (dom == per_domain_.end()) continue;
      auto it = dom->second.find(name);
      if (it != dom->second.end()) return it->second;
    }
  }
  auto it = global_.find(name);
  if (it != global_.end()) return it->second;
  const setting_spec* spec = find_setting(name);
  return spec ? spec->default_value : "";
}

long settings::get_int(const std::string& name, const std::string& domain_id,
                       const domain_tree* tree) const {
  return std::strtol(get(name, domain_id, tree).c_str(), nullptr, 10);
}

delivery_settings settings::delivery_for(const std::string& domain_id,
                                         const domain_tree& tree) const {
  delivery_settings d;
  d.retry.tries = static_cast<int>(get_int("webhook.delivery.tries", domain_id, &tree));
  auto backoff = retry_policy::parse_backoff(get("webhook.delivery.backoff", domain_id, &tree));
  if (backoff) d.retry.backoff_s = *backoff;
  d.retry.retry_after_max_s =
      static_cast<double>(get_int("webhook.delivery.retry.after.max", domain_id, &tree));
  d.timeout_ms = get_int("webhook.delivery.timeout", domain_id, &tree) * 1000;
  d.max_in_flight = static_cast<int>(get_int("webhook.delivery.max.inflight", domain_id, &tree));
  d.policy = policy_for(domain_id, tree);
  return d;
}

std::shared_ptr<const url_policy> settings::policy_for(const std::string& domain_id,
                                                       const domain_tree& tree) const {
  std::string http = get("webhook.delivery.allow.http", domain_id, &tree);
  std::string redirects = get("webhook.delivery.allow.redirects", domain_id, &tree);
  std::string local = get("webhook.delivery.block.local.addresses", "", nullptr);
  std::string blocklist = get("webhook.delivery.blocklist", domain_id, &tree);
  std::string key = http + "|" + redirects + "|" + local + "|" + blocklist;
  std::lock_guard lock(policies_mutex_);
  auto& slot = policies_[key];
  if (!slot) {
    auto p = std::make_shared<url_policy>();
    p->allow_http = http == "true";
    p->allow_redirects = redirects == "true";
    p->block_local = local == "true";
    if (auto cidrs = parse_cidr_list(blocklist)) p->blocklist = std::move(*cidrs);
    if (p->block_local) p->local_addresses = local_interface_addresses();
    slot = std::move(p);
  }
  return slot;
}

}  // namespace hookshot
