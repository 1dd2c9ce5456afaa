#include "core/secret_box.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace hookshot {
namespace {

constexpr std::uint8_t kFormat = 1;
constexpr size_t kNonce = 12, kTag = 16;

using ctx_ptr = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool from_hex(const std::string& text, secret_box::key_bytes& out) {
  if (text.size() != 64) return false;
  for (size_t i = 0; i < 32; ++i) {
    int hi = hex_value(text[2 * i]), lo = hex_value(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return true;
}

result<std::string> read_file(const std::string& path, const std::string& name) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return status::io_error(name + ": cannot read " + path);
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return status::invalid_argument(name + ": " + path + " is not a regular file");
  }
  if (st.st_mode & 077) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return status::invalid_argument(name + ": " + path + " is readable by group or others (mode " +
                                    mode + "); chmod 600 it");
  }
  std::string data(256, '\0');
  ssize_t n = ::read(fd, data.data(), data.size());
  ::close(fd);
  if (n < 0) return status::io_error(name + ": cannot read " + path);
  data.resize(static_cast<size_t>(n));
  return data;
}

result<secret_box::key_bytes> parse_key(std::string data, const std::string& what) {
  secret_box::key_bytes key{};
  if (data.size() == 32) {  // raw bytes, any of them (a trailing 0x0a is key, not a newline)
    std::copy(data.begin(), data.end(), key.begin());
    return key;
  }
  while (!data.empty() && (data.back() == '\n' || data.back() == '\r')) data.pop_back();
  if (from_hex(data, key)) return key;
  return status::invalid_argument(what + ": the key must be 32 bytes or 64 hex digits");
}

}  // namespace

std::string secret_box::seal(const std::string& plaintext, const std::string& context) const {
  std::string out(1 + kNonce + plaintext.size() + kTag, '\0');
  out[0] = static_cast<char>(kFormat);
  auto* nonce = reinterpret_cast<unsigned char*>(out.data() + 1);
  auto* body = nonce + kNonce;
  RAND_bytes(nonce, kNonce);
  ctx_ptr ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  EVP_EncryptInit_ex2(ctx.get(), EVP_aes_256_gcm(), key_.data(), nonce, nullptr);
  EVP_EncryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(context.data()),
                    static_cast<int>(context.size()));
  EVP_EncryptUpdate(ctx.get(), body, &len, reinterpret_cast<const unsigned char*>(plaintext.data()),
                    static_cast<int>(plaintext.size()));
  EVP_EncryptFinal_ex(ctx.get(), body + len, &len);
  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag, body + plaintext.size());
  return out;
}

result<std::string> secret_box::open(const std::string& sealed, const std::string& context) const {
  if (sealed.size() < 1 + kNonce + kTag || static_cast<std::uint8_t>(sealed[0]) != kFormat)
    return status::corruption("sealed secret: unknown format");
  const auto* nonce = reinterpret_cast<const unsigned char*>(sealed.data() + 1);
  const auto* body = nonce + kNonce;
  size_t body_len = sealed.size() - 1 - kNonce - kTag;
  std::string out(body_len, '\0');
  ctx_ptr ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  EVP_DecryptInit_ex2(ctx.get(), EVP_aes_256_gcm(), key_.data(), nonce, nullptr);
  EVP_DecryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(context.data()),
                    static_cast<int>(context.size()));
  EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, body,
                    static_cast<int>(body_len));
  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag,
                      const_cast<unsigned char*>(body + body_len));
  if (EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + len, &len) != 1)
    return status::corruption("sealed secret: wrong key or altered data");
  return out;
}

result<secret_box::key_bytes> load_secret_key(const std::string& key_file,
                                              const std::string& default_file, bool* created) {
  if (created) *created = false;
  if (const char* env = std::getenv("HOOKSHOT_SECRETS_KEY"); env && *env) {
    secret_box::key_bytes key{};
    if (!from_hex(env, key))
      return status::invalid_argument("HOOKSHOT_SECRETS_KEY: the key must be 64 hex digits");
    return key;
  }
  if (!key_file.empty()) {
    auto data = read_file(key_file, "secrets.key_file");
    if (!data) return data.error();
    return parse_key(*data, "secrets.key_file: " + key_file);
  }
  if (access(default_file.c_str(), F_OK) == 0) {
    auto data = read_file(default_file, "secrets key file");
    if (!data) return data.error();
    return parse_key(*data, "secrets key file " + default_file);
  }
  secret_box::key_bytes key{};
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1)
    return status::io_error("secrets: no random bytes for a new key");
  // Written as 64 hex digits and a newline: a text file an operator can copy or print.
  static const char* digits = "0123456789abcdef";
  std::string text;
  for (std::uint8_t b : key) {
    text += digits[b >> 4];
    text += digits[b & 15];
  }
  text += '\n';
  int fd = ::open(default_file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return status::io_error("secrets: cannot create " + default_file);
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && fsync(fd) == 0;
  ::close(fd);
  if (!ok) return status::io_error("secrets: cannot write " + default_file);
  if (created) *created = true;
  return key;
}

}  // namespace hookshot
