#include <cstdio>

#include "config/config.hpp"
#include "src/commands.hpp"

namespace hookshot::cli {

int check_config(const args& a) {
  if (wants_help(a) || a.size() != 1) {
    std::fputs(
        "usage: hookshot check-config FILE\n"
        "Validates FILE as hookshot serve would; prints a summary, or the first error\n"
        "naming its key. Exit 0 when valid, 1 when not.\n",
        wants_help(a) ? stdout : stderr);
    return wants_help(a) ? 0 : 2;
  }
  auto cfg = config::load_config(a[0]);
  if (!cfg) {
    std::fprintf(stderr, "hookshot: invalid config: %s\n", cfg.error().message().c_str());
    return 1;
  }
  std::printf(
      "%s: ok (listen %s, data_dir %s, durability %s, %zu domains, %zu accounts, "
      "%zu webhooks)\n",
      a[0].c_str(), cfg->listen.c_str(), cfg->data_dir.c_str(), cfg->fsync ? "fsync" : "os",
      cfg->domains.size(), cfg->accounts.size(), cfg->webhooks.size());
  return 0;
}

}  // namespace hookshot::cli
