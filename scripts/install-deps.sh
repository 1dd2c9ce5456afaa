#!/usr/bin/env bash
# Installs the Debian 12 packages hookshot needs, and only those that are missing.
# Idempotent: a second run installs nothing and does not touch the network.
set -euo pipefail

packages=(
  g++ cmake make pkg-config
  libcaf-dev               # CAF 0.17.6 (no CMake package; found by hand in CMakeLists.txt)
  libcurl4-openssl-dev     # curl multi engine
  libssl-dev               # OpenSSL 3 EVP_MAC
  libboost1.81-dev         # Beast, Asio (never the unversioned libboost-dev: it pulls 1.74)
  libboost-json1.81-dev
  liblmdb-dev
  libtcmalloc-minimal4     # the binary's malloc (CMakeLists.txt says why)
  catch2                   # Catch2 v2
  python3                  # integration test receivers and drivers
  openssl ca-certificates  # TLS test certificates; the system trust store
  python3-cs               # a real CloudStack API client for the API tests
  clang libclang-rt-14-dev # libFuzzer and sanitizer runtimes for `make fuzz`
  chromium                 # the web page's end-to-end tests (driven by playwright-core)
)
# Node.js and npm run the browser tests; Debian's packages unless a Node.js is already there.
if ! command -v npm >/dev/null 2>&1; then packages+=(nodejs npm); fi

# --bench adds what the measurements use.
if [ "${1:-}" = "--bench" ]; then packages+=(wrk); fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "hookshot: installing missing packages: ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
