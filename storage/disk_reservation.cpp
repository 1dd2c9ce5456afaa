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
  auto reserve_to = [this](size_t end) {
    if (::fallocate(fd_, 0, static_cast<off_t>(reserved_), static_cast<off_t>(end - reserved_)) != 0)
      return false;
    reserved_ = end;
    return true;
  };
  // A chunk at a time; when the disk has no room for a whole chunk, just what the write needs.
  size_t chunk_end = std::min(cap, std::max(bytes, reserved_ + kChunk));
  if (reserve_to(chunk_end) || (errno == ENOSPC && chunk_end > bytes && reserve_to(bytes)))
    return status::ok();
  return status::io_error(std::string("cannot reserve disk space for the data file: ") +
                          std::strerror(errno));
}

}  // namespace hookshot::storage
