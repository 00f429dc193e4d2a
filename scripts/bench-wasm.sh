#!/usr/bin/env bash
# wasm benchmarks of the production pilot-core.wasm: size, instantiate, handshake CPU and seal+open
# through the node API in Node 22 and in a local workerd (with nodejs_compat: the core runs on node:crypto),
# with WebCrypto and node:crypto AES-GCM alone in the same workerd run.
#   ./scripts/bench-wasm.sh [--baseline GIT-REV]
# With --baseline, that revision's wasm-build is built in a temporary folder and measured in the same
# Node process (alternating rounds), so the table shows current/baseline ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/env.sh
. scripts/lib/node.sh
mvn -q -B package -DskipTests -Djacoco.skip=true -pl wasm-build -am
ensure_node22
args=()
if [ "${1:-}" = "--baseline" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  git archive "$2" | tar -x -C "$tmp"
  (cd "$tmp" && mvn -q -B -o package -DskipTests -Djacoco.skip=true -pl wasm-build -am)
  args=(--baseline "$tmp/wasm-build/target/pilot-core/")
fi
(cd wasm-build/js && npm ci --no-audit --no-fund --loglevel=error && "$NODE22" bench/bench.mjs "${args[@]}" \
  && "$NODE22" bench/aead-workerd.mjs 7 \
  && "$NODE22" bench/aead-workerd-cpu.mjs 7 "${args[@]}" \
  && if [ ${#args[@]} -gt 0 ]; then "$NODE22" bench/ab-workerd-cpu.mjs "${args[1]}" ../target/pilot-core 15; fi)
# the Worker's packet path against the ciphers alone (wall, then workerd CPU); with --baseline also both builds in one
# workerd isolate (ab-workerd-cpu.mjs: A = the baseline, B = this build), the steadier comparison of the two
