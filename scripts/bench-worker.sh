#!/usr/bin/env bash
# Worker figures: cold start in local workerd, time per ping request, stream throughput Worker<->relay<->JVM.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/env.sh
. scripts/lib/node.sh
mvn -q -B install -DskipTests -Djacoco.skip=true
ensure_node22
(cd worker-shim && npm ci --no-audit --no-fund --loglevel=error && "$NODE22" scripts/prepare-core.mjs >/dev/null)
PATH="$(dirname "$NODE22"):$PATH" "$NODE22" worker-shim/scripts/demo.mjs --bench
