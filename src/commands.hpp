#pragma once

// The subcommands of the hookshot binary. Each takes the arguments after its name and
// returns the process exit code.

#include <string>
#include <vector>

namespace hookshot::cli {

using args = std::vector<std::string>;

int serve(const args& a);
int check_config(const args& a);
int sink(const args& a);
int deliveries(const args& a);
int bench(const args& a);
int api(const args& a);

/// True when `a` asks for help ("-h" or "--help").
bool wants_help(const args& a);

/// Reads "--name value" or "--name=value" at a[i]; advances i past what it used.
bool take_flag(const args& a, size_t& i, const std::string& name, std::string& value);

/// Blocks SIGINT and SIGTERM in this thread and every thread started after it, so that
/// wait_for_stop_signal() receives them. Call before starting any thread.
void block_stop_signals();
/// Waits for SIGINT or SIGTERM; returns its name.
const char* wait_for_stop_signal();

}  // namespace hookshot::cli
