#include "bench/machine.hpp"

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "temp_dir.hpp"

using hookshot::bench::memory_monitor_interval_ms;

namespace {

// Writes `text` to `root`/`rel`, making the directories on the way (as sysfs lays them out).
void put(const std::string& root, const std::string& rel, const std::string& text) {
  std::string path = root;
  for (size_t at = 0, slash; (slash = rel.find('/', at)) != std::string::npos; at = slash + 1) {
    path = root + "/" + rel.substr(0, slash);
    mkdir(path.c_str(), 0700);
  }
  std::ofstream(root + "/" + rel) << text;
}

}  // namespace

TEST_CASE("memory_monitor_interval_ms reads the shortest interval of the monitors that are on") {
  hookshot::testing::temp_dir dir;
  put(dir.path, "kdamonds/nr_kdamonds", "3\n");
  // Off: its 100 ms does not count.
  put(dir.path, "kdamonds/0/state", "off\n");
  put(dir.path, "kdamonds/0/contexts/nr_contexts", "1\n");
  put(dir.path, "kdamonds/0/contexts/0/monitoring_attrs/intervals/sample_us", "100000\n");
  // On, two contexts.
  put(dir.path, "kdamonds/1/state", "on\n");
  put(dir.path, "kdamonds/1/contexts/nr_contexts", "2\n");
  put(dir.path, "kdamonds/1/contexts/0/monitoring_attrs/intervals/sample_us", "500000\n");
  put(dir.path, "kdamonds/1/contexts/1/monitoring_attrs/intervals/sample_us", "250000\n");
  // On, but what it says is not a count: left out.
  put(dir.path, "kdamonds/2/state", "on\n");
  put(dir.path, "kdamonds/2/contexts/nr_contexts", "1\n");
  put(dir.path, "kdamonds/2/contexts/0/monitoring_attrs/intervals/sample_us", "-5\n");
  CHECK(memory_monitor_interval_ms(dir.path) == Approx(250.0));

  put(dir.path, "kdamonds/1/state", "off\n");
  CHECK(memory_monitor_interval_ms(dir.path) == 0);
}

TEST_CASE("memory_monitor_interval_ms is 0 where the kernel has no monitor") {
  hookshot::testing::temp_dir dir;
  CHECK(memory_monitor_interval_ms(dir.path + "/absent") == 0);
  put(dir.path, "kdamonds/nr_kdamonds", "0\n");
  CHECK(memory_monitor_interval_ms(dir.path) == 0);
}
