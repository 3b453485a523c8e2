#!/usr/bin/env bash
# The soak of issue 16: builds the server jar and the bench module, then runs dev.tollgate.bench.Soak, which starts the
# packaged server on SQLite in a temporary directory, drives a mixed load for --minutes (default 10), samples the
# heap after a full GC (jcmd) and judges it flat, checks for 5xx answers, webhook deliveries and `verify`.
# Exits 1 if a check failed. Not part of `mvn verify`: it is a long run. Smoke check: bench/soak.sh --minutes 1
# Usage: bench/soak.sh [--minutes M] [--customers N] [--rate R] [--sample-seconds S] [--tolerance T]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl tollgate-bench -am package -DskipTests
exec java -cp "tollgate-bench/target/classes:$(cat tollgate-bench/target/classpath.txt)" \
    dev.tollgate.bench.Soak --server-jar tollgate-server/target/tollgate-server.jar "$@"
