#pragma once

// Disk blocks reserved ahead of a writable memory map, so that a full disk is an error a
// write returns instead of a SIGBUS.
//
// With MDB_WRITEMAP, LMDB sizes the data file to the whole map (a sparse file) and writes
// pages with plain stores into the map. A store into a hole that the file system cannot back
// kills the process with SIGBUS. So before each write transaction the writer reserves, with
// fallocate(), real blocks for every page the transaction could add; when that fails (no
// space left) the transaction is not started and the write fails with an io_error that says
// so, exactly like a failed pwrite() without the map.
//
// Thread safety: none; the single writer thread owns it.

#include <cstddef>
#include <string>

#include "core/status.hpp"

namespace hookshot::storage {

class disk_reservation {
 public:
  /// Reservations grow by at least this much at a time (one fallocate() per chunk, not per
  /// transaction). A file holds at most this, or one write's bound if larger, beyond its use.
  static constexpr size_t kChunk = size_t{8} << 20;

  /// True when the file system under `dir` can reserve blocks (fallocate); without it a
  /// writable map is not safe and the store writes pages with pwrite() instead.
  static bool supported(const std::string& dir);

  disk_reservation() = default;
  /// Reserves on `fd` (not owned; it outlives this object).
  explicit disk_reservation(int fd) : fd_(fd) {}

  /// Makes sure the first `bytes` of the file are backed by blocks, reserving up to `cap`
  /// bytes (the file's size: the map) at most, and at least a chunk more than before.
  /// Errors: io_error naming the cause (ENOSPC: "no space left on device").
  status ensure(size_t bytes, size_t cap);

  /// Bytes reserved so far (from offset 0).
  size_t reserved() const { return reserved_; }
  /// The file it reserves in (-1 for a default-constructed one).
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  size_t reserved_ = 0;
};

}  // namespace hookshot::storage
