#include "storage/keys.hpp"

#include <catch2/catch.hpp>

#include "storage/codec.hpp"

using namespace hookshot;
using namespace hookshot::storage;

namespace {

// `r` (no event, a payload of its own) encoded in format 1, as schema 2 and older stored it:
// format 2's fields without the 8 bytes of event_seq, which come right before the payload's
// length.
std::string format1_of(const delivery_record& r) {
  std::string v2 = encode(r);
  size_t payload_at = v2.find(r.payload) - 4;
  std::string v1 = v2.substr(0, payload_at - 8) + v2.substr(payload_at);
  v1[0] = 1;
  return v1;
}

}  // namespace

TEST_CASE("u64 keys are 8 big-endian bytes, so byte order is numeric order", "[keys]") {
  CHECK(encode_u64(1) == std::string("\0\0\0\0\0\0\0\x01", 8));
  CHECK(encode_u64(0x0102030405060708ull) == "\x01\x02\x03\x04\x05\x06\x07\x08");
  CHECK(encode_u64(255) < encode_u64(256));
  CHECK(encode_u64(0xffffffffull) < encode_u64(0x100000000ull));
  std::uint64_t back = 0;
  REQUIRE(decode_u64(encode_u64(0xdeadbeefcafef00dull), back));
  CHECK(back == 0xdeadbeefcafef00dull);
  CHECK_FALSE(decode_u64("short", back));
}

TEST_CASE("pair keys group by the first number, then order by the second", "[keys]") {
  // As LMDB compares them: byte by byte.
  auto bytes = [](std::uint64_t a, std::uint64_t b) { return encode_pair(a, b).str(); };
  CHECK(bytes(1, 999) < bytes(2, 0));
  CHECK(bytes(2, 1) < bytes(2, 2));
  CHECK(bytes(0x0102030405060708ull, 9) == std::string("\1\2\3\4\5\6\7\x08\0\0\0\0\0\0\0\x09", 16));
  std::uint64_t a = 0, b = 0;
  REQUIRE(decode_pair(encode_pair(7, 9), a, b));
  CHECK(a == 7);
  CHECK(b == 9);
  CHECK_FALSE(decode_pair(encode_u64(7), a, b));
}

TEST_CASE("a record naming its event stores no payload; one from before names none", "[keys]") {
  delivery_record r;
  r.seq = 42;
  r.id = "id";
  r.event_seq = 7;
  r.payload = std::string(500, 'p');  // the event's body: not copied into the record
  std::string bytes = encode(r);
  CHECK(bytes[0] == 2);
  CHECK(bytes.size() < 200);
  delivery_record back;
  REQUIRE(decode(bytes, back).is_ok());
  CHECK(back.event_seq == 7);
  CHECK(back.payload.empty());  // lmdb_store::recent_deliveries reads it from the event

  // Format 1 (schema 2 and older): the same fields without event_seq, the payload inline.
  delivery_record old_style;
  old_style.seq = 41;
  old_style.payload = "{\"old\":1}";
  std::string v2 = encode(old_style);
  REQUIRE(v2[0] == 2);
  REQUIRE(decode(format1_of(old_style), back).is_ok());
  CHECK(back.seq == 41);
  CHECK(back.event_seq == 0);
  CHECK(back.payload == "{\"old\":1}");

  // Both an event and a payload was never written.
  size_t payload_at = v2.find("{\"old\":1}") - 4;
  std::string both = v2;
  both.replace(payload_at - 8, 8, std::string("\x07\0\0\0\0\0\0\0", 8));
  CHECK(decode(both, back).error_code() == status::code::corruption);
}

TEST_CASE("a record's owner and event are read from its leading fields", "[keys]") {
  delivery_record r;
  r.seq = 42;
  r.id = "id";
  r.webhook_key = 3;
  r.webhook_name = "hook";
  r.signature = "sig";
  r.event_seq = 7;
  record_owner owner;
  REQUIRE(decode(encode(r), owner).is_ok());
  CHECK(owner.seq == 42);
  CHECK(owner.webhook_key == 3);
  CHECK(owner.event_seq == 7);

  // Format 1 names no event.
  r.event_seq = 0;
  r.payload = "{\"old\":1}";
  REQUIRE(decode(format1_of(r), owner).is_ok());
  CHECK(owner.webhook_key == 3);
  CHECK(owner.event_seq == 0);

  // Cut inside the leading fields: corruption.
  CHECK(decode(encode(r).substr(0, 20), owner).error_code() == status::code::corruption);
}

TEST_CASE("values round-trip through the codec", "[keys]") {
  delivery_record r;
  r.seq = 42;
  r.id = "id";
  r.webhook_key = 3;
  r.signature = "sig";
  r.json = false;
  r.payload = std::string("{\"a\":\"\0\"}", 9);
  r.success = true;
  r.http_status = 204;
  r.attempts = 3;
  r.start_ms = -5;
  r.end_ms = 1700000000000;
  delivery_record back;
  REQUIRE(decode(encode(r), back).is_ok());
  CHECK(back.seq == 42);
  CHECK(back.payload == r.payload);
  CHECK(back.signature == "sig");
  CHECK_FALSE(back.json);
  CHECK(back.success);
  CHECK(back.http_status == 204);
  CHECK(back.attempts == 3);
  CHECK(back.start_ms == -5);
  CHECK(back.end_ms == r.end_ms);

  webhook w;
  w.key = 9;
  w.name = "n";
  w.scope_ = scope::domain;
  w.state = webhook_state::disabled;
  w.ssl_verification = true;
  webhook wb;
  REQUIRE(decode(encode(w), wb).is_ok());
  CHECK(wb.key == 9);
  CHECK(wb.scope_ == scope::domain);
  CHECK(wb.state == webhook_state::disabled);
  CHECK(wb.ssl_verification);

  pending_delivery p{5, 6, 7, 2, 123456};
  pending_delivery pb;
  REQUIRE(decode(encode(p), pb).is_ok());
  CHECK(pb.seq == 5);
  CHECK(pb.webhook_key == 6);
  CHECK(pb.event_seq == 7);
  CHECK(pb.attempts == 2);
  CHECK(pb.due_ms == 123456);
}

TEST_CASE("truncated or foreign values are reported as corruption", "[keys]") {
  pending_delivery p{5, 6, 7, 2, 123456};
  std::string bytes = encode(p);
  pending_delivery out;
  CHECK(decode(bytes.substr(0, bytes.size() - 1), out).error_code() == status::code::corruption);
  CHECK(decode(bytes + "x", out).error_code() == status::code::corruption);
  CHECK(decode("", out).error_code() == status::code::corruption);
  std::string other_version = bytes;
  other_version[0] = 9;
  CHECK_FALSE(decode(other_version, out).is_ok());
  event e;
  CHECK_FALSE(decode(bytes, e).is_ok());
  // A bool byte other than 0 or 1 was not written by us (found by fuzz_codec).
  e.json = true;
  std::string ev = encode(e);
  REQUIRE(ev[ev.size() - 9] == 1);  // json flag, before received_ms
  ev[ev.size() - 9] = 8;
  CHECK(decode(ev, e).error_code() == status::code::corruption);
}
