#!/usr/bin/env bash
# The main job: builds what it needs and runs the demo. Usage: ./scripts/demo.sh [modern|feb2026]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/env.sh
mvn -q -B install -DskipTests -Djacoco.skip=true
mvn -q -B -pl host-udp exec:java -Dexec.args="${1:-modern}"
