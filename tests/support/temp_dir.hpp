#pragma once

// A fresh directory under /tmp for one test, removed with everything in it at scope exit.

#include <cstdlib>
#include <string>

namespace hookshot::testing {

struct temp_dir {
  std::string path;
  temp_dir() {
    char tmpl[] = "/tmp/hookshot-test-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~temp_dir() { std::system(("rm -rf '" + path + "'").c_str()); }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
};

}  // namespace hookshot::testing
