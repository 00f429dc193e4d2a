#!/usr/bin/env bash
# wasm benchmarks: size, instantiate, handshake CPU, seal+open rate in Node 22 and in a local workerd.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/env.sh
. scripts/lib/node.sh
mvn -q -B package -DskipTests -Djacoco.skip=true -pl wasm-build -am
ensure_node22
(cd wasm-build/js && npm ci --no-audit --no-fund --loglevel=error && "$NODE22" bench/bench.mjs)
