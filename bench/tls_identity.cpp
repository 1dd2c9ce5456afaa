#include "bench/tls_identity.hpp"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace hookshot::bench {
namespace {

template <typename T, void (*Free)(T*)>
struct freer {
  void operator()(T* p) const { Free(p); }
};
using key_ptr = std::unique_ptr<EVP_PKEY, freer<EVP_PKEY, EVP_PKEY_free>>;
using cert_ptr = std::unique_ptr<X509, freer<X509, X509_free>>;
using bio_ptr = std::unique_ptr<BIO, freer<BIO, BIO_free_all>>;
using bn_ptr = std::unique_ptr<BIGNUM, freer<BIGNUM, BN_free>>;

// OpenSSL's error as text, after what we were doing.
status openssl_error(const std::string& doing) {
  return status::io_error("cannot " + doing + ": " + take_openssl_error());
}

status add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!ext) return openssl_error(std::string("make the certificate's ") + OBJ_nid2sn(nid));
  bool added = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return added ? status::ok() : openssl_error("add an extension");
}

// What `write` put into a memory BIO, written to `path` with `mode`.
status write_pem(const std::string& path, mode_t mode, int (*write)(BIO*, const void*),
                 const void* object) {
  bio_ptr mem(BIO_new(BIO_s_mem()));
  if (!mem || write(mem.get(), object) != 1) return openssl_error("encode " + path);
  char* data = nullptr;
  long len = BIO_get_mem_data(mem.get(), &data);
  ::unlink(path.c_str());  // a file left by a run before keeps its old mode through O_TRUNC
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return status::io_error("cannot write " + path + ": " + std::strerror(errno));
  bool written = ::write(fd, data, static_cast<size_t>(len)) == len;
  std::string why = std::strerror(errno);
  ::close(fd);
  return written ? status::ok() : status::io_error("cannot write " + path + ": " + why);
}

int write_cert(BIO* out, const void* cert) {
  return PEM_write_bio_X509(out, static_cast<X509*>(const_cast<void*>(cert)));
}

int write_key(BIO* out, const void* key) {
  return PEM_write_bio_PrivateKey(out, static_cast<const EVP_PKEY*>(key), nullptr, nullptr, 0,
                                  nullptr, nullptr);
}

}  // namespace

std::string take_openssl_error() {
  char buf[256] = "unknown error";
  if (unsigned long e = ERR_get_error()) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

result<tls_identity> make_tls_identity(const std::string& dir) {
  key_ptr key(EVP_EC_gen("P-256"));
  if (!key) return openssl_error("make a P-256 key");
  cert_ptr cert(X509_new());
  bn_ptr serial(BN_new());
  if (!cert || !serial || !BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
      !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())))
    return openssl_error("make a certificate");
  X509_set_version(cert.get(), X509_VERSION_3);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);  // tolerates a clock a little behind
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 2 * 86400);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("hookshot bench receiver"),
                             -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_set_pubkey(cert.get(), key.get());
  for (auto [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:TRUE"},
                            {NID_key_usage, "critical,digitalSignature,keyCertSign"},
                            {NID_ext_key_usage, "serverAuth"},
                            {NID_subject_key_identifier, "hash"},
                            {NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"}}) {
    status st = add_extension(cert.get(), nid, value);
    if (!st) return st;
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) return openssl_error("sign");
  tls_identity id{dir + "/tls-cert.pem", dir + "/tls-key.pem"};
  status st = write_pem(id.cert_file, 0644, write_cert, cert.get());
  if (st) st = write_pem(id.key_file, 0600, write_key, key.get());
  if (!st) return st;
  return id;
}

}  // namespace hookshot::bench
