#include "storage/keys.hpp"

namespace hookshot::storage {

namespace {

void put_u64(char* out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
}

}  // namespace

std::string encode_u64(std::uint64_t v) {
  std::string out(8, '\0');
  put_u64(out.data(), v);
  return out;
}

bool decode_u64(std::string_view bytes, std::uint64_t& out) {
  if (bytes.size() != 8) return false;
  out = 0;
  for (unsigned char c : bytes) out = (out << 8) | c;
  return true;
}

pair_key encode_pair(std::uint64_t a, std::uint64_t b) {
  pair_key k;
  put_u64(k.bytes, a);
  put_u64(k.bytes + 8, b);
  return k;
}

bool decode_pair(std::string_view bytes, std::uint64_t& a, std::uint64_t& b) {
  return bytes.size() == 16 && decode_u64(bytes.substr(0, 8), a) && decode_u64(bytes.substr(8), b);
}

}  // namespace hookshot::storage
