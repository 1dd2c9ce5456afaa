#!/usr/bin/env bash
# Runs every fuzz target: first over its committed seed corpus (tests/fuzz/corpus/TARGET, the
# regression run: every seed must pass), then fuzzing for SECONDS more, with new inputs kept in
# BUILD_DIR/corpus/TARGET. A crash, leak, sanitizer report, timeout or broken invariant fails
# the run and leaves the input in BUILD_DIR/artifacts/. Writes BUILD_DIR/fuzz-summary.json.
#
#   tests/fuzz/run.sh BUILD_DIR SECONDS
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR SECONDS}
seconds=${2:?usage: run.sh BUILD_DIR SECONDS}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$build/artifacts"
summary="$build/fuzz-summary.json"
echo "{" > "$summary.tmp"
first=1
status=0
for target in fuzz_event fuzz_api_request fuzz_config fuzz_codec fuzz_url; do
  seeds="$here/corpus/$target"
  work="$build/corpus/$target"
  mkdir -p "$work"
  log="$build/$target.log"
  if "$build/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -max_len=65536 -print_final_stats=1 -artifact_prefix="$build/artifacts/$target-" \
      "$work" "$seeds" > "$log" 2>&1; then
    result=ok
  else
    result=FAILED
    status=1
  fi
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  nseeds=$(find "$seeds" -type f | wc -l)
  corpus=$(find "$work" -type f | wc -l)
  printf '%-18s %-6s %10s inputs run, %4s seeds, %5s in the working corpus\n' \
    "$target" "$result" "$execs" "$nseeds" "$corpus"
  if [ "$result" = FAILED ]; then tail -40 "$log"; fi
  [ $first = 1 ] || echo "," >> "$summary.tmp"
  first=0
  printf '  "%s": {"result": "%s", "inputs": %s, "seconds": %s, "seeds": %s}' \
    "$target" "$result" "${execs:-0}" "$seconds" "$nseeds" >> "$summary.tmp"
done
printf '\n}\n' >> "$summary.tmp"
mv "$summary.tmp" "$summary"
exit $status
