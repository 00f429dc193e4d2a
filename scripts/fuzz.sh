#!/usr/bin/env bash
# Coverage-guided fuzzing (Jazzer) of every decoder and of the datagram path.
#   ./scripts/fuzz.sh            short run: 10 s per target (part of the test command)
#   ./scripts/fuzz.sh 3600       long run: an hour per target
# New inputs that reach new code are kept in target/fuzz-corpus; a crash leaves a crash-* file there and
# fails the run. Commit interesting inputs to the replayed corpus under src/test/resources/.../*Inputs.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/env.sh
seconds="${1:-10}"
mvn -q -B install -DskipTests -Djacoco.skip=true -pl core-logic,host-udp -am >/dev/null
status=0
run() { # module class
  local module=$1 cls=$2
  mvn -q -B -pl "$module" test-compile dependency:build-classpath -Dmdep.includeScope=test \
      -Dmdep.outputFile=target/fuzz-classpath.txt -Djacoco.skip=true >/dev/null
  # this clone's core-logic classes first: the jar in ~/.m2 is shared with every other build on the machine
  local cp="$PWD/$module/target/test-classes:$PWD/$module/target/classes:$PWD/core-logic/target/classes:$(cat "$module/target/fuzz-classpath.txt")"
  for target in $(sed -n 's/.*public static final class \([A-Za-z]*Fuzz\) {.*/\1/p' "$module/src/test/java/$(echo "$cls" | tr . /).java"); do
    local dir="$PWD/$module/target/fuzz-corpus/$target"
    mkdir -p "$dir"
    local out found=""
    out=$(cd "$dir" && java -Xmx1g -cp "$cp" -Dorg.slf4j.simpleLogger.defaultLogLevel=off com.code_intelligence.jazzer.Jazzer \
        --target_class="$cls\$$target" --instrumentation_includes='pilot.**' \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=3072 "$dir" 2>&1) || { status=1; found="  FINDING"; echo "$out" | tail -40; }
    local execs
    execs=$(echo "$out" | sed -n 's/^#\([0-9]*\).*DONE.*/\1/p' | tail -1)
    printf 'fuzz %-26s %12s executions in %ss%s\n' "$target" "${execs:-?}" "$seconds" "$found"
  done
}
run core-logic pilot.core.fuzz.FuzzTargets
run host-udp pilot.host.fuzz.HostFuzzTargets
exit $status
