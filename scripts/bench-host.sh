#!/usr/bin/env bash
# Host figures: envelope vs raw JCE, seal+open with JCE and Bouncy Castle, host-to-host ping and stream on
# loopback, relay rate.
#   ./scripts/bench-host.sh                        everything
#   ./scripts/bench-host.sh --crypto [GIT-REV]     only the envelope vs raw JCE ratio; with GIT-REV, also that
#                                                  revision's core and host measured by the same bench, one after the other
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/env.sh
# one reactor build (no install: core-logic comes from core-logic/target/classes, not ~/.m2)
mvn -q -B -pl host-udp -am test-compile dependency:build-classpath -Djacoco.skip=true -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/test-classpath.txt
deps="$(cat host-udp/target/test-classpath.txt)"
if [ "${1:-}" = "--crypto" ]; then
  if [ -n "${2:-}" ]; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    git archive "$2" | tar -x -C "$tmp"
    (cd "$tmp" && mvn -q -B compile -Djacoco.skip=true -pl host-udp -am)
    echo "baseline $2:"
    java -cp "host-udp/target/test-classes:$tmp/host-udp/target/classes:$tmp/core-logic/target/classes:$deps" pilot.host.bench.HostBench crypto
    echo "current:"
  fi
  java -cp "host-udp/target/test-classes:host-udp/target/classes:$deps" pilot.host.bench.HostBench crypto
  exit 0
fi
java -cp "host-udp/target/test-classes:host-udp/target/classes:$deps" pilot.host.bench.HostBench
