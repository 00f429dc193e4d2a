#!/usr/bin/env bash
# Single simulated stream through the whole core: bytes delivered per second of CPU at 0% and 5% loss.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/env.sh
mvn -q -B install -DskipTests -Djacoco.skip=true -pl core-logic
mvn -q -B -pl core-logic test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
java -cp "core-logic/target/test-classes:core-logic/target/classes:$(cat core-logic/target/test-classpath.txt)" pilot.core.sim.SimBench "$@"
