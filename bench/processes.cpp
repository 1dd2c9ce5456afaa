#include "bench/processes.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

namespace hookshot::bench {

result<child> child::spawn(const std::vector<std::string>& args, const std::string& log_file,
                           const std::string& exe) {
  int fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return status::io_error("cannot open " + log_file + ": " + std::strerror(errno));
  std::vector<char*> argv;
  std::string path = exe.empty() ? "/proc/self/exe" : exe;
  argv.push_back(path.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    ::close(fd);
    return status::io_error(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    dup2(fd, 1);
    dup2(fd, 2);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execv(path.c_str(), argv.data());
    std::fprintf(stderr, "cannot run %s: %s\n", path.c_str(), std::strerror(errno));
    _exit(127);
  }
  ::close(fd);
  child c;
  c.pid_ = pid;
  return c;
}

child::child(child&& o) noexcept : pid_(std::exchange(o.pid_, -1)) {}
child& child::operator=(child&& o) noexcept {
  if (this != &o) {
    stop(2000);
    pid_ = std::exchange(o.pid_, -1);
  }
  return *this;
}
child::~child() { stop(5000); }

bool child::running() const {
  if (pid_ <= 0) return false;
  siginfo_t info{};
  // WNOWAIT: look without reaping, so stop() still collects the exit status.
  if (waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0) return false;
  return info.si_pid == 0;
}

int child::stop(long timeout_ms) {
  if (pid_ <= 0) return 0;
  ::kill(pid_, SIGTERM);
  int st = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (waitpid(pid_, &st, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      waitpid(pid_, &st, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
}

void child::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int st = 0;
  waitpid(pid_, &st, 0);
  pid_ = -1;
}

namespace {

// What /proc/.../stat says of a process or thread: its name, CPU and page faults.
struct stat_line {
  std::string name;
  double cpu_seconds = 0;  // utime + stime
  double faults = 0;       // minflt + majflt
};

stat_line read_stat(const std::string& stat_path) {
  std::ifstream f(stat_path);
  std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  stat_line out;
  auto open_paren = all.find('('), close_paren = all.rfind(')');
  if (open_paren == std::string::npos || close_paren == std::string::npos) return out;
  out.name = all.substr(open_paren + 1, close_paren - open_paren - 1);
  std::istringstream rest(all.substr(close_paren + 2));
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 10 || i == 12) out.faults += std::stod(field);
    if (i == 14) utime = std::stod(field);
    if (i == 15) stime = std::stod(field);
  }
  out.cpu_seconds = (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  return out;
}

}  // namespace

double process_cpu_seconds(pid_t pid) {
  return read_stat("/proc/" + std::to_string(pid) + "/stat").cpu_seconds;
}

double child::cpu_seconds() const { return process_cpu_seconds(pid_); }

std::map<std::string, thread_usage> thread_usage_by_role(pid_t pid) {
  std::map<std::string, thread_usage> by_role;
  std::string task_dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* dir = opendir(task_dir.c_str());
  if (!dir) return by_role;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    std::string thread_dir = task_dir + "/" + entry->d_name;
    stat_line stat = read_stat(thread_dir + "/stat");
    const std::string& name = stat.name;
    const char* role = name == "hs-http"     ? "http"
                       : name == "hs-writer" ? "writer"
                       : name == "hs-server" ? "intake"
                       : name.rfind("caf.", 0) == 0 ? "actors"
                                                    : "other";
    thread_usage& u = by_role[role];
    u.cpu_seconds += stat.cpu_seconds;
    u.faults += stat.faults;
    std::ifstream status(thread_dir + "/status");
    std::string line;
    while (std::getline(status, line))
      if (line.rfind("voluntary_ctxt_switches:", 0) == 0 ||
          line.rfind("nonvoluntary_ctxt_switches:", 0) == 0)
        u.switches += std::strtod(line.c_str() + line.find(':') + 1, nullptr);
    std::ifstream io(thread_dir + "/io");
    while (std::getline(io, line))
      if (line.rfind("wchar:", 0) == 0) u.written_bytes += std::strtod(line.c_str() + 6, nullptr);
  }
  closedir(dir);
  return by_role;
}

namespace {

long status_field_kib(pid_t pid, const char* name) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind(name, 0) == 0) return std::strtol(line.c_str() + std::strlen(name), nullptr, 10);
  return 0;
}

}  // namespace

long child::peak_rss_kib() const { return status_field_kib(pid_, "VmHWM:"); }
long child::rss_kib() const { return status_field_kib(pid_, "VmRSS:"); }
long child::anon_kib() const { return status_field_kib(pid_, "RssAnon:"); }

std::uint16_t free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool wait_until_up(const std::string& url, long timeout_ms, const child* server) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = http_get(url, nullptr, 500);
    if (r && *r == 200) return true;
    if (server && !server->running()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

status not_started(const std::string& what, const child& server, const std::string& log_name) {
  return status::unavailable(what + (server.running() ? " did not start" : " exited at start") +
                             " (see " + log_name + ")");
}

std::int64_t wall_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

double mono_seconds() {
  using namespace std::chrono;
  return duration_cast<duration<double>>(steady_clock::now().time_since_epoch()).count();
}

double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

}  // namespace hookshot::bench
