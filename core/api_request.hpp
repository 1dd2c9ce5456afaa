#pragma once

// CloudStack API requests: parameters and their signature (spec section 4; CloudStack's
// ApiServer.verifyRequest, as Debian's python3-cs and CloudMonkey compute it).
//
// The signed text: every parameter except `signature`, sorted by name, each as
// name=encode(value) (java.net.URLEncoder with "+" as "%20": letters, digits and "-_.*" stay,
// everything else is %XX of its UTF-8 bytes), joined by "&", then lower-cased. The signature
// is base64(HMAC-SHA1(secret key, signed text)). With signatureVersion=3 the request must also
// carry `expires` (yyyy-MM-dd'T'HH:mm:ssZ) and is refused once that time has passed.

#include <map>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/status.hpp"

namespace hookshot {

/// Parameters by name, as sent (names keep their case; CloudStack's lookups ignore it).
using api_params = std::map<std::string, std::string>;

/// Decodes a query string or an application/x-www-form-urlencoded body ("+" is a space).
/// Fails on a malformed %-escape and on a name given twice (in any letter case).
result<api_params> parse_api_params(std::string_view text);

/// CloudStack's value encoding (java.net.URLEncoder, "+" replaced by "%20"). Python clients
/// (python3-cs) leave "~" as it is; `keep_tilde` reproduces that.
std::string cloudstack_encode(std::string_view value, bool keep_tilde = false);

/// The text CloudStack signs for these parameters (`signature` left out).
std::string signed_text(const api_params& params, bool keep_tilde = false);

/// base64(HMAC-SHA1(secret, signed_text(params))).
std::string api_signature(const api_params& params, std::string_view secret,
                          bool keep_tilde = false);

/// True when `given` is the signature of `params` under `secret`, with either spelling of "~"
/// (CloudStack's server encodes it, python3-cs does not). Compared in constant time.
bool verify_api_signature(const api_params& params, std::string_view secret,
                          const std::string& given);

/// Parses CloudStack's expires format ("2026-11-30T10:50:00+0000", also "+00:00" or "Z").
result<millis> parse_expires(const std::string& text);

/// CloudStack's date parameters ("yyyy-MM-dd" or "yyyy-MM-dd HH:mm:ss"), read as UTC.
result<millis> parse_api_date(const std::string& text);

/// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or code points above
/// U+10FFFF).
bool is_valid_utf8(std::string_view text);
/// Code points in valid UTF-8 text (bytes that start no sequence are not counted).
size_t utf8_length(std::string_view text);

/// Case-insensitive lookup of a parameter; empty when absent.
std::string param(const api_params& params, const std::string& name);
bool has_param(const api_params& params, const std::string& name);

}  // namespace hookshot
