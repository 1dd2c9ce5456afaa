#include <unistd.h>

#include <boost/json.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "config/config.hpp"

namespace hookshot::config {
namespace json = boost::json;

namespace {

// Reads typed fields of one JSON object, naming each key in errors and refusing unknown ones.
class object_reader {
 public:
  object_reader(const json::value& v, std::string path) : path_(std::move(path)) {
    if (!v.is_object()) {
      error_ = status::invalid_argument(where("") + "must be a JSON object");
      return;
    }
    obj_ = &v.as_object();
  }

  bool ok() const { return error_.is_ok(); }
  const status& error() const { return error_; }
  std::string where(const std::string& key) const {
    std::string p = path_;
    if (!key.empty()) p += (p.empty() ? "" : ".") + key;
    return p.empty() ? "" : p + ": ";
  }

  const json::value* get(const char* key) {
    seen_.insert(key);
    if (!ok() || !obj_) return nullptr;
    auto it = obj_->find(key);
    return it == obj_->end() || it->value().is_null() ? nullptr : &it->value();
  }

  void text(const char* key, std::string& out, bool required = false) {
    const json::value* v = get(key);
    if (!v) {
      if (required && ok()) fail(key, "is required");
      return;
    }
    if (!v->is_string()) return fail(key, "must be a string");
    out = std::string(v->as_string());
    if (required && out.empty()) fail(key, "must not be empty");
  }

  void boolean(const char* key, bool& out) {
    const json::value* v = get(key);
    if (!v) return;
    if (!v->is_bool()) return fail(key, "must be true or false");
    out = v->as_bool();
  }

  const json::array* array(const char* key) {
    const json::value* v = get(key);
    if (!v) return nullptr;
    if (!v->is_array()) {
      fail(key, "must be an array");
      return nullptr;
    }
    return &v->as_array();
  }

  void fail(const std::string& key, const std::string& what) {
    if (ok()) error_ = status::invalid_argument(where(key) + what);
  }

  // Call after reading every known key.
  void refuse_unknown() {
    if (!ok() || !obj_) return;
    for (const auto& kv : *obj_) {
      std::string k(kv.key());
      if (!seen_.count(k)) return fail(k, "unknown key");
    }
  }

 private:
  std::string path_;
  const json::object* obj_ = nullptr;
  std::set<std::string> seen_;
  status error_;
};

std::string indexed(const char* name, size_t i) {
  return std::string(name) + "[" + std::to_string(i) + "]";
}

status read_settings(const json::value& v, const std::string& path, bool domain_level,
                     settings::values& out) {
  if (!v.is_object()) return status::invalid_argument(path + ": must be a JSON object");
  for (const auto& kv : v.as_object()) {
    std::string key(kv.key());
    const setting_spec* spec = find_setting(key);
    if (!spec) return status::invalid_argument(path + "." + key + ": unknown setting");
    if (domain_level && !spec->domain_scoped)
      return status::invalid_argument(path + "." + key +
                                      ": is a global setting and cannot be set per domain");
    std::string value;
    if (kv.value().is_string())
      value = std::string(kv.value().as_string());
    else if (kv.value().is_int64())
      value = std::to_string(kv.value().as_int64());
    else if (kv.value().is_uint64())
      value = std::to_string(kv.value().as_uint64());
    else if (kv.value().is_bool())
      value = kv.value().as_bool() ? "true" : "false";
    else
      return status::invalid_argument(path + "." + key + ": must be a string, an integer or a boolean");
    status st = validate_setting(*spec, value);
    if (!st) return status::invalid_argument(path + "." + st.message());
    out[key] = value;
  }
  return status::ok();
}

std::string host_name() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

// Resolves and checks a declared webhook against the tenants (CloudStack's owner and scope
// rules, spec sections 3.3-3.5).
status resolve_webhook(object_reader& r, const config& c, const std::string& path,
                       webhook_decl& w) {
  std::string account_name, domain_id, scope_text = "Local", state_text = "Enabled", url;
  r.text("name", w.name, true);
  r.text("description", w.description);
  r.text("account", account_name, true);
  r.text("domainid", domain_id);
  r.text("payloadurl", url, true);
  r.text("secretkey", w.secret_key);
  r.boolean("sslverification", w.ssl_verification);
  r.text("scope", scope_text);
  r.text("state", state_text);
  r.refuse_unknown();
  if (!r.ok()) return r.error();
  auto sc = parse_scope(scope_text);
  if (!sc) return status::invalid_argument(path + ".scope: Invalid scope specified");
  auto st = parse_state(state_text);
  if (!st) return status::invalid_argument(path + ".state: Invalid state specified");
  w.scope_ = *sc;
  w.state = *st;
  if (!domain_id.empty() && !c.tree.contains(domain_id))
    return status::invalid_argument(path + ".domainid: unknown domain '" + domain_id + "'");
  // Owner: the account of that name (in `domainid` when given). A Domain-scoped webhook may
  // instead name a target domain below an admin owner's own domain.
  auto find_owner = [&](bool in_ancestors) -> result<const account*> {
    const account* found = nullptr;
    for (const auto& a : c.accounts) {
      if (a.name != account_name) continue;
      bool here = domain_id.empty() || a.domain_id == domain_id;
      if (in_ancestors) here = !domain_id.empty() && c.tree.is_within(domain_id, a.domain_id);
      if (!here) continue;
      if (found)
        return status::invalid_argument(path + ".account: '" + account_name +
                                        "' names several accounts; add domainid");
      found = &a;
    }
    return found;
  };
  auto owner_or = find_owner(false);
  if (owner_or && !*owner_or && w.scope_ == scope::domain) owner_or = find_owner(true);
  if (!owner_or) return owner_or.error();
  const account* owner = *owner_or;
  if (!owner)
    return status::invalid_argument(path + ".account: no account named '" + account_name + "'" +
                                    (domain_id.empty() ? "" : " in domain '" + domain_id + "'"));
  w.account_id = owner->id;
  w.domain_id = owner->domain_id;
  bool root_admin = owner->role == account_role::admin && owner->domain_id == c.tree.root_id();
  bool admin = owner->role != account_role::user;
  if ((w.scope_ == scope::global && !root_admin) || (w.scope_ == scope::domain && !admin))
    return status::invalid_argument(path + ".scope: Scope " + to_string(w.scope_) +
                                    " can not be specified for owner " + owner->name);
  if (w.scope_ == scope::domain && !domain_id.empty()) w.domain_id = domain_id;
  w.payload_url = normalize_payload_url(url);
  if (w.ssl_verification && w.payload_url.rfind("https://", 0) != 0)
    return status::invalid_argument(path +
                                    ".sslverification: SSL verification can be specified "
                                    "only for HTTPS URLs, " +
                                    w.payload_url);
  return status::ok();
}

}  // namespace

const account* config::find_account(const std::string& id) const {
  auto it = account_index.find(id);
  return it == account_index.end() ? nullptr : &accounts[it->second];
}

config default_config() {
  config c;
  c.server = {"hookshot-" + host_name(), host_name()};
  c.domains = {{"ROOT", "ROOT", ""}};
  c.tree = *domain_tree::build(c.domains);
  return c;
}

result<config> parse_config(const std::string& text, const std::string& origin) {
  json::parse_options opts;
  opts.allow_comments = true;
  opts.allow_trailing_commas = true;
  json::error_code ec;
  json::value root = json::parse(text, ec, {}, opts);
  if (ec) return status::invalid_argument(origin + ": not valid JSON: " + ec.message());

  config c = default_config();
  object_reader r(root, "");
  std::string durability = "fsync";
  r.text("listen", c.listen);
  r.text("data_dir", c.data_dir);
  r.text("durability", durability);
  if (r.ok() && durability != "fsync" && durability != "os")
    r.fail("durability", "must be \"fsync\" or \"os\"");
  c.fsync = durability == "fsync";
  if (const json::value* ms = r.get("management_server")) {
    object_reader m(*ms, "management_server");
    m.text("id", c.server.id);
    m.text("name", c.server.name);
    m.refuse_unknown();
    if (!m.ok()) return m.error();
  }
  if (const json::value* in = r.get("ingest")) {
    object_reader m(*in, "ingest");
    m.text("secretkey", c.ingest_secret);
    m.refuse_unknown();
    if (!m.ok()) return m.error();
  }
  if (const json::value* sec = r.get("secrets")) {
    object_reader m(*sec, "secrets");
    m.text("key_file", c.secrets_key_file);
    m.refuse_unknown();
    if (!m.ok()) return m.error();
  }
  settings::values global;
  std::map<std::string, settings::values> per_domain;
  if (const json::value* s = r.get("settings")) {
    status st = read_settings(*s, "settings", false, global);
    if (!st) return st;
  }
  if (const json::array* ds = r.array("domains")) {
    c.domains.clear();
    for (size_t i = 0; i < ds->size(); ++i) {
      std::string path = indexed("domains", i);
      object_reader d((*ds)[i], path);
      domain dom;
      d.text("id", dom.id, true);
      d.text("name", dom.name, true);
      d.text("parent", dom.parent);
      if (const json::value* s = d.get("settings")) {
        status st = read_settings(*s, path + ".settings", true, per_domain[dom.id]);
        if (!st) return st;
      }
      d.refuse_unknown();
      if (!d.ok()) return d.error();
      c.domains.push_back(dom);
    }
    auto tree = domain_tree::build(c.domains);
    if (!tree) return status::invalid_argument("domains: " + tree.error().message());
    c.tree = std::move(*tree);
  }
  if (const json::array* as = r.array("accounts")) {
    std::set<std::string> api_keys;
    for (size_t i = 0; i < as->size(); ++i) {
      std::string path = indexed("accounts", i);
      object_reader a((*as)[i], path);
      account acc;
      std::string role = "User";
      a.text("id", acc.id, true);
      a.text("name", acc.name, true);
      a.text("domainid", acc.domain_id, true);
      a.text("role", role);
      a.text("apikey", acc.api_key);
      a.text("secretkey", acc.secret_key);
      a.refuse_unknown();
      if (!a.ok()) return a.error();
      auto parsed = parse_role(role);
      if (!parsed)
        return status::invalid_argument(path + ".role: must be Admin, DomainAdmin or User");
      acc.role = *parsed;
      if (!c.tree.contains(acc.domain_id))
        return status::invalid_argument(path + ".domainid: unknown domain '" + acc.domain_id + "'");
      if (!c.account_index.emplace(acc.id, c.accounts.size()).second)
        return status::invalid_argument(path + ".id: duplicate account id '" + acc.id + "'");
      if (!acc.api_key.empty() && !api_keys.insert(acc.api_key).second)
        return status::invalid_argument(path + ".apikey: used by another account");
      c.accounts.push_back(acc);
    }
  }
  if (const json::array* ws = r.array("webhooks")) {
    std::set<std::pair<std::string, std::string>> urls, names;
    for (size_t i = 0; i < ws->size(); ++i) {
      std::string path = indexed("webhooks", i);
      object_reader w((*ws)[i], path);
      webhook_decl decl;
      status st = resolve_webhook(w, c, path, decl);
      if (!st) return st;
      if (!urls.insert({decl.account_id, decl.payload_url}).second)
        return status::invalid_argument(path + ".payloadurl: Payload URL: " + decl.payload_url +
                                        " is already in use by another webhook");
      if (!names.insert({decl.account_id, decl.name}).second)
        return status::invalid_argument(path +
                                        ".name: another declared webhook of the same "
                                        "account has this name");
      c.webhooks.push_back(std::move(decl));
    }
  }
  r.refuse_unknown();
  if (!r.ok()) return r.error();
  c.values = settings(std::move(global), std::move(per_domain));
  // Declared URLs against the SSRF policy of their domain: scheme and IP literals now; names
  // are checked on every connection (start-up must not wait on DNS).
  for (size_t i = 0; i < c.webhooks.size(); ++i) {
    const webhook_decl& w = c.webhooks[i];
    status st = validate_target(w.payload_url, *c.values.policy_for(w.domain_id, c.tree),
                                literal_resolver());
    if (!st) return status::invalid_argument(indexed("webhooks", i) + ".payloadurl: " + st.message());
  }
  return c;
}

result<config> load_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) return status::io_error("cannot read config file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  auto c = parse_config(ss.str(), path);
  if (!c) return status::invalid_argument(path + ": " + c.error().message());
  return c;
}

}  // namespace hookshot::config
