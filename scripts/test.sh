#!/usr/bin/env bash
# Every test of the project, from a fresh clone. CI runs exactly this (.ci/run).
# Installs what it needs into the project's own folders: Maven artifacts (~/.m2), Node 22 and npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/env.sh
. scripts/lib/node.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== Maven verify: core-logic, test-vectors, wasm-build (builds pilot-core.wasm), host-udp =="
mvn -B verify 2>&1 | tee -a "$log"

echo "== fuzzing: every decoder and the datagram path, 10 s per target (./scripts/fuzz.sh SECONDS for longer) =="
./scripts/fuzz.sh 10

ensure_node22
echo "== pilot-core.wasm in Node $("$NODE22" --version) and in a local workerd =="
(cd wasm-build/js && npm ci --no-audit --no-fund --loglevel=error && "$NODE22" --test "test/*.test.mjs") 2>&1 | tee -a "$log"

echo "== worker-shim: the npm package (pack, offline install into package-example, wrangler deploy --dry-run), then the Worker in workerd against a JVM registry, two relays and hosts on loopback =="
(cd worker-shim && npm ci --no-audit --no-fund --loglevel=error && PATH="$(dirname "$NODE22"):$PATH" npm test) 2>&1 | tee -a "$log"

# One closing line over all three runners (each has already failed the script if anything failed).
strip() { sed 's/\x1b\[[0-9;]*m//g' "$log"; }
mvn_pass=$(strip | awk '/^\[INFO\] Tests run: [0-9]+, Failures: [0-9]+, Errors: [0-9]+, Skipped: [0-9]+$/ {gsub(",",""); t+=$4; f+=$6+$8} END {print t-f+0}')
node_pass=$(strip | awk '/^# pass / {p+=$3} END {print p+0}')
vitest_pass=$(strip | awk '/Tests +[0-9]+ passed/ {for (i=1;i<=NF;i++) if ($i=="passed") p+=$(i-1)} END {print p+0}')
echo "all tests: $((mvn_pass + node_pass + vitest_pass)) passed, 0 failed"
