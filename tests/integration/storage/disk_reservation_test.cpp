#include "storage/disk_reservation.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "temp_dir.hpp"

using namespace hookshot::storage;
using hookshot::testing::temp_dir;

namespace {

size_t allocated_bytes(int fd) {
  struct stat sb;
  REQUIRE(fstat(fd, &sb) == 0);
  return static_cast<size_t>(sb.st_blocks) * 512;
}

}  // namespace

TEST_CASE("a reservation backs the file with blocks a chunk at a time, up to its cap", "[storage]") {
  temp_dir dir;
  REQUIRE(disk_reservation::supported(dir.path));
  int fd = ::open((dir.path + "/file").c_str(), O_RDWR | O_CREAT, 0600);
  REQUIRE(fd >= 0);
  const size_t cap = 3 * disk_reservation::kChunk;
  REQUIRE(ftruncate(fd, static_cast<off_t>(cap)) == 0);  // sparse, as a writable map leaves it
  CHECK(allocated_bytes(fd) < 4096 * 4);

  disk_reservation r(fd);
  REQUIRE(r.ensure(1000, cap).is_ok());
  CHECK(r.reserved() == disk_reservation::kChunk);  // one chunk, not 1,000 bytes
  CHECK(allocated_bytes(fd) >= disk_reservation::kChunk);

  REQUIRE(r.ensure(disk_reservation::kChunk - 1, cap).is_ok());  // already backed: nothing to do
  CHECK(r.reserved() == disk_reservation::kChunk);

  REQUIRE(r.ensure(2 * disk_reservation::kChunk + 5, cap).is_ok());  // more than a chunk at once
  CHECK(r.reserved() == 2 * disk_reservation::kChunk + 5);

  REQUIRE(r.ensure(10 * cap, cap).is_ok());  // never past the cap (the file's size)
  CHECK(r.reserved() == cap);
  struct stat sb;
  REQUIRE(fstat(fd, &sb) == 0);
  CHECK(static_cast<size_t>(sb.st_size) == cap);
  CHECK(allocated_bytes(fd) >= cap);
  ::close(fd);
}

TEST_CASE("a reservation on a file that cannot take blocks says why", "[storage]") {
  temp_dir dir;
  int fd = ::open((dir.path + "/file").c_str(), O_RDONLY | O_CREAT, 0600);  // not writable
  REQUIRE(fd >= 0);
  disk_reservation r(fd);
  auto st = r.ensure(4096, 1 << 20);
  CHECK_FALSE(st.is_ok());
  CHECK(st.message() == "cannot reserve disk space for the data file: Bad file descriptor");
  CHECK(r.reserved() == 0);
  ::close(fd);
}
