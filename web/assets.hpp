#pragma once

// The web page's files (web/*.html, *.js, *.css, *.svg), compiled into the binary by
// web/embed.cmake so `hookshot serve` needs nothing on disk to serve them.

#include <string_view>

namespace hookshot::web {

struct asset {
  std::string_view path;          // "/index.html", "/app.js", ...
  std::string_view content_type;  // with charset for text
  std::string_view body;
};

/// The file served at `path` ("/" is /index.html), or null.
const asset* find_asset(std::string_view path);

}  // namespace hookshot::web
