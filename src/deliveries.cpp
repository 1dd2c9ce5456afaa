#include <boost/json.hpp>
#include <cstdio>
#include <map>

#include "core/cloudstack_json.hpp"
#include "src/commands.hpp"
#include "storage/lmdb_store.hpp"

namespace hookshot::cli {
namespace {

const char* kHelp =
    "usage: hookshot deliveries --data-dir DIR [--webhook ID|NAME] [--limit N]\n"
    "Prints, as JSON, every webhook stored in DIR with its pending deliveries (in all, and by\n"
    "attempts already made) and\n"
    "its newest delivery records (newest first, CloudStack's fields plus httpstatus,\n"
    "attempts and durationms). Safe while hookshot serve runs on DIR: it only reads.\n";

}  // namespace

int deliveries(const args& a) {
  if (wants_help(a)) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  std::string dir, only, limit_text = "1000";
  for (size_t i = 0; i < a.size(); ++i) {
    if (take_flag(a, i, "--data-dir", dir) || take_flag(a, i, "--webhook", only) ||
        take_flag(a, i, "--limit", limit_text))
      continue;
    std::fprintf(stderr, "hookshot deliveries: unknown argument '%s'\n\n%s", a[i].c_str(), kHelp);
    return 2;
  }
  if (dir.empty()) {
    std::fprintf(stderr, "hookshot deliveries: --data-dir is required\n\n%s", kHelp);
    return 2;
  }
  auto store = storage::lmdb_store::open_reader(dir);
  if (!store) {
    std::fprintf(stderr, "hookshot deliveries: %s\n", store.error().message().c_str());
    return 1;
  }
  std::map<std::uint64_t, webhook> hooks;
  std::map<std::uint64_t, size_t> pending;
  std::map<std::uint64_t, std::map<std::uint32_t, size_t>> by_attempts;
  status st = (*store)->for_each_webhook([&](webhook&& w) { hooks.emplace(w.key, std::move(w)); });
  if (st)
    st = (*store)->for_each_pending([&](pending_delivery&& p) {
      ++pending[p.webhook_key];
      ++by_attempts[p.webhook_key][p.attempts];
    });
  if (!st) {
    std::fprintf(stderr, "hookshot deliveries: %s\n", st.message().c_str());
    return 1;
  }
  // The logs as one snapshot holds them (a server running on DIR trims records meanwhile).
  auto logs = (*store)->recent_deliveries_at_snapshot(std::strtoul(limit_text.c_str(), nullptr, 10));
  if (!logs) {
    std::fprintf(stderr, "hookshot deliveries: %s\n", logs.error().message().c_str());
    return 1;
  }
  boost::json::array out;
  for (const auto& [key, w] : hooks) {
    if (!only.empty() && only != w.id && only != w.name) continue;
    static const std::vector<delivery_record> kNone;
    auto found = logs->find(key);
    const auto& records = found == logs->end() ? kNone : found->second;
    boost::json::object attempts;
    for (const auto& [n, count] : by_attempts[key]) attempts[std::to_string(n)] = count;
    boost::json::array list;
    for (const auto& r : records) list.push_back(delivery_json(r));
    out.push_back(boost::json::object{{"id", w.id},
                                      {"name", w.name},
                                      {"payloadurl", w.payload_url},
                                      {"scope", to_string(w.scope_)},
                                      {"state", to_string(w.state)},
                                      {"pending", pending[key]},
                                      {"pending_by_attempts", std::move(attempts)},
                                      {"webhookdelivery", std::move(list)}});
  }
  std::printf("%s\n", boost::json::serialize(boost::json::object{{"webhook", out}}).c_str());
  return 0;
}

}  // namespace hookshot::cli
