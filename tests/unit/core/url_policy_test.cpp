#include <catch2/catch.hpp>

#include "core/url_policy.hpp"
#include "core/webhook.hpp"

using namespace hookshot;

namespace {

ip_address ip(const std::string& text) {
  ip_address a;
  REQUIRE(ip_address::parse(text, a));
  return a;
}

url_policy defaults() {
  url_policy p;
  p.blocklist = *parse_cidr_list(kDefaultBlocklist);
  p.local_addresses = {ip("192.0.2.77"), ip("2001:db8::5")};
  return p;
}

// A resolver with a fixed answer, as a DNS server that says whatever it likes would give.
resolver answering(std::vector<std::string> addresses) {
  return [addresses](const std::string&) -> result<std::vector<ip_address>> {
    std::vector<ip_address> out;
    for (const auto& a : addresses) out.push_back(ip(a));
    return out;
  };
}

}  // namespace

TEST_CASE("CIDR lists parse with CloudStack's rules and name the bad entry", "[url_policy]") {
  auto list = parse_cidr_list(" 10.0.0.0/8 ,, fe80::/10,192.168.1.1 ,");
  REQUIRE(list);
  REQUIRE(list->size() == 3);
  CHECK(list->at(2).prefix == 32);
  CHECK(parse_cidr_list("").value().empty());
  CHECK(parse_cidr_list("10.0.0.0/8,nope").error().message() == "'nope' is not an IP address or CIDR");
  CHECK(parse_cidr_list("::/129").error().message() == "'::/129' has an invalid prefix length");
  CHECK(parse_cidr_list("1.2.3.4/").error().message() == "'1.2.3.4/' has an invalid prefix length");
  CHECK(parse_cidr_list(kDefaultBlocklist).value().size() == 27);
}

TEST_CASE("the default blocklist refuses private, loopback and special ranges", "[url_policy]") {
  url_policy p = defaults();
  for (const char* blocked : {"10.1.2.3", "127.0.0.1", "127.9.9.9", "169.254.169.254", "172.16.0.1",
                              "172.31.255.255", "192.168.0.10", "100.64.0.1", "0.0.0.0", "224.0.0.1",
                              "::1", "::", "fe80::1", "fd00::1", "ff02::1", "2001:db8::1",
                              "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1"})
    CHECK(p.blocks(ip(blocked)));
  for (const char* allowed : {"8.8.8.8", "1.1.1.1", "172.32.0.1", "2606:4700::1111", "93.184.216.34"})
    CHECK_FALSE(p.blocks(ip(allowed)));
}

TEST_CASE("IPv4-mapped IPv6 is judged as the IPv4 address it is", "[url_policy]") {
  url_policy p;
  p.block_local = false;
  p.blocklist = *parse_cidr_list("10.0.0.0/8");
  CHECK(p.blocks(ip("::ffff:10.9.8.7")));
  CHECK_FALSE(p.blocks(ip("::ffff:11.0.0.1")));
  // A non-byte-aligned IPv6 range does not swallow IPv4 addresses.
  p.blocklist = *parse_cidr_list("fc00::/7");
  CHECK_FALSE(p.blocks(ip("8.8.8.8")));
  CHECK(p.blocks(ip("fc12::1")));
}

TEST_CASE("local addresses are blocked only while block.local.addresses is on", "[url_policy]") {
  url_policy p;  // empty blocklist
  p.local_addresses = {ip("203.0.113.9")};
  CHECK(p.blocks(ip("127.0.0.1")));
  CHECK(p.blocks(ip("::")));
  CHECK(p.blocks(ip("203.0.113.9")));
  CHECK_FALSE(p.blocks(ip("203.0.113.10")));
  p.block_local = false;
  CHECK_FALSE(p.blocks(ip("127.0.0.1")));
  CHECK_FALSE(p.blocks(ip("203.0.113.9")));
}

TEST_CASE("schemes: https always, http only when allowed", "[url_policy]") {
  url_policy p;
  CHECK(p.check_scheme("https://example.com/x"));
  CHECK(p.check_scheme("HTTPS://example.com/x"));
  CHECK(p.check_scheme("http://example.com/x").message() ==
        "Only HTTPS webhook payload URLs are allowed, got: http://example.com/x");
  CHECK(p.check_scheme("ftp://example.com/x").message() ==
        "Unsupported URL scheme [ftp], only HTTP/HTTPS are supported");
  CHECK(p.check_scheme("FTP://example.com/x").message() ==
        "Unsupported URL scheme [ftp], only HTTP/HTTPS are supported");
  CHECK(p.check_scheme("httpsx://example.com/x").message() ==
        "Unsupported URL scheme [httpsx], only HTTP/HTTPS are supported");
  CHECK(p.check_scheme("example.com/x").message() ==
        "Unsupported URL scheme [], only HTTP/HTTPS are supported");
  p.allow_http = true;
  CHECK(p.check_scheme("http://example.com/x"));
  CHECK(p.check_scheme("HtTp://example.com/x"));
}

TEST_CASE("validate_target checks every address the host resolves to", "[url_policy]") {
  url_policy p = defaults();
  CHECK(validate_target("https://hooks.example.com/x", p, answering({"93.184.216.34"})));
  // One private address among public ones is enough to refuse (fail closed).
  CHECK(validate_target("https://hooks.example.com/x", p, answering({"93.184.216.34", "10.0.0.5"}))
            .message() == "Webhook payload URL [https://hooks.example.com/x] resolves to a blocked IP address");
  CHECK(validate_target("https://[::1]:8443/x", p, literal_resolver()).message() ==
        "Webhook payload URL [https://[::1]:8443/x] resolves to a blocked IP address");
  CHECK(validate_target("https://user@192.0.2.77/x", p, literal_resolver()).message() ==
        "Webhook payload URL [https://user@192.0.2.77/x] resolves to a blocked IP address");
  CHECK(validate_target("https:///x", p, literal_resolver()).message() ==
        "Invalid webhook payload URL host in [https:///x]");
  auto no_dns = [](const std::string& host) -> result<std::vector<ip_address>> {
    return status::not_found("Failed to resolve webhook payload URL host [" + host + "]");
  };
  CHECK(validate_target("https://nowhere.example/x", p, no_dns).message() ==
        "Failed to resolve webhook payload URL host [nowhere.example]");
  // Names pass the literal resolver: they are checked again on every connection.
  CHECK(validate_target("https://hooks.example.com/x", p, literal_resolver()));
}

TEST_CASE("url_host takes the host out of the authority", "[url_policy]") {
  CHECK(url_host("https://a.example:8443/p?q") == "a.example");
  CHECK(url_host("http://u:pw@h/p") == "h");
  CHECK(url_host("http://[fe80::1]:80/") == "fe80::1");
  CHECK(url_host("http://h") == "h");
  CHECK(url_host("nothing") == "");
}

TEST_CASE("bracketed hosts must be IPv6 literals", "[url_policy]") {
  CHECK(validate_payload_url("http://[::1]:8080/x"));
  // Found by fuzz_url: an unclosed bracket passed the form check with no host in it.
  CHECK(validate_payload_url("http://[0").message() == "Invalid webhook payload URL host in [http://[0]");
  CHECK_FALSE(validate_payload_url("http://[0]/x"));
  CHECK_FALSE(validate_payload_url("http://[]/x"));
}
