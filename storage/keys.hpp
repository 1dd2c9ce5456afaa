#pragma once

// Key encodings. LMDB compares keys as bytes, so every number in a key is fixed-width
// big-endian: byte order then equals numeric order and a cursor walks keys oldest first.

#include <cstdint>
#include <string>
#include <string_view>

namespace hookshot::storage {

/// 8 bytes, big-endian.
std::string encode_u64(std::uint64_t v);
/// Inverse of encode_u64; false when `bytes` is not exactly 8 bytes.
bool decode_u64(std::string_view bytes, std::uint64_t& out);

/// 16 bytes: `a` then `b`, each big-endian (a record's index entry: webhook, then sequence; a
/// filter: webhook, then filter).
/// Held in place: a std::string of 16 bytes would allocate, once per record written.
struct pair_key {
  char bytes[16];
  operator std::string_view() const { return {bytes, sizeof bytes}; }
  std::string str() const { return std::string(bytes, sizeof bytes); }
};
pair_key encode_pair(std::uint64_t a, std::uint64_t b);
bool decode_pair(std::string_view bytes, std::uint64_t& a, std::uint64_t& b);

}  // namespace hookshot::storage
