#include "core/uuid.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <iterator>
#include <set>
#include <thread>
#include <vector>

using hookshot::make_uuid;

namespace {

bool well_formed(const std::string& u) {
  if (u.size() != 36) return false;
  for (size_t i = 0; i < u.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (u[i] == '-')) return false;
    if (!dash && !std::isxdigit(static_cast<unsigned char>(u[i]))) return false;
    if (!dash && std::isupper(static_cast<unsigned char>(u[i]))) return false;
  }
  return u[14] == '4' && std::string("89ab").find(u[19]) != std::string::npos;
}

}  // namespace

TEST_CASE("make_uuid gives distinct version 4 UUIDs across its buffer refills") {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {  // 256 per refill: about 40 refills
    std::string u = make_uuid();
    REQUIRE(well_formed(u));
    seen.insert(u);
  }
  CHECK(seen.size() == 10000);
}

TEST_CASE("make_uuid gives different UUIDs on different threads") {
  std::vector<std::string> a, b;
  std::thread t1([&] { for (int i = 0; i < 1000; ++i) a.push_back(make_uuid()); });
  std::thread t2([&] { for (int i = 0; i < 1000; ++i) b.push_back(make_uuid()); });
  t1.join();
  t2.join();
  std::set<std::string> all(a.begin(), a.end());
  all.insert(b.begin(), b.end());
  CHECK(all.size() == 2000);
}

TEST_CASE("a forked child does not repeat the parent's buffered randomness") {
  make_uuid();  // the pool now holds bytes for 255 more
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::string u = make_uuid();
    ssize_t n = write(fds[1], u.data(), u.size());
    _exit(n == 36 ? 0 : 1);
  }
  close(fds[1]);
  std::string parent_next = make_uuid();
  char buf[36];
  REQUIRE(read(fds[0], buf, sizeof buf) == 36);
  close(fds[0]);
  int st = 0;
  waitpid(pid, &st, 0);
  CHECK(WIFEXITED(st));
  std::string child_next(buf, sizeof buf);
  CHECK(well_formed(child_next));
  CHECK(child_next != parent_next);
}

TEST_CASE("make_uuid into a buffer writes every one of its 36 characters") {
  char text[36];
  std::fill(std::begin(text), std::end(text), '?');  // nothing left over from before
  make_uuid(text);
  std::string u(text, sizeof text);
  CHECK(well_formed(u));
  CHECK(u != make_uuid());
}
