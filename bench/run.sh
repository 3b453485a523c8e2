#!/usr/bin/env bash
# The benchmark run of issue 6: builds the server and the bench module, then starts the baselines (bare Netty HTTP,
# a private redis-server with redis-benchmark, pgbench on the machine's PostgreSQL, an fsync loop) and Tollgate
# (SQLite, then PostgreSQL) as processes, runs every scenario A B A B A B, checks the correctness gates, runs JMH,
# and writes tollgate-bench/target/bench/result.json and result.md. Needs: Java 17, Maven, redis-server,
# redis-benchmark, pgbench and psql, PostgreSQL at 127.0.0.1:5432 (user postgres, database test).
# Usage: bench/run.sh [--smoke] [--no-jmh]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests -DskipITs -Dspotless.check.skip=true install
exec java -cp "tollgate-bench/target/classes:$(cat tollgate-bench/target/classpath.txt)" \
    dev.tollgate.bench.BenchMain --server-jar tollgate-server/target/tollgate-server.jar \
    --out tollgate-bench/target/bench "$@"
