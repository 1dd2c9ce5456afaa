#include "core/event.hpp"

#include <catch2/catch.hpp>

#include "core/request.hpp"
#include "core/signature.hpp"
#include "core/webhook.hpp"

using namespace hookshot;

TEST_CASE("an event needs an event type and an owner account", "[event]") {
  auto ok = parse_event(R"({"event":"VM.CREATE","account":"acc-1","status":"Completed"})");
  REQUIRE(ok);
  CHECK(ok->type == "VM.CREATE");
  CHECK(ok->account_id == "acc-1");
  CHECK(ok->action);
  CHECK(parse_event(R"({"account":"a"})").error().message() == "missing field \"event\"");
  CHECK(parse_event(R"({"event":"X"})").error().message() == "missing field \"account\"");
  CHECK(parse_event(R"({"event":7,"account":"a"})").error().message() ==
        "field \"event\" must be a string");
  CHECK(parse_event(R"([1,2])").error().message() == "an event must be a JSON object");
  CHECK_FALSE(parse_event("{nope").is_ok());
}

TEST_CASE("hostile event bodies get a clear error", "[event]") {
  // Two values for a routing field: a receiver's parser might take the other one.
  CHECK(parse_event(R"({"event":"A","account":"a","event":"B"})").error().message() ==
        "duplicate field \"event\"");
  CHECK(parse_event(R"({"account":"a","event":"A","account":"b"})").error().message() ==
        "duplicate field \"account\"");
  // Other duplicates and nested fields of the same name do not route anything.
  CHECK(parse_event(R"({"event":"A","account":"a","x":1,"x":2,"d":{"event":"Z"}})").value().type == "A");
  CHECK(parse_event("{\"event\":\"A\xff\",\"account\":\"a\"}").error().message().find("invalid JSON") == 0);
  // Numbers hookshot does not interpret pass whatever their size: the body is sent verbatim.
  CHECK(parse_event(R"({"event":"A","account":"a","n":1e999999})"));
  CHECK(parse_event(R"({"event":"A","account":"a","n":-123456789012345678901234567890})"));
  CHECK(parse_event(R"({"event":"A","account":"a"} {"x":1})").error().message().find("invalid JSON") == 0);
  std::string deep = R"({"event":"A","account":"a","d":)" + std::string(100, '[') + std::string(100, ']') + "}";
  CHECK(parse_event(deep).error().message().find("invalid JSON") == 0);
  CHECK(parse_event(R"({"event":{"x":1},"account":"a"})").error().message() == "field \"event\" must be a string");
  CHECK(parse_event(R"({"event":"A","account":null})").error().message() == "missing field \"account\"");
  std::string long_type(1 << 20, 'T');
  CHECK(parse_event(R"({"event":")" + long_type + R"(","account":"a"})").value().type == long_type);
}

TEST_CASE("fields sent in headers refuse control characters", "[event]") {
  // "event" becomes X-CS-Event and "account" the User-Agent: a CR or LF would let the
  // producer add header lines of its own to every delivery, a NUL would cut the line short.
  const std::string kTypeError =
      "field \"event\" must not contain control characters (it is sent in a header)";
  CHECK(parse_event(R"({"event":"VM.CREATE\r\nX-CS-Signature: forged","account":"a"})").error().message() ==
        kTypeError);
  CHECK(parse_event(R"({"event":"A\nB","account":"a"})").error().message() == kTypeError);
  CHECK(parse_event(R"({"event":"A\u0000B","account":"a"})").error().message() == kTypeError);
  CHECK(parse_event(R"({"event":"A\u007fB","account":"a"})").error().message() == kTypeError);
  CHECK(parse_event(R"({"event":"A","account":"a\r\nX: 1"})").error().message() ==
        "field \"account\" must not contain control characters (it is sent in a header)");
  // A tab is legal in a header value; other fields may hold anything JSON allows.
  CHECK(parse_event(R"({"event":"A\tB","account":"a","description":"line\nline\u0000"})"));
}

TEST_CASE("header_value_safe allows visible text, spaces, tabs and UTF-8 only", "[event]") {
  CHECK(header_value_safe(""));
  CHECK(header_value_safe("VM.CREATE"));
  CHECK(header_value_safe("a b\tc \xc3\xa9"));
  CHECK_FALSE(header_value_safe("a\rb"));
  CHECK_FALSE(header_value_safe("a\nb"));
  CHECK_FALSE(header_value_safe(std::string("a\0b", 3)));
  CHECK_FALSE(header_value_safe("a\x7f"));
  CHECK_FALSE(header_value_safe("\x1b[31m"));
  // Every byte value at every position of a value long enough to be checked eight bytes at a
  // time and byte by byte at its end.
  for (int c = 0; c < 256; ++c) {
    bool safe = (c >= 0x20 || c == '\t') && c != 0x7f;
    for (size_t at = 0; at < 19; ++at) {
      std::string v(19, 'a');
      v[at] = static_cast<char>(c);
      INFO("byte " << c << " at " << at);
      CHECK(header_value_safe(v) == safe);
    }
  }
}

TEST_CASE("only ActionEvent-category events are deliverable", "[event]") {
  CHECK(parse_event(R"({"event":"X","account":"a","category":"ActionEvent"})")->action);
  CHECK_FALSE(parse_event(R"({"event":"X","account":"a","eventCategory":"AlertEvent"})")->action);
}

TEST_CASE("NDJSON splits into non-blank lines with their numbers", "[event]") {
  auto lines = split_ndjson("{\"a\":1}\r\n\n  \n{\"b\":2}\n");
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].number == 1);
  CHECK(lines[0].text == "{\"a\":1}");
  CHECK(lines[1].number == 4);
}

TEST_CASE("JSON detection follows CloudStack: objects and arrays only", "[event]") {
  CHECK(is_json_payload(R"({ "CloudStack": "works!" })"));
  CHECK(is_json_payload("[1]"));
  CHECK_FALSE(is_json_payload("text"));
  CHECK_FALSE(is_json_payload("42"));
}

TEST_CASE("delivery headers are CloudStack's, signed over the exact body", "[event]") {
  event ev;
  ev.id = "11111111-2222-3333-4444-555555555555";
  ev.type = "VM.CREATE";
  ev.account_id = "acc-uuid";
  ev.body = R"({ "CloudStack": "works!" })";
  auto h = delivery_headers(ev, hmac_sha256("secret").sign_base64(ev.body));
  header_list want = {{"X-CS-Event-ID", ev.id},
                      {"X-CS-Event", "VM.CREATE"},
                      {"User-Agent", "CS-Hookshot/acc-uuid"},
                      {"X-CS-Signature", "CRfEU8lXIysqqrH8HyBY2L17lzEuCRYKb0OQiIo/pto="},
                      {"Content-Type", "application/json; charset=UTF-8"}};
  CHECK(h == want);
  CHECK(format_recorded_headers(h, ev.body.size()) ==
        "X-CS-Event-ID: 11111111-2222-3333-4444-555555555555\nX-CS-Event: VM.CREATE\n"
        "User-Agent: CS-Hookshot/acc-uuid\n"
        "X-CS-Signature: CRfEU8lXIysqqrH8HyBY2L17lzEuCRYKb0OQiIo/pto=\n"
        "Content-Length: 26\nContent-Type: application/json; charset=UTF-8");

  delivery_record r;
  r.event_id = ev.id;
  r.event_type = ev.type;
  r.account_id = ev.account_id;
  r.signature = "CRfEU8lXIysqqrH8HyBY2L17lzEuCRYKb0OQiIo/pto=";
  r.payload = ev.body;
  CHECK(recorded_headers(r) == format_recorded_headers(h, ev.body.size()));

  ev.account_id.clear();
  ev.json = false;
  auto unsigned_h = delivery_headers(ev, "");
  CHECK(unsigned_h.size() == 4);
  CHECK(unsigned_h.fields()[2].second == "CS-Hookshot/null");
  CHECK(unsigned_h.fields()[3].second == "text/plain; charset=UTF-8");
}

TEST_CASE("a header list keeps its fields as curl's lines in one string", "[event]") {
  header_list h{{"A", "1"}, {"Bee", "two: parts"}};
  h.add("C", "x", "y");
  CHECK(h.size() == 3);
  CHECK(h.safe());
  CHECK(h.lines() == std::string("A: 1\0Bee: two: parts\0C: xy\0", 27));
  auto f = h.fields();
  REQUIRE(f.size() == 3);
  CHECK(f[1] == header_list::field{"Bee", "two: parts"});  // the first ": " ends the name
  CHECK(f[2] == header_list::field{"C", "xy"});
  CHECK(header_list{}.fields().empty());
  CHECK(header_list{{"E", ""}}.fields()[0].second.empty());
}

TEST_CASE("a header list leaves out what cannot be sent and says so", "[event]") {
  header_list h;
  h.add("X-CS-Event-ID", "e1");
  h.add("X-CS-Event", "A\r\nX-Injected: 1");
  h.add("User-Agent", "ok", std::string("\0", 1));
  h.add("Bad:Name", "v");
  CHECK_FALSE(h.safe());
  CHECK(h.refused() == "X-CS-Event");  // the first one left out
  CHECK(h.size() == 1);
  CHECK(h.lines() == std::string("X-CS-Event-ID: e1\0", 18));
  CHECK_FALSE(header_list{{"", "v"}}.safe());
  CHECK_FALSE(header_list{{"N", "tab\tok"}, {"M", "\x7f"}}.safe());
  CHECK(header_list{{"N", "tab\tok"}}.safe());
}

TEST_CASE("payload URLs without a scheme get http://", "[event]") {
  CHECK(normalize_payload_url("abc.com") == "http://abc.com");
  CHECK(normalize_payload_url("https://x.io/h") == "https://x.io/h");
  CHECK(normalize_payload_url("HTTPS://x.io") ==
        "http://HTTPS://x.io");  // case-sensitive, as CloudStack
}

TEST_CASE("payload URLs need an http(s) scheme, a host and a sane port", "[event]") {
  for (const char* ok : {"http://h.io", "https://h.io:8443/x?y=z", "http://user@h.io/", "http://[::1]:80/",
                         "http://127.0.0.1:9090/hook"})
    CHECK(validate_payload_url(ok).is_ok());
  for (const char* bad : {"http:///x", "http://ftp://h.io", "http://h.io:0", "http://h.io:99999",
                          "http://h.io:x", "ftp://h.io", "http://h .io", "http://:80"})
    CHECK_FALSE(validate_payload_url(bad).is_ok());
  CHECK(validate_payload_url("http:///nohost").message() == "Invalid webhook payload URL host in [http:///nohost]");
}
