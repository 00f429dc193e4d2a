#!/usr/bin/env bash
# Host figures: seal+open with JCE and Bouncy Castle, host-to-host ping and stream on loopback, relay rate.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/env.sh
mvn -q -B install -DskipTests -Djacoco.skip=true -pl host-udp -am
mvn -q -B -pl host-udp test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
java -cp "host-udp/target/test-classes:host-udp/target/classes:$(cat host-udp/target/test-classpath.txt)" pilot.host.bench.HostBench
