#include "bench/event_lines.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

namespace json = boost::json;
using hookshot::bench::event_lines;

TEST_CASE("an event line is the JSON object it stands for", "[bench]") {
  event_lines lines({"acc-0", "acc-\"1\""});
  std::string l = lines.line(1, 1733000000123456);
  json::object want{{"event", "VM.CREATE"},      {"status", "Completed"},
                    {"account", "acc-\"1\""},    {"entity", "VirtualMachine"},
                    {"sent_us", 1733000000123456},
                    {"description", std::string(event_lines::kPayloadPad, 'x')}};
  CHECK(l == json::serialize(want));
  CHECK(json::parse(l).as_object().at("account").as_string() == "acc-\"1\"");
  CHECK(l.size() > 900);
  CHECK(l.size() < 1100);
}

TEST_CASE("event lines append, owners wrapping around the accounts", "[bench]") {
  event_lines lines({"a", "b"});
  std::string out;
  lines.append(out, 2, 0);  // owner 2 of two accounts: "a" again
  out += '\n';
  lines.append(out, 1, -5);
  auto nl = out.find('\n');
  REQUIRE(nl != std::string::npos);
  CHECK(json::parse(out.substr(0, nl)).as_object().at("account").as_string() == "a");
  CHECK(json::parse(out.substr(nl + 1)).as_object().at("sent_us").as_int64() == -5);
}
