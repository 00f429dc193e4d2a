#!/usr/bin/env bash
# Every test of the project, from a fresh clone. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/env.sh
echo "== Maven verify (core-logic, test-vectors, host-udp; JaCoCo coverage gate) =="
mvn -B verify
