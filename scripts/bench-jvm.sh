#!/usr/bin/env bash
# JVM benchmarks (JMH): seal+open of 1,200-byte packets and full PILA handshakes per second.
# Usage: ./scripts/bench-jvm.sh [JMH args, e.g. -wi 1 -i 3]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/env.sh
mvn -q -B install -DskipTests -Djacoco.skip=true
mvn -q -B -pl core-logic test-compile
mvn -q -B -pl core-logic dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
cp=$(cat core-logic/target/test-classpath.txt)
java -cp "core-logic/target/test-classes:core-logic/target/classes:$cp" org.openjdk.jmh.Main "pilot.core.bench.*" -rf json -rff core-logic/target/jmh-result.json "$@"
