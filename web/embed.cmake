# Writes OUT, a C++ file holding every file of the web page in ROOT as a byte array, and
# find_asset() over them (see web/assets.hpp). Run by the build: cmake -DROOT=... -DOUT=... -P
file(GLOB files RELATIVE ${ROOT} ${ROOT}/*.html ${ROOT}/*.js ${ROOT}/*.css ${ROOT}/*.svg)
list(SORT files)
set(arrays "")
set(table "")
set(i 0)
foreach(f ${files})
  file(READ ${ROOT}/${f} hex HEX)
  string(LENGTH "${hex}" n)
  math(EXPR n "${n} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(APPEND arrays "const unsigned char f${i}[] = {${bytes}0};\n")
  if(f MATCHES "\\.html$")
    set(type "text/html; charset=utf-8")
  elseif(f MATCHES "\\.js$")
    set(type "text/javascript; charset=utf-8")
  elseif(f MATCHES "\\.css$")
    set(type "text/css; charset=utf-8")
  else()
    set(type "image/svg+xml")
  endif()
  string(APPEND table "    {\"/${f}\", \"${type}\", {reinterpret_cast<const char*>(f${i}), ${n}}},\n")
  math(EXPR i "${i} + 1")
endforeach()
file(WRITE ${OUT}.tmp "// Generated from web/ by web/embed.cmake at build time; do not edit.
#include \"web/assets.hpp\"

namespace hookshot::web {
namespace {
${arrays}
const asset kAssets[] = {
${table}};
}  // namespace

const asset* find_asset(std::string_view path) {
  if (path == \"/\") path = \"/index.html\";
  for (const auto& a : kAssets)
    if (a.path == path) return &a;
  return nullptr;
}

}  // namespace hookshot::web
")
configure_file(${OUT}.tmp ${OUT} COPYONLY)
