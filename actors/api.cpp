#include "actors/api.hpp"

#include <pthread.h>
#include <strings.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <boost/json.hpp>
#include <map>
#include <optional>
#include <set>

#include "core/access.hpp"
#include "core/cloudstack_json.hpp"
#include "core/uuid.hpp"
#include "storage/codec.hpp"

namespace hookshot::actors {
namespace json = boost::json;
namespace {

// CloudStack's error codes (ApiErrorCode) and exception codes (CSExceptionErrorCode).
constexpr unsigned kUnauthorized = 401, kParamError = 431, kUnsupported = 432, kInternal = 530,
                   kAccountError = 531;
constexpr int kCsInvalidParameter = 4350, kCsPermissionDenied = 4365, kCsServerApi = 9999;

// A command's answer: HTTP status and the JSON inside "<command>response".
struct answer {
  unsigned http = 200;
  json::object body;
};

answer error(unsigned http, int cs, const std::string& text) {
  return {http, json::object{{"uuidList", json::array{}}, {"errorcode", http}, {"cserrorcode", cs},
                             {"errortext", text}}};
}
answer param_error(const std::string& text) { return error(kParamError, kCsInvalidParameter, text); }
answer denied(const std::string& text) { return error(kAccountError, kCsPermissionDenied, text); }

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool contains_ci(const std::string& hay, const std::string& needle) {
  return lower(hay).find(lower(needle)) != std::string::npos;
}

// A list answer: {"count":N,"<item>":[...]}, or {} when empty; `page`/`pagesize` cut the list.
result<answer> list_answer(const char* item, std::vector<json::object> all, const api_params& p) {
  long page = 1, pagesize = 500;
  for (auto [name, out] : {std::pair{"page", &page}, std::pair{"pagesize", &pagesize}}) {
    if (!has_param(p, name)) continue;
    char* end = nullptr;
    std::string v = param(p, name);
    errno = 0;
    long n = std::strtol(v.c_str(), &end, 10);
    // CloudStack's page parameters are Java ints.
    if (v.empty() || *end || errno == ERANGE || n > INT32_MAX || n < (std::string(name) == "pagesize" ? -1 : 1))
      return status::invalid_argument(std::string("Unable to parse ") + name + ": '" + v + "'");
    *out = n;
  }
  if (pagesize == -1) pagesize = static_cast<long>(all.size()) + 1;  // CloudStack: -1 = all
  answer a;
  if (all.empty()) return a;
  a.body["count"] = all.size();
  json::array items;
  size_t from = static_cast<size_t>((page - 1) * std::max(pagesize, 1L));
  for (size_t i = from; i < all.size() && i < from + static_cast<size_t>(std::max(pagesize, 1L)); ++i)
    items.push_back(std::move(all[i]));
  a.body[item] = std::move(items);
  return a;
}

bool truthy(const api_params& p, const char* name) { return lower(param(p, name)) == "true"; }

struct context {
  const config::config& cfg;
  const storage::lmdb_store& store;
  const account& caller;
  const api_params& p;
  engine& eng;
  const resolver& resolve;  // DNS for the SSRF checks (may block: see api_endpoint::handle)
};

using reply_fn = std::function<void(answer)>;

answer from(result<answer> r) { return r ? *r : param_error(r.error().message()); }

// ---- commands --------------------------------------------------------------------------------

answer list_domains(const context& c) {
  std::string id = param(c.p, "id"), name = param(c.p, "name"), keyword = param(c.p, "keyword");
  if (!id.empty() && !c.cfg.tree.contains(id)) return param_error("Unable to find domain by id " + id);
  std::vector<json::object> out;
  for (const auto& d : c.cfg.tree.all()) {
    if (!can_see_domain(c.caller, d.id, c.cfg.tree)) continue;
    if (!id.empty() && d.id != id) continue;
    if (!name.empty() && d.name != name) continue;
    if (!keyword.empty() && !contains_ci(d.name, keyword)) continue;
    out.push_back(domain_json(d, c.cfg.tree));
  }
  return from(list_answer("domain", std::move(out), c.p));
}

answer list_accounts(const context& c) {
  std::string id = param(c.p, "id"), name = param(c.p, "name"), domain = param(c.p, "domainid"),
              keyword = param(c.p, "keyword");
  if (!domain.empty() && !c.cfg.tree.contains(domain))
    return param_error("Unable to find domain by id " + domain);
  if (!domain.empty() && !can_see_domain(c.caller, domain, c.cfg.tree))
    return denied("Account " + c.caller.name + " does not have permission to access domain " + domain);
  bool recursive = truthy(c.p, "isrecursive") || truthy(c.p, "listall");
  std::vector<json::object> out;
  for (const auto& a : c.cfg.accounts) {
    if (!can_access(c.caller, a.id, a.domain_id, c.cfg.tree)) continue;
    if (!id.empty() && a.id != id) continue;
    if (!name.empty() && a.name != name) continue;
    if (!domain.empty() && !(recursive ? c.cfg.tree.is_within(a.domain_id, domain) : a.domain_id == domain))
      continue;
    if (!keyword.empty() && !contains_ci(a.name, keyword)) continue;
    out.push_back(account_json(a, c.cfg.tree));
  }
  return from(list_answer("account", std::move(out), c.p));
}

// Webhooks the caller may list, per CloudStack's list semantics: its own account's by default;
// with listall (or a domainid) everything it may access there; account+domainid one account.
result<std::vector<webhook>> visible_webhooks(const context& c) {
  const auto& tree = c.cfg.tree;
  std::string account_name = param(c.p, "account"), domain = param(c.p, "domainid");
  bool listall = truthy(c.p, "listall"), recursive = truthy(c.p, "isrecursive");
  if (!domain.empty() && !tree.contains(domain))
    return status::invalid_argument("Unable to find domain by id " + domain);
  if (!account_name.empty() && domain.empty())
    return status::invalid_argument("account must be specified with domainid");
  const account* only = nullptr;
  if (!account_name.empty()) {
    for (const auto& a : c.cfg.accounts)
      if (a.name == account_name && a.domain_id == domain) only = &a;
    if (!only)
      return status::invalid_argument("Unable to find account " + account_name + " in domain " + domain);
    if (!can_access(c.caller, only->id, only->domain_id, tree))
      return status::not_found("Account " + c.caller.name + " does not have permission to access account " +
                               account_name);
  }
  if (!domain.empty() && !can_see_domain(c.caller, domain, tree))
    return status::not_found("Account " + c.caller.name + " does not have permission to access domain " + domain);
  std::vector<webhook> out;
  status st = c.store.for_each_webhook([&](webhook&& w) {
    if (!can_access(c.caller, w.account_id, w.domain_id, tree)) return;
    if (only) {
      if (w.account_id != only->id) return;
    } else if (!domain.empty()) {
      if (!(recursive || listall ? tree.is_within(w.domain_id, domain) : w.domain_id == domain)) return;
    } else if (!listall && w.account_id != c.caller.id) {
      return;
    }
    out.push_back(std::move(w));
  });
  if (!st) return st;
  return out;
}

answer visibility_error(const status& st) {
  return st.error_code() == status::code::not_found ? denied(st.message()) : param_error(st.message());
}

answer list_webhooks(const context& c) {
  std::string state_text = param(c.p, "state"), scope_text = param(c.p, "scope");
  std::optional<webhook_state> state;
  std::optional<scope> sc;
  if (!state_text.empty() && !(state = parse_state(state_text))) return param_error("Invalid state specified");
  if (!scope_text.empty() && !(sc = parse_scope(scope_text))) return param_error("Invalid scope specified");
  if (sc && ((*sc == scope::global && !is_root_admin(c.caller)) || (*sc == scope::domain && !is_admin(c.caller))))
    return param_error(std::string("Scope ") + to_string(*sc) + " can not be specified");
  auto hooks = visible_webhooks(c);
  if (!hooks) return visibility_error(hooks.error());
  std::string id = param(c.p, "id"), name = param(c.p, "name"), keyword = param(c.p, "keyword");
  std::vector<json::object> out;
  for (const auto& w : *hooks) {
    if (!id.empty() && w.id != id) continue;
    if (!name.empty() && w.name != name) continue;
    if (state && w.state != *state) continue;
    if (sc && w.scope_ != *sc) continue;
    if (!keyword.empty() && !contains_ci(w.name, keyword)) continue;
    out.push_back(webhook_json(w, c.cfg.tree, c.cfg.find_account(w.account_id)));
  }
  return from(list_answer("webhook", std::move(out), c.p));
}

// The delivery records the request selects among those the caller may see (a domain admin's
// subdomains included), newest first. invalid_argument errors are 431s, not_found ones 531s.
result<std::vector<delivery_record>> select_records(const context& c, bool with_content_filters) {
  const auto& tree = c.cfg.tree;
  std::string id = param(c.p, "id"), webhook_id = param(c.p, "webhookid"),
              ms = param(c.p, "managementserverid"), event_type = param(c.p, "eventtype"),
              keyword = param(c.p, "keyword");
  if (!with_content_filters) event_type.clear(), keyword.clear();
  std::optional<millis> start, end;
  if (has_param(c.p, "startdate")) {
    auto t = parse_api_date(param(c.p, "startdate"));
    if (!t) return status::invalid_argument("Invalid startdate specified");
    start = *t;
  }
  if (has_param(c.p, "enddate")) {
    auto t = parse_api_date(param(c.p, "enddate"));
    if (!t) return status::invalid_argument("Invalid enddate specified");
    end = *t;
  }
  if (start && end && *end < *start) return status::invalid_argument("Invalid enddate specified");
  if (!ms.empty()) {
    if (!is_root_admin(c.caller)) return status::not_found("Invalid parameter specified");
    if (ms != c.cfg.server.id) return status::invalid_argument("Invalid management server specified");
  }
  std::vector<webhook> hooks;
  bool known = webhook_id.empty();
  status st = c.store.for_each_webhook([&](webhook&& w) {
    known = known || w.id == webhook_id;
    if (!webhook_id.empty() && w.id != webhook_id) return;
    if (can_access(c.caller, w.account_id, w.domain_id, tree)) hooks.push_back(std::move(w));
  });
  if (!st) return st;
  if (!known) return status::invalid_argument("Invalid Webhook specified");
  if (!webhook_id.empty() && hooks.empty())
    return status::not_found("Account " + c.caller.name + " does not have permission to access webhook " + webhook_id);
  std::vector<delivery_record> records;
  for (const auto& w : hooks) {
    auto rs = c.store.recent_deliveries(w.key, static_cast<size_t>(-1));
    if (!rs) return rs.error();
    for (auto& r : *rs) records.push_back(std::move(r));
  }
  if (!id.empty() && std::none_of(records.begin(), records.end(), [&](const delivery_record& r) { return r.id == id; }))
    return status::invalid_argument("Invalid ID specified");
  std::sort(records.begin(), records.end(),
            [](const delivery_record& a, const delivery_record& b) { return a.seq > b.seq; });
  std::vector<delivery_record> out;
  for (auto& r : records) {
    if (!id.empty() && r.id != id) continue;
    if (!event_type.empty() && r.event_type != event_type) continue;
    if (!keyword.empty() && r.payload.find(keyword) == std::string::npos) continue;
    if (start && r.start_ms < *start) continue;
    if (end && r.end_ms > *end) continue;
    if (!ms.empty() && r.management_server_id != ms) continue;
    out.push_back(std::move(r));
  }
  return out;
}

answer selection_error(const status& st) {
  if (st.error_code() == status::code::not_found) return denied(st.message());
  if (st.error_code() == status::code::invalid_argument) return param_error(st.message());
  return error(kInternal, kCsServerApi, st.message());
}

answer list_webhook_deliveries(const context& c) {
  auto records = select_records(c, true);
  if (!records) return selection_error(records.error());
  std::vector<json::object> out;
  for (const auto& r : *records) out.push_back(delivery_json(r));
  return from(list_answer("webhookdelivery", std::move(out), c.p));
}

// ---- changes -------------------------------------------------------------------------------

result<bool> bool_param(const api_params& p, const char* name, bool fallback) {
  if (!has_param(p, name)) return fallback;
  std::string v = lower(param(p, name));
  if (v == "true") return true;
  if (v == "false") return false;
  return status::invalid_argument(std::string("Unable to parse ") + name + ": '" + param(p, name) + "'");
}

result<std::vector<webhook>> all_webhooks(const context& c) {
  std::vector<webhook> all;
  status st = c.store.for_each_webhook([&](webhook&& w) { all.push_back(std::move(w)); });
  if (!st) return st;
  return all;
}

// Another webhook of the same owner already uses `url`.
bool url_taken(const std::vector<webhook>& all, const webhook& w) {
  for (const auto& other : all)
    if (other.key != w.key && other.account_id == w.account_id && other.payload_url == w.payload_url)
      return true;
  return false;
}

// The webhook named by the `id` parameter, if the caller may manage it.
result<webhook> webhook_by_id(const context& c, const std::vector<webhook>& all) {
  std::string id = param(c.p, "id");
  if (id.empty()) return status::invalid_argument("Missing parameter id");
  for (const auto& w : all) {
    if (w.id != id) continue;
    if (!can_access(c.caller, w.account_id, w.domain_id, c.cfg.tree))
      return status::not_found("Account " + c.caller.name + " does not have permission to operate on webhook " + id);
    return w;
  }
  return status::invalid_argument("Unable to find the webhook with the specified ID");
}

answer as_answer(const status& st) {
  return st.error_code() == status::code::not_found ? denied(st.message()) : param_error(st.message());
}

// Scope rules on the owner (spec 3.3).
// The payload URL's form, then the SSRF policy of the domain it will deliver for, resolving
// its host now (as CloudStack does at create, update and test time).
status check_payload_url(const context& c, const std::string& url, const std::string& domain_id) {
  status form = validate_payload_url(url);
  if (!form) return form;
  return validate_target(url, *c.cfg.values.policy_for(domain_id, c.cfg.tree), c.resolve);
}

status check_scope(scope s, const account& owner) {
  if ((s == scope::global && !is_root_admin(owner)) || (s == scope::domain && !is_admin(owner)))
    return status::invalid_argument(std::string("Scope ") + to_string(s) + " can not be specified for owner " +
                                    owner.name);
  return status::ok();
}

void store_webhook(const context& c, webhook w, const char* object, reply_fn done) {
  const config::config& cfg = c.cfg;
  c.eng.upsert_webhook(std::move(w), [&cfg, object, done = std::move(done)](const status& st, const webhook& stored) {
    if (!st) return done(error(kInternal, kCsServerApi, st.message()));
    done(answer{200, json::object{{object, webhook_json(stored, cfg.tree, cfg.find_account(stored.account_id))}}});
  });
}

void create_webhook(const context& c, reply_fn done) {
  const auto& tree = c.cfg.tree;
  webhook w;
  w.name = param(c.p, "name");
  if (w.name.empty()) return done(param_error("Missing parameter name"));
  std::string url = param(c.p, "payloadurl");
  if (url.empty()) return done(param_error("Missing parameter payloadurl"));
  if (has_param(c.p, "projectid")) return done(param_error("Projects are not supported"));
  std::string scope_text = param(c.p, "scope"), state_text = param(c.p, "state");
  auto sc = scope_text.empty() ? std::optional<scope>(scope::local) : parse_scope(scope_text);
  if (!sc) return done(param_error("Invalid scope specified"));
  auto st = state_text.empty() ? std::optional<webhook_state>(webhook_state::enabled) : parse_state(state_text);
  if (!st) return done(param_error("Invalid state specified"));
  auto ssl = bool_param(c.p, "sslverification", false);
  if (!ssl) return done(param_error(ssl.error().message()));

  // Owner: `account` in `domainid`, else the caller (CloudStack's finalizeOwner).
  std::string account_name = param(c.p, "account"), domain = param(c.p, "domainid");
  if (!domain.empty() && !tree.contains(domain)) return done(param_error("Unable to find domain by id " + domain));
  if (!domain.empty() && !can_see_domain(c.caller, domain, tree))
    return done(denied("Account " + c.caller.name + " does not have permission to access domain " + domain));
  const account* owner = &c.caller;
  if (!account_name.empty()) {
    if (domain.empty()) return done(param_error("account must be used with domainid"));
    owner = nullptr;
    for (const auto& a : c.cfg.accounts)
      if (a.name == account_name && a.domain_id == domain) owner = &a;
    if (!owner) return done(param_error("Unable to find account " + account_name + " in domain " + domain));
    if (!can_access(c.caller, owner->id, owner->domain_id, tree))
      return done(denied("Account " + c.caller.name + " does not have permission to access account " + account_name));
  }
  status scope_ok = check_scope(*sc, *owner);
  if (!scope_ok) return done(param_error(scope_ok.message()));

  w.id = make_uuid();
  w.description = param(c.p, "description");
  w.account_id = owner->id;
  w.domain_id = *sc == scope::domain && !domain.empty() ? domain : owner->domain_id;
  if (*sc == scope::domain && owner->role == account_role::domain_admin && !tree.is_within(w.domain_id, owner->domain_id))
    return done(denied("Domain " + w.domain_id + " is outside the domain of owner " + owner->name));
  w.payload_url = normalize_payload_url(url);
  w.secret_key = param(c.p, "secretkey");
  w.ssl_verification = *ssl;
  w.scope_ = *sc;
  w.state = *st;
  w.created_ms = system_clock_source().now_ms();
  status url_ok = check_payload_url(c, w.payload_url, w.domain_id);
  if (!url_ok) return done(param_error(url_ok.message()));
  if (w.ssl_verification && w.payload_url.rfind("https://", 0) != 0)
    return done(param_error("SSL verification can be specified only for HTTPS URLs, " + w.payload_url));
  auto all = all_webhooks(c);
  if (!all) return done(error(kInternal, kCsServerApi, all.error().message()));
  if (url_taken(*all, w))
    return done(param_error("Payload URL: " + w.payload_url + " is already in use by another webhook"));
  store_webhook(c, std::move(w), "webhook", std::move(done));
}

void update_webhook(const context& c, reply_fn done) {
  auto all = all_webhooks(c);
  if (!all) return done(error(kInternal, kCsServerApi, all.error().message()));
  auto found = webhook_by_id(c, *all);
  if (!found) return done(as_answer(found.error()));
  webhook w = *found;
  const account* owner = c.cfg.find_account(w.account_id);
  if (!owner) return done(error(kInternal, kCsServerApi, "the webhook's owner account is not configured"));
  if (!param(c.p, "name").empty()) w.name = param(c.p, "name");
  if (has_param(c.p, "description")) w.description = param(c.p, "description");
  if (has_param(c.p, "state")) {
    auto st = parse_state(param(c.p, "state"));
    if (!st) return done(param_error("Invalid state specified"));
    w.state = *st;
  }
  if (has_param(c.p, "scope")) {
    auto sc = parse_scope(param(c.p, "scope"));
    if (!sc) return done(param_error("Invalid scope specified"));
    status scope_ok = check_scope(*sc, *owner);
    if (!scope_ok) return done(param_error(scope_ok.message()));
    if (*sc != scope::domain) w.domain_id = owner->domain_id;
    w.scope_ = *sc;
  }
  if (!param(c.p, "payloadurl").empty()) {
    w.payload_url = normalize_payload_url(param(c.p, "payloadurl"));
    status url_ok = check_payload_url(c, w.payload_url, w.domain_id);
    if (!url_ok) return done(param_error(url_ok.message()));
    if (url_taken(*all, w))
      return done(param_error("Payload URL: " + w.payload_url + " is already in use by another webhook"));
  }
  if (has_param(c.p, "secretkey")) w.secret_key = param(c.p, "secretkey");  // blank clears it
  auto ssl = bool_param(c.p, "sslverification", w.ssl_verification);
  if (!ssl) return done(param_error(ssl.error().message()));
  w.ssl_verification = *ssl;
  if (w.ssl_verification && w.payload_url.rfind("https://", 0) != 0)
    return done(param_error("SSL verification can be specified only for HTTPS URLs, " + w.payload_url));
  if (storage::encode(w) == storage::encode(*found))  // nothing changed: nothing written
    return done(answer{200, json::object{{"webhook", webhook_json(w, c.cfg.tree, owner)}}});
  store_webhook(c, std::move(w), "webhook", std::move(done));
}

void delete_webhook(const context& c, reply_fn done) {
  auto all = all_webhooks(c);
  if (!all) return done(error(kInternal, kCsServerApi, all.error().message()));
  auto found = webhook_by_id(c, *all);
  if (!found) return done(as_answer(found.error()));
  c.eng.delete_webhook(found->key, [done = std::move(done)](const status& st) {
    if (!st) return done(error(kInternal, kCsServerApi, st.message()));
    done(answer{200, json::object{{"success", true}}});
  });
}

void delete_webhook_delivery(const context& c, reply_fn done) {
  auto records = select_records(c, false);
  if (!records) return done(selection_error(records.error()));
  std::vector<std::pair<std::uint64_t, std::uint64_t>> keys;
  for (const auto& r : *records) keys.emplace_back(r.webhook_key, r.seq);
  c.eng.delete_records(std::move(keys), [done = std::move(done)](const status& st) {
    if (!st) return done(error(kInternal, kCsServerApi, st.message()));
    done(answer{200, json::object{{"success", true}}});
  });
}

void execute_webhook_delivery(const context& c, reply_fn done) {
  std::string id = param(c.p, "id"), webhook_id = param(c.p, "webhookid"), url = param(c.p, "payloadurl");
  if (id.empty() && webhook_id.empty() && url.empty())
    return done(param_error("One of the id, webhookid or payloadurl must be specified"));
  if (!id.empty() && (!webhook_id.empty() || !url.empty()))
    return done(param_error("id cannot be specified with webhookid or payloadurl"));
  auto all = all_webhooks(c);
  if (!all) return done(error(kInternal, kCsServerApi, all.error().message()));
  manual_delivery d;
  std::string settings_domain = c.caller.domain_id;
  if (!id.empty()) {  // redeliver a stored delivery to the webhook as it is now
    auto records = select_records(c, false);
    if (!records) return done(selection_error(records.error()));
    const delivery_record& r = records->front();
    auto hook = std::find_if(all->begin(), all->end(), [&](const webhook& w) { return w.key == r.webhook_key; });
    if (hook == all->end()) return done(param_error("Invalid Webhook specified"));
    d.hook = *hook;
    d.event_id = r.event_id;
    d.event_type = r.event_type;
    d.account_id = r.account_id;
    d.payload = r.payload;
    d.record = true;
    settings_domain = hook->domain_id;
  } else {
    if (!webhook_id.empty()) {
      auto hook = std::find_if(all->begin(), all->end(), [&](const webhook& w) { return w.id == webhook_id; });
      if (hook == all->end()) return done(param_error("Invalid Webhook specified"));
      if (!can_access(c.caller, hook->account_id, hook->domain_id, c.cfg.tree))
        return done(denied("Account " + c.caller.name + " does not have permission to operate on webhook " + webhook_id));
      d.hook = *hook;
      settings_domain = hook->domain_id;
    } else {  // an ad-hoc URL: a stand-in webhook owned by the caller
      d.hook.id = make_uuid();
      d.hook.name = "Test";
      d.hook.account_id = c.caller.id;
      d.hook.domain_id = c.caller.domain_id;
    }
    if (!url.empty()) {
      d.hook.payload_url = normalize_payload_url(url);
      status url_ok = check_payload_url(c, d.hook.payload_url, settings_domain);
      if (!url_ok) return done(param_error(url_ok.message()));
    }
    if (!param(c.p, "secretkey").empty()) d.hook.secret_key = param(c.p, "secretkey");
    auto ssl = bool_param(c.p, "sslverification", d.hook.ssl_verification);
    if (!ssl) return done(param_error(ssl.error().message()));
    d.hook.ssl_verification = *ssl;
    if (d.hook.ssl_verification && d.hook.payload_url.rfind("https://", 0) != 0)
      return done(param_error("SSL verification can be specified only for HTTPS URLs, " + d.hook.payload_url));
    d.event_id = make_uuid();
    d.event_type = "TEST.WEBHOOK";
    d.account_id = d.hook.account_id;
    d.payload = param(c.p, "payload").empty() ? R"({ "CloudStack": "works!" })" : param(c.p, "payload");
  }
  auto settings = c.cfg.values.delivery_for(settings_domain, c.cfg.tree);
  d.tries = settings.retry.tries;
  d.timeout_ms = settings.timeout_ms;
  d.policy = settings.policy;
  bool test = !d.record;
  c.eng.execute_delivery(std::move(d), [test, done = std::move(done)](const status& st, const delivery_record& r) {
    if (!st) return done(error(kInternal, kCsServerApi, st.message()));
    json::object o = delivery_json(r);
    if (test) o.erase("eventid");  // CloudStack's test response has none
    done(answer{200, json::object{{"webhookdelivery", std::move(o)}}});
  });
}

// ---- filters -------------------------------------------------------------------------------

// The webhook named by `webhookid`, if the caller may manage it.
result<webhook> webhook_param(const context& c, const std::vector<webhook>& all) {
  std::string id = param(c.p, "webhookid");
  for (const auto& w : all) {
    if (w.id != id) continue;
    if (!can_access(c.caller, w.account_id, w.domain_id, c.cfg.tree))
      return status::not_found("Account " + c.caller.name + " does not have permission to operate on webhook " + id);
    return w;
  }
  return status::invalid_argument("Invalid Webhook specified");
}

result<std::vector<webhook_filter>> filters_of(const context& c, std::uint64_t webhook_key) {
  std::vector<webhook_filter> out;
  status st = c.store.for_each_filter([&](webhook_filter&& f) {
    if (webhook_key == 0 || f.webhook_key == webhook_key) out.push_back(std::move(f));
  });
  if (!st) return st;
  return out;
}

void add_webhook_filter(const context& c, reply_fn done) {
  if (param(c.p, "webhookid").empty()) return done(param_error("Missing parameter webhookid"));
  auto all = all_webhooks(c);
  if (!all) return done(error(kInternal, kCsServerApi, all.error().message()));
  auto hook = webhook_param(c, *all);
  if (!hook) return done(as_answer(hook.error()));
  webhook_filter f;
  std::string mode = param(c.p, "mode"), match = param(c.p, "matchtype");
  auto m = mode.empty() ? std::optional<filter_mode>(filter_mode::include) : parse_filter_mode(mode);
  if (!m) return done(param_error("Invalid mode specified"));
  auto mt = match.empty() ? std::optional<match_type>(match_type::exact) : parse_match_type(match);
  if (!mt) return done(param_error("Invalid match type specified"));
  if (has_param(c.p, "type") && lower(param(c.p, "type")) != "eventtype")
    return done(param_error("Invalid type specified"));
  f.mode = *m;
  f.match = *mt;
  f.value = param(c.p, "value");
  if (f.value.empty()) return done(param_error("Missing parameter value"));
  if (f.value.size() > 256) return done(param_error("value must be at most 256 characters"));
  f.id = make_uuid();
  f.created_ms = system_clock_source().now_ms();
  auto existing = filters_of(c, hook->key);
  if (!existing) return done(error(kInternal, kCsServerApi, existing.error().message()));
  if (const webhook_filter* clash = conflicting_filter(*existing, f))
    return done(param_error("Conflicting Webhook filter exists ID: " + std::to_string(clash->key)));
  webhook owner = *hook;
  c.eng.change_filters(hook->key, {f}, {},
                       [owner, done = std::move(done)](const status& st, const std::vector<webhook_filter>& added) {
                         if (!st || added.empty()) return done(error(kInternal, kCsServerApi, st.message()));
                         done(answer{200, json::object{{"webhookfilter", filter_json(added.front(), owner)}}});
                       });
}

answer list_webhook_filters(const context& c) {
  auto all = all_webhooks(c);
  if (!all) return error(kInternal, kCsServerApi, all.error().message());
  std::uint64_t only = 0;
  if (!param(c.p, "webhookid").empty()) {
    auto hook = webhook_param(c, *all);
    if (!hook) return as_answer(hook.error());
    only = hook->key;
  }
  auto filters = filters_of(c, only);
  if (!filters) return error(kInternal, kCsServerApi, filters.error().message());
  std::map<std::uint64_t, const webhook*> by_key;
  for (const auto& w : *all) by_key[w.key] = &w;
  std::string id = param(c.p, "id");
  std::sort(filters->begin(), filters->end(),
            [](const webhook_filter& a, const webhook_filter& b) { return a.key > b.key; });
  std::vector<json::object> out;
  for (const auto& f : *filters) {
    auto hook = by_key.find(f.webhook_key);
    if (hook == by_key.end()) continue;
    const webhook& w = *hook->second;
    if (!can_access(c.caller, w.account_id, w.domain_id, c.cfg.tree)) continue;  // CloudStack checks none
    if (!id.empty() && f.id != id) continue;
    out.push_back(filter_json(f, w));
  }
  return from(list_answer("webhookfilter", std::move(out), c.p));
}

void delete_webhook_filter(const context& c, reply_fn done) {
  std::string id = param(c.p, "id"), webhook_id = param(c.p, "webhookid");
  if (id.empty() && webhook_id.empty()) return done(param_error("One of id or webhookid must be specified"));
  auto all = all_webhooks(c);
  if (!all) return done(error(kInternal, kCsServerApi, all.error().message()));
  std::optional<webhook> hook;
  if (!webhook_id.empty()) {
    auto h = webhook_param(c, *all);
    if (!h) return done(as_answer(h.error()));
    hook = *h;
  }
  auto filters = filters_of(c, hook ? hook->key : 0);
  if (!filters) return done(error(kInternal, kCsServerApi, filters.error().message()));
  std::vector<std::uint64_t> remove;
  std::uint64_t webhook_key = hook ? hook->key : 0;
  for (const auto& f : *filters) {
    if (!id.empty() && f.id != id) continue;
    if (!hook) {  // by id alone: the filter's webhook must be the caller's to manage
      auto w = std::find_if(all->begin(), all->end(), [&](const webhook& x) { return x.key == f.webhook_key; });
      if (w == all->end()) continue;
      if (!can_access(c.caller, w->account_id, w->domain_id, c.cfg.tree))
        return done(denied("Account " + c.caller.name + " does not have permission to operate on this filter"));
      webhook_key = w->key;
    }
    remove.push_back(f.key);
  }
  if (remove.empty()) return done(answer{200, json::object{{"success", true}}});  // nothing matched
  c.eng.change_filters(webhook_key, {}, std::move(remove),
                       [done = std::move(done)](const status& st, const std::vector<webhook_filter>&) {
                         if (!st) return done(error(kInternal, kCsServerApi, st.message()));
                         done(answer{200, json::object{{"success", true}}});
                       });
}

using command_fn = std::function<void(const context&, reply_fn)>;

// Reads answer at once; changes answer after they are stored.
template <answer (*F)(const context&)>
void now(const context& c, reply_fn done) {
  done(F(c));
}

const std::map<std::string, command_fn>& commands() {
  static const std::map<std::string, command_fn> table = {
      {"listDomains", now<list_domains>},
      {"listAccounts", now<list_accounts>},
      {"listWebhooks", now<list_webhooks>},
      {"listWebhookDeliveries", now<list_webhook_deliveries>},
      {"createWebhook", create_webhook},
      {"updateWebhook", update_webhook},
      {"deleteWebhook", delete_webhook},
      {"deleteWebhookDelivery", delete_webhook_delivery},
      {"executeWebhookDelivery", execute_webhook_delivery},
      {"addWebhookFilter", add_webhook_filter},
      {"listWebhookFilters", now<list_webhook_filters>},
      {"deleteWebhookFilter", delete_webhook_filter},
  };
  return table;
}

// The parameters each command takes (lower case; CloudStack's lookups ignore case), beyond
// the request's own (command, response, apikey, signature, signatureversion, expires).
// Anything else is refused: CloudStack ignores unknown parameters, so a misspelt
// "paylodurl" on updateWebhook would silently change nothing.
const std::map<std::string, std::set<std::string>>& command_params() {
  static const std::set<std::string> list = {"keyword", "page", "pagesize"};
  auto with_list = [](std::set<std::string> s) {
    s.insert(list.begin(), list.end());
    return s;
  };
  static const std::map<std::string, std::set<std::string>> table = {
      {"listDomains", with_list({"id", "name", "level", "listall", "isrecursive", "details"})},
      {"listAccounts", with_list({"id", "name", "domainid", "listall", "isrecursive", "accounttype",
                                  "state", "details", "iscleanuprequired", "roleid"})},
      {"listWebhooks", with_list({"id", "name", "state", "scope", "account", "domainid", "isrecursive",
                                  "listall", "projectid"})},
      {"listWebhookDeliveries", with_list({"id", "webhookid", "managementserverid", "startdate",
                                           "enddate", "eventtype"})},
      {"createWebhook", {"name", "description", "payloadurl", "secretkey", "sslverification", "scope",
                         "state", "account", "domainid", "projectid"}},
      {"updateWebhook", {"id", "name", "description", "payloadurl", "secretkey", "sslverification",
                         "scope", "state"}},
      {"deleteWebhook", {"id"}},
      {"deleteWebhookDelivery", {"id", "webhookid", "managementserverid", "startdate", "enddate"}},
      {"executeWebhookDelivery", {"id", "webhookid", "payloadurl", "secretkey", "sslverification",
                                  "payload"}},
      {"addWebhookFilter", {"webhookid", "type", "mode", "matchtype", "value"}},
      {"listWebhookFilters", with_list({"id", "webhookid"})},
      {"deleteWebhookFilter", {"id", "webhookid"}},
  };
  return table;
}

// CloudStack's column sizes: 255 characters unless the parameter says otherwise.
size_t max_length(const std::string& name) {
  if (name == "description") return 4096;
  if (name == "payload") return 65535;
  return 255;
}

// Unknown parameters, over-long values (in characters, as CloudStack counts them).
std::optional<answer> check_params(const std::string& command, const api_params& p) {
  static const std::set<std::string> request = {"command", "response", "apikey", "signature",
                                                "signatureversion", "expires"};
  const auto& known = command_params().at(command);
  std::vector<std::string> unknown;
  for (const auto& [raw, value] : p) {
    std::string name = lower(raw);
    if (request.count(name)) continue;
    if (!known.count(name)) {
      unknown.push_back(raw);
      continue;
    }
    if (utf8_length(value) > max_length(name))
      return param_error("Value greater than max allowed length " + std::to_string(max_length(name)) +
                         " for param: " + name);
  }
  if (unknown.empty()) return std::nullopt;
  std::string list;
  for (const auto& u : unknown) list += (list.empty() ? "" : ", ") + u;
  return param_error("Unknown parameter" + std::string(unknown.size() > 1 ? "s" : "") + " for " +
                     command + ": " + list);
}

net::outgoing_response envelope(const std::string& command, const answer& a) {
  net::outgoing_response r;
  r.status = a.http;
  r.content_type = "application/json; charset=UTF-8";
  std::string key = command.empty() ? "errorresponse" : lower(command) + "response";
  r.body = json::serialize(json::object{{key, a.body}});
  return r;
}

}  // namespace

api_endpoint::api_endpoint(engine& e, const config::config& cfg, resolver resolve)
    : engine_(e), cfg_(cfg), resolve_(std::move(resolve)), worker_([this] { run_worker(); }) {}

api_endpoint::~api_endpoint() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  worker_.join();
}

void api_endpoint::run_worker() {
  pthread_setname_np(pthread_self(), "hs-api-dns");
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;  // stopping, and every request taken has been answered
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

void api_endpoint::handle(net::incoming_request&& req, net::responder respond) {
  std::string query = req.target.find('?') == std::string::npos ? "" : req.target.substr(req.target.find('?') + 1);
  std::string text = query;
  if (req.method == "POST") {
    if (!text.empty() && !req.body.empty()) text += '&';
    text += req.body;
  } else if (req.method != "GET") {
    return respond(envelope("", error(405, kCsServerApi, "use GET or POST")));
  }
  auto parsed = parse_api_params(text);
  if (!parsed) return respond(envelope("", param_error(parsed.error().message())));
  const api_params& p = *parsed;
  for (const auto& [name, value] : p)
    if (!is_valid_utf8(name) || !is_valid_utf8(value))
      return respond(envelope("", param_error("Parameter " + (is_valid_utf8(name) ? name : std::string("name")) +
                                              " is not valid UTF-8")));
  std::string command = param(p, "command");
  std::string format = lower(param(p, "response"));
  if (!format.empty() && format != "json")
    return respond(envelope(command, param_error("response=" + format + " is not supported; use response=json")));

  // Authentication (CloudStack's ApiServer.verifyRequest).
  const std::string unauthorized = "unable to verify user credentials and/or request signature";
  std::string api_key = param(p, "apiKey");
  const account* caller = nullptr;
  for (const auto& a : cfg_.accounts)
    if (!a.api_key.empty() && a.api_key == api_key) caller = &a;
  if (!caller || !verify_api_signature(p, caller->secret_key, param(p, "signature")))
    return respond(envelope(command, error(kUnauthorized, kCsServerApi, unauthorized)));
  if (param(p, "signatureVersion") == "3") {
    auto expires = parse_expires(param(p, "expires"));
    if (!expires) return respond(envelope(command, error(kUnauthorized, kCsServerApi, unauthorized)));
    if (*expires < clock_.now_ms())
      return respond(envelope(command, error(kUnauthorized, kCsServerApi,
                                             "the request has expired (expires=" + param(p, "expires") + ")")));
  }
  auto it = commands().find(command);
  if (it == commands().end())
    return respond(envelope(command, error(kUnsupported, kCsServerApi,
                                           "The given command:" + command +
                                               " does not exist or it is not available for user")));
  if (auto refused = check_params(command, p)) return respond(envelope(command, *refused));
  auto reply = [command, respond = std::move(respond)](answer a) { respond(envelope(command, a)); };
  // A payload URL is resolved (DNS) to check it, which may take as long as the resolver does:
  // never on this thread, which also serves intake. Such commands run on the API's own
  // worker, one at a time; everything else answers here.
  if (!param(p, "payloadurl").empty()) {
    std::lock_guard lock(mutex_);
    tasks_.push_back([this, fn = it->second, caller, params = p, reply = std::move(reply)]() mutable {
      context c{cfg_, engine_.store(), *caller, params, engine_, resolve_};
      fn(c, std::move(reply));
    });
    wake_.notify_one();
    return;
  }
  context c{cfg_, engine_.store(), *caller, p, engine_, resolve_};
  it->second(c, std::move(reply));
}

}  // namespace hookshot::actors
