#!/usr/bin/env bash
# Worker figures: cold start in local workerd, time per ping request, and 8 MiB streams (upload, download, echo)
# Worker -> relay -> JVM host, next to the same transfers from a JavaWorker through the relay and from a JVM host
# over UDP, all in one run. Loopback only.
# The example Worker runs twice, each transfer alternating between the two: "workerd", the bundle `wrangler deploy
# --dry-run` makes, under the workerd binary alone (as deployed: nothing between the client and the Worker), and
# "wrangler-dev", under `wrangler dev` (its ProxyWorker, a second workerd, carries every request and response body;
# its node process relays the inspector). --runner workerd (or wrangler-dev) runs one; --baseline DIR adds the Worker
# of another checkout DIR (its worker-shim/vendor/pilot-core prepared) under workerd alone, for same-run ratios.
#   ./scripts/bench-worker.sh [--cpu-profile FILE]   FILE: a V8 CPU profile of the first runner's Worker
#   more options of worker-shim/scripts/demo.mjs pass through: --only upload,download,echo, --repeat N (medians in the
#   table), --warm-up N (untimed rounds first, default 2), --no-minify (function names in the profile), --jfr DIR,
#   --worker-mss N; a profile is summarized by node worker-shim/scripts/profile-summary.mjs FILE
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/env.sh
. scripts/lib/node.sh
# one reactor build, nothing installed: core-logic comes from core-logic/target/classes, never from ~/.m2
mvn -q -B -pl host-udp,wasm-build -am package -DskipTests -Djacoco.skip=true
mvn -q -B -pl host-udp -am test-compile dependency:build-classpath -Djacoco.skip=true -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/test-classpath.txt
PILOT_BENCH_CP="host-udp/target/test-classes:host-udp/target/classes:core-logic/target/classes:$(cat host-udp/target/test-classpath.txt)"
export PILOT_BENCH_CP
ensure_node22
(cd worker-shim && npm ci --no-audit --no-fund --loglevel=error && "$NODE22" scripts/prepare-core.mjs >/dev/null)
PATH="$(dirname "$NODE22"):$PATH" "$NODE22" worker-shim/scripts/demo.mjs --bench "$@"
