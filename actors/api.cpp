#include "actors/api.hpp"

#include <strings.h>

#include <algorithm>
#include <boost/json.hpp>
#include <map>

#include "core/access.hpp"
#include "core/cloudstack_json.hpp"

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
    long n = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end || n < (std::string(name) == "pagesize" ? -1 : 1))
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
};

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

answer list_webhook_deliveries(const context& c) {
  const auto& tree = c.cfg.tree;
  std::string id = param(c.p, "id"), webhook_id = param(c.p, "webhookid"),
              ms = param(c.p, "managementserverid"), event_type = param(c.p, "eventtype"),
              keyword = param(c.p, "keyword");
  std::optional<millis> start, end;
  if (has_param(c.p, "startdate")) {
    auto t = parse_api_date(param(c.p, "startdate"));
    if (!t) return param_error("Invalid startdate specified");
    start = *t;
  }
  if (has_param(c.p, "enddate")) {
    auto t = parse_api_date(param(c.p, "enddate"));
    if (!t) return param_error("Invalid enddate specified");
    end = *t;
  }
  if (start && end && *end < *start) return param_error("Invalid enddate specified");
  if (!ms.empty()) {
    if (!is_root_admin(c.caller)) return denied("Invalid parameter specified");
    if (ms != c.cfg.server.id) return param_error("Invalid management server specified");
  }
  // Every webhook the caller may access (a domain admin's subdomains included).
  std::vector<webhook> hooks;
  status st = c.store.for_each_webhook([&](webhook&& w) {
    if (can_access(c.caller, w.account_id, w.domain_id, tree)) hooks.push_back(std::move(w));
  });
  if (!st) return error(kInternal, kCsServerApi, st.message());
  if (!webhook_id.empty()) {
    bool known = false;
    status s2 = c.store.for_each_webhook([&](webhook&& w) { known = known || w.id == webhook_id; });
    if (!s2) return error(kInternal, kCsServerApi, s2.message());
    auto it = std::find_if(hooks.begin(), hooks.end(), [&](const webhook& w) { return w.id == webhook_id; });
    if (!known) return param_error("Invalid Webhook specified");
    if (it == hooks.end()) return denied("Account " + c.caller.name + " does not have permission to access webhook " + webhook_id);
    hooks = {*it};
  }
  std::vector<delivery_record> records;
  for (const auto& w : hooks) {
    auto rs = c.store.recent_deliveries(w.key, static_cast<size_t>(-1));
    if (!rs) return error(kInternal, kCsServerApi, rs.error().message());
    for (auto& r : *rs) records.push_back(std::move(r));
  }
  if (!id.empty()) {
    auto it = std::find_if(records.begin(), records.end(), [&](const delivery_record& r) { return r.id == id; });
    if (it == records.end()) return param_error("Invalid ID specified");
  }
  std::sort(records.begin(), records.end(),
            [](const delivery_record& a, const delivery_record& b) { return a.seq > b.seq; });
  std::vector<json::object> out;
  for (const auto& r : records) {
    if (!id.empty() && r.id != id) continue;
    if (!event_type.empty() && r.event_type != event_type) continue;
    if (!keyword.empty() && r.payload.find(keyword) == std::string::npos) continue;
    if (start && r.start_ms < *start) continue;
    if (end && r.end_ms > *end) continue;
    if (!ms.empty() && r.management_server_id != ms) continue;
    out.push_back(delivery_json(r));
  }
  return from(list_answer("webhookdelivery", std::move(out), c.p));
}

using command_fn = answer (*)(const context&);

const std::map<std::string, command_fn>& commands() {
  static const std::map<std::string, command_fn> table = {
      {"listDomains", list_domains},
      {"listAccounts", list_accounts},
      {"listWebhooks", list_webhooks},
      {"listWebhookDeliveries", list_webhook_deliveries},
  };
  return table;
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

api_endpoint::api_endpoint(const engine& e, const config::config& cfg) : engine_(e), cfg_(cfg) {}

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
  context c{cfg_, engine_.store(), *caller, p};
  respond(envelope(command, it->second(c)));
}

}  // namespace hookshot::actors
