#!/usr/bin/env bash
# The main job: a Cloudflare Worker (local workerd) becomes a Pilot peer and talks to a JVM peer.
# Builds what it needs, starts a registry, the relay and a JVM host on loopback, runs the example Worker,
# and shows the handshake, pings, and a 1 MiB echoed stream. Usage: ./scripts/demo.sh [--keep-running]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/env.sh
. scripts/lib/node.sh
echo "== building (Maven: core, wasm, host) =="
mvn -q -B install -DskipTests -Djacoco.skip=true
ensure_node22
(cd worker-shim && npm ci --no-audit --no-fund --loglevel=error && "$NODE22" scripts/prepare-core.mjs >/dev/null)
echo "== demo =="
PATH="$(dirname "$NODE22"):$PATH" exec "$NODE22" worker-shim/scripts/demo.mjs "$@"
