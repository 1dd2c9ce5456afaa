#include "core/secret_box.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sys/stat.h>
#include "temp_dir.hpp"

using namespace hookshot;

using hookshot::testing::temp_dir;

namespace {

secret_box::key_bytes key_of(std::uint8_t fill) {
  secret_box::key_bytes k;
  k.fill(fill);
  return k;
}

void write_file(const std::string& path, const std::string& text, mode_t mode) {
  std::ofstream(path) << text;
  chmod(path.c_str(), mode);
}

}  // namespace

TEST_CASE("sealing round-trips and authenticates key, context and bytes", "[secret_box]") {
  secret_box box(key_of(1));
  std::string sealed = box.seal("s3cret", "hook-1");
  CHECK(sealed.size() == 1 + 12 + 6 + 16);
  CHECK(sealed.find("s3cret") == std::string::npos);
  CHECK(box.open(sealed, "hook-1").value() == "s3cret");
  CHECK(box.seal("s3cret", "hook-1") != sealed);  // a fresh nonce every time
  CHECK(box.open(sealed, "hook-2").error().message() == "sealed secret: wrong key or altered data");
  CHECK_FALSE(secret_box(key_of(2)).open(sealed, "hook-1"));
  std::string altered = sealed;
  altered[15] ^= 1;
  CHECK_FALSE(box.open(altered, "hook-1"));
  CHECK(box.open("short", "hook-1").error().message() == "sealed secret: unknown format");
  CHECK(box.open(box.seal("", "c"), "c").value().empty());
}

TEST_CASE("the key comes from the environment, a 0600 file, or a new default file", "[secret_box]") {
  temp_dir dir;
  unsetenv("HOOKSHOT_SECRETS_KEY");
  bool created = false;
  std::string def = dir.path + "/secrets.key";

  auto made = load_secret_key("", def, &created);
  REQUIRE(made);
  CHECK(created);
  struct stat st {};
  REQUIRE(stat(def.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto again = load_secret_key("", def, &created);
  CHECK_FALSE(created);
  CHECK(again.value() == made.value());

  std::ifstream created_file(def);
  std::string text((std::istreambuf_iterator<char>(created_file)), {});
  CHECK(text.size() == 65);  // 64 hex digits and a newline
  CHECK(text.find_first_not_of("0123456789abcdef\n") == std::string::npos);

  // A raw 32-byte key is taken as it is, even when its last byte is a newline's.
  std::string raw(31, 'r');
  raw += '\n';
  write_file(dir.path + "/raw", raw, 0600);
  secret_box::key_bytes expected;
  std::copy(raw.begin(), raw.end(), expected.begin());
  CHECK(load_secret_key(dir.path + "/raw", def, nullptr).value() == expected);

  std::string hex(64, 'a');
  write_file(dir.path + "/k", hex + "\n", 0600);
  CHECK(load_secret_key(dir.path + "/k", def, nullptr).value() == key_of(0xaa));
  write_file(dir.path + "/loose", hex, 0644);
  CHECK(load_secret_key(dir.path + "/loose", def, nullptr).error().message() ==
        "secrets.key_file: " + dir.path + "/loose is readable by group or others (mode 0644); chmod 600 it");
  write_file(dir.path + "/short", "abc", 0600);
  CHECK(load_secret_key(dir.path + "/short", def, nullptr).error().message() ==
        "secrets.key_file: " + dir.path + "/short: the key must be 32 bytes or 64 hex digits");
  CHECK(load_secret_key(dir.path + "/missing", def, nullptr).error().message() ==
        "secrets.key_file: cannot read " + dir.path + "/missing");

  setenv("HOOKSHOT_SECRETS_KEY", std::string(64, '0').c_str(), 1);
  CHECK(load_secret_key(dir.path + "/loose", def, nullptr).value() == key_of(0));  // env wins
  setenv("HOOKSHOT_SECRETS_KEY", "zz", 1);
  CHECK(load_secret_key("", def, nullptr).error().message() ==
        "HOOKSHOT_SECRETS_KEY: the key must be 64 hex digits");
  unsetenv("HOOKSHOT_SECRETS_KEY");
}
