#!/usr/bin/env bash
# Host figures: envelope vs raw JCE, seal+open with JCE and Bouncy Castle, host-to-host ping and stream on
# loopback, relay rate.
#   ./scripts/bench-host.sh                        everything
#   ./scripts/bench-host.sh --crypto [GIT-REV]     only the envelope vs raw JCE ratio; with GIT-REV, also that
#                                                  revision's core and host measured by the same bench, one after the other
#   ./scripts/bench-host.sh --stream [MIB [ROUNDS [pause]]] [--jfr FILE]
#                                                  host -> host stream (HostStream, 100 MiB by default) against raw UDP
#                                                  on loopback in the same JVM, alternating rounds; --jfr also records a
#                                                  Flight Recorder profile (jfr print --events jdk.ExecutionSample FILE)
#                                                  pause: each stream starts with one segment and a 100 ms pause
#                                                  (the receiver's delayed ACK fires once: quick-ACK mode from then on)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/env.sh
# one reactor build (no install: core-logic comes from core-logic/target/classes, not ~/.m2)
mvn -q -B -pl host-udp -am test-compile dependency:build-classpath -Djacoco.skip=true -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/test-classpath.txt
deps="$(cat host-udp/target/test-classpath.txt)"
if [ "${1:-}" = "--stream" ]; then
  shift
  args=()
  jfr=()
  while [ $# -gt 0 ]; do
    if [ "$1" = "--jfr" ]; then
      jfr=("-XX:StartFlightRecording=filename=$2,settings=profile")
      shift 2
    else
      args+=("$1")
      shift
    fi
  done
  java "${jfr[@]}" -cp "host-udp/target/test-classes:host-udp/target/classes:$deps" pilot.host.bench.HostBench stream "${args[@]}"
  exit 0
fi
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
