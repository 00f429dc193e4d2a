#!/usr/bin/env bash
# Every test of the project, from a fresh clone. CI runs exactly this (.ci/run).
# Installs what it needs into the project's own folders: Maven artifacts (~/.m2), Node 22 and npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/env.sh
. scripts/lib/node.sh

echo "== Maven verify: core-logic, test-vectors, wasm-build (builds pilot-core.wasm), host-udp =="
mvn -B verify

ensure_node22
echo "== pilot-core.wasm in Node $("$NODE22" --version) and in a local workerd =="
(cd wasm-build/js && npm ci --no-audit --no-fund --loglevel=error && "$NODE22" --test "test/*.test.mjs")

echo "== worker-shim: the example Worker in workerd against a JVM registry, relay and host on loopback =="
(cd worker-shim && npm ci --no-audit --no-fund --loglevel=error && PATH="$(dirname "$NODE22"):$PATH" npm test)
