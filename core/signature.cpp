#include "core/signature.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <utility>

namespace hookshot {
namespace {

EVP_MAC* hmac_algorithm() {
  static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return mac;
}

}  // namespace

hmac_sha256::hmac_sha256(std::string_view key) {
  ctx_ = EVP_MAC_CTX_new(hmac_algorithm());
  if (!ctx_) return;
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  // An empty key is legal for HMAC; OpenSSL wants a non-null pointer for it.
  static const unsigned char empty = 0;
  const auto* k = key.empty() ? &empty : reinterpret_cast<const unsigned char*>(key.data());
  if (EVP_MAC_init(ctx_, k, key.size(), params) != 1) {
    EVP_MAC_CTX_free(ctx_);
    ctx_ = nullptr;
  }
}

hmac_sha256::~hmac_sha256() {
  EVP_MAC_CTX_free(ctx_);
}
hmac_sha256::hmac_sha256(hmac_sha256&& o) noexcept : ctx_(std::exchange(o.ctx_, nullptr)) {}
hmac_sha256& hmac_sha256::operator=(hmac_sha256&& o) noexcept {
  std::swap(ctx_, o.ctx_);
  return *this;
}

std::string hmac_sha256::sign_base64(std::string_view data) {
  if (!ctx_) return {};
  unsigned char mac[32];
  size_t len = 0;
  // No key: a new message under the key given at construction.
  bool ok =
      EVP_MAC_init(ctx_, nullptr, 0, nullptr) == 1 &&
      EVP_MAC_update(ctx_, reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1 &&
      EVP_MAC_final(ctx_, mac, &len, sizeof mac) == 1;
  if (!ok) return {};
  return base64_encode(std::string_view(reinterpret_cast<const char*>(mac), len));
}

std::string sign_payload(std::string_view key, std::string_view data) {
  return hmac_sha256(key).sign_base64(data);
}

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(n < 0 ? 0 : static_cast<size_t>(n));
  return out;
}

bool base64_decode(std::string_view text, std::string& out) {
  if (text.size() % 4 != 0) return false;
  out.assign(3 * text.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return false;
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') ++pad;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return true;
}

bool constant_time_equals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace hookshot
