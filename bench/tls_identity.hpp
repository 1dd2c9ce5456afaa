#pragma once

// A throwaway TLS identity for receivers on loopback: a fresh P-256 key and a self-signed
// certificate for 127.0.0.1 and localhost, written as PEM files. The certificate is its own
// CA: a client that takes the certificate file as its CA file verifies the receiver fully
// (chain and host name), the way a delivery to a real HTTPS endpoint does.

#include <string>

#include "core/status.hpp"

namespace hookshot::bench {

struct tls_identity {
  std::string cert_file;  // the certificate (PEM); also the CA file a client trusts
  std::string key_file;   // its private key (PEM, PKCS #8, mode 0600)
};

/// OpenSSL's oldest queued error as text ("unknown error" when none), and the queue cleared,
/// so that a later call does not report this one.
std::string take_openssl_error();

/// Writes `dir`/tls-cert.pem and `dir`/tls-key.pem (replacing them), valid from an hour ago
/// for two days. Errors: `dir` not writable, or OpenSSL failing to make the key or sign.
result<tls_identity> make_tls_identity(const std::string& dir);

}  // namespace hookshot::bench
