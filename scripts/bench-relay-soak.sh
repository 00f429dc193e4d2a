#!/usr/bin/env bash
# Relay soak (a benchmark, not a test): relay RSS and honest-traffic throughput while hostile connections churn
# and hostile datagrams arrive. Usage: scripts/bench-relay-soak.sh [--baseline GIT-REV] [RelaySoak args...]
# With --baseline, the same soak also runs against the relay built from GIT-REV in a temporary clone.
# Loopback only (127.0.0.1). Takes a few minutes and most of a core; do not run it beside the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/env.sh
baseline=""
if [[ "${1:-}" == "--baseline" ]]; then
  baseline="$2"
  shift 2
fi
build() { # $1 = tree; prints the relay's classpath (its own classes first, never a core-logic jar from ~/.m2)
  (cd "$1" && mvn -q -B -o -pl host-udp -am test-compile -Djacoco.skip=true >&2 \
    && mvn -q -B -o -pl host-udp dependency:build-classpath -Dmdep.includeScope=test \
         -Dmdep.outputFile=target/soak-classpath.txt >&2)
  local deps
  deps=$(tr ':' '\n' < "$1/host-udp/target/soak-classpath.txt" | grep -v '/dev/pilot/core-logic/' | paste -sd: -)
  echo "$1/host-udp/target/classes:$1/core-logic/target/classes:$deps"
}
here=$(pwd)
cp_new=$(build "$here")
harness="$here/host-udp/target/test-classes:$cp_new"
quiet=(-Dorg.slf4j.simpleLogger.defaultLogLevel=warn)
echo "| relay | hostile connections | RSS before | RSS peak | RSS after | honest, quiet | honest, under attack | new Worker after |"
echo "|---|---|---|---|---|---|---|---|"
if [[ -n "$baseline" ]]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  git clone -q "$here" "$tmp/old" && git -C "$tmp/old" checkout -q "$baseline"
  cp_old=$(build "$tmp/old")
  java "${quiet[@]}" -cp "$harness" pilot.host.relay.RelaySoak --relay-cp "$cp_old" --label "before ($baseline)" "$@"
fi
java "${quiet[@]}" -cp "$harness" pilot.host.relay.RelaySoak --relay-cp "$cp_new" --label "after ($(git rev-parse --short HEAD))" "$@"
