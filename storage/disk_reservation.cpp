#include "storage/disk_reservation.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace hookshot::storage {

bool disk_reservation::supported(const std::string& dir) {
  std::string probe = dir + "/.fallocate-probe";
  int fd = ::open(probe.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  int rc = ::fallocate(fd, 0, 0, 4096);
  int err = errno;
  ::close(fd);
  ::unlink(probe.c_str());
  // ENOSPC says the file system could reserve, just not now: the map is still safe, because
  // every write reserves first and fails cleanly while the disk stays full.
  return rc == 0 || err == ENOSPC;
}

status disk_reservation::ensure(size_t bytes, size_t cap) {
  bytes = std::min(bytes, cap);
  if (bytes <= reserved_) return status::ok();
  size_t target = std::min(cap, std::max(bytes, reserved_ + kChunk));
  // Reserve what the write needs first; more only when the disk has room for it.
  for (size_t want : {target, bytes}) {
    int rc = ::fallocate(fd_, 0, static_cast<off_t>(reserved_), static_cast<off_t>(want - reserved_));
    if (rc == 0) {
      reserved_ = want;
      return status::ok();
    }
    if (errno != ENOSPC || want == bytes)
      return status::io_error(std::string("cannot reserve disk space for the data file: ") +
                              std::strerror(errno));
  }
  return status::ok();  // not reached: the last attempt returns
}

}  // namespace hookshot::storage
