// The bench's throwaway TLS identity: a key that matches its certificate, a certificate that a
// client trusting it verifies for 127.0.0.1 and localhost only, and a private key file only its
// owner can read.

#include "bench/tls_identity.hpp"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <memory>

#include "temp_dir.hpp"

using namespace hookshot;
using hookshot::testing::temp_dir;

namespace {

std::unique_ptr<X509, decltype(&X509_free)> read_cert(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  X509* cert = f ? PEM_read_X509(f, nullptr, nullptr, nullptr) : nullptr;
  if (f) std::fclose(f);
  return {cert, X509_free};
}

std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> read_key(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  EVP_PKEY* key = f ? PEM_read_PrivateKey(f, nullptr, nullptr, nullptr) : nullptr;
  if (f) std::fclose(f);
  return {key, EVP_PKEY_free};
}

// Whether `cert`, as a TLS server's certificate for `ip` or `host`, verifies against a store
// holding only `cert` itself.
bool verifies_for(X509* cert, const char* ip, const char* host) {
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
  X509_STORE_add_cert(store.get(), cert);
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(),
                                                                      X509_STORE_CTX_free);
  X509_STORE_CTX_init(ctx.get(), store.get(), cert, nullptr);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
  if (ip) X509_VERIFY_PARAM_set1_ip_asc(param, ip);
  if (host) X509_VERIFY_PARAM_set1_host(param, host, 0);
  return X509_verify_cert(ctx.get()) == 1;
}

}  // namespace

TEST_CASE("the TLS identity's certificate verifies as a server for loopback with its own key") {
  temp_dir dir;
  auto id = bench::make_tls_identity(dir.path);
  REQUIRE(id);
  auto cert = read_cert(id->cert_file);
  auto key = read_key(id->key_file);
  REQUIRE(cert);
  REQUIRE(key);
  CHECK(X509_check_private_key(cert.get(), key.get()) == 1);
  CHECK(verifies_for(cert.get(), "127.0.0.1", nullptr));
  CHECK(verifies_for(cert.get(), nullptr, "localhost"));
  CHECK_FALSE(verifies_for(cert.get(), "127.0.0.2", nullptr));
  CHECK_FALSE(verifies_for(cert.get(), nullptr, "example.com"));

  struct stat st {};
  REQUIRE(stat(id->key_file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  SECTION("made again, it is a new key and certificate in the same files") {
    auto again = bench::make_tls_identity(dir.path);
    REQUIRE(again);
    CHECK(again->cert_file == id->cert_file);
    auto cert2 = read_cert(again->cert_file);
    REQUIRE(cert2);
    CHECK(X509_cmp(cert.get(), cert2.get()) != 0);
    CHECK(X509_check_private_key(cert2.get(), read_key(again->key_file).get()) == 1);
  }
}

TEST_CASE("a TLS identity that cannot be written is an error naming the file") {
  auto id = bench::make_tls_identity("/nonexistent-hookshot-dir");
  REQUIRE_FALSE(id);
  CHECK(id.error().message().find("/nonexistent-hookshot-dir/tls-cert.pem") != std::string::npos);
}
