#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "core/api_request.hpp"
#include "net/blocking_http.hpp"
#include "src/commands.hpp"

namespace hookshot::cli {
namespace {

const char* kHelp =
    "usage: hookshot api COMMAND [name=value ...] [--url URL] [--api-key KEY] [--secret-key KEY]\n"
    "                    [--compact]\n"
    "Sends a signed CloudStack API request (signatureVersion 3, expires in 10 minutes) and\n"
    "prints the JSON answer, pretty unless --compact. Exit 0 on HTTP 200, 1 otherwise.\n"
    "  --url URL         API endpoint (default $HOOKSHOT_URL, else http://127.0.0.1:8080/client/api)\n"
    "  --api-key KEY     the account's API key (default $HOOKSHOT_API_KEY)\n"
    "  --secret-key KEY  the account's secret key (default $HOOKSHOT_SECRET_KEY)\n"
    "example: hookshot api listWebhooks listall=true\n";

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

void pretty(const boost::json::value& v, std::string& out, int indent) {
  std::string pad(static_cast<size_t>(indent) * 2, ' ');
  if (v.is_object()) {
    const auto& o = v.as_object();
    if (o.empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    size_t i = 0;
    for (const auto& kv : o) {
      out += pad + "  " + boost::json::serialize(boost::json::value(kv.key())) + ": ";
      pretty(kv.value(), out, indent + 1);
      out += ++i < o.size() ? ",\n" : "\n";
    }
    out += pad + "}";
  } else if (v.is_array()) {
    const auto& a = v.as_array();
    if (a.empty()) {
      out += "[]";
      return;
    }
    out += "[\n";
    for (size_t i = 0; i < a.size(); ++i) {
      out += pad + "  ";
      pretty(a[i], out, indent + 1);
      out += i + 1 < a.size() ? ",\n" : "\n";
    }
    out += pad + "]";
  } else {
    out += boost::json::serialize(v);
  }
}

}  // namespace

int api(const args& a) {
  if (wants_help(a) || a.empty()) {
    std::fputs(kHelp, wants_help(a) ? stdout : stderr);
    return wants_help(a) ? 0 : 2;
  }
  std::string url = env_or("HOOKSHOT_URL", "http://127.0.0.1:8080/client/api");
  std::string key = env_or("HOOKSHOT_API_KEY", ""), secret = env_or("HOOKSHOT_SECRET_KEY", "");
  bool compact = false;
  api_params p;
  p["command"] = a[0];
  p["response"] = "json";  // the caller's name=value arguments may override it
  for (size_t i = 1; i < a.size(); ++i) {
    if (take_flag(a, i, "--url", url) || take_flag(a, i, "--api-key", key) ||
        take_flag(a, i, "--secret-key", secret))
      continue;
    if (a[i] == "--compact") {
      compact = true;
      continue;
    }
    size_t eq = a[i].find('=');
    if (eq == std::string::npos || eq == 0) {
      std::fprintf(stderr, "hookshot api: '%s' is not name=value\n", a[i].c_str());
      return 2;
    }
    p[a[i].substr(0, eq)] = a[i].substr(eq + 1);
  }
  if (key.empty() || secret.empty()) {
    std::fprintf(stderr, "hookshot api: set --api-key and --secret-key (or HOOKSHOT_API_KEY and "
                         "HOOKSHOT_SECRET_KEY)\n");
    return 2;
  }
  std::time_t expires = std::time(nullptr) + 600;
  std::tm tm{};
  gmtime_r(&expires, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S+0000", &tm);
  p["apiKey"] = key;
  p["signatureVersion"] = "3";
  p["expires"] = buf;
  p["signature"] = api_signature(p, secret);
  std::string query;
  for (const auto& [name, value] : p) {
    if (!query.empty()) query += '&';
    query += cloudstack_encode(name) + "=" + cloudstack_encode(value);
  }
  std::string body;
  auto code = net::http_get(url + (url.find('?') == std::string::npos ? "?" : "&") + query, &body,
                            120000);
  if (!code) {
    std::fprintf(stderr, "hookshot api: %s: %s\n", url.c_str(), code.error().message().c_str());
    return 1;
  }
  boost::json::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec || compact) {
    std::printf("%s\n", body.c_str());
  } else {
    std::string out;
    pretty(v, out, 0);
    std::printf("%s\n", out.c_str());
  }
  return *code == 200 ? 0 : 1;
}

}  // namespace hookshot::cli
