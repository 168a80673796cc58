#!/usr/bin/env bash
# Issue 4: freeze+settle pairs per second through the ledger writer, on a durable PostgreSQL
# (fsync and synchronous_commit on) on this machine, through IMessageBus like the API.
# Scenarios: (a) one hot account, 1 caller; (a) one hot account, 32 callers; (b) 100 accounts, 64 callers.
# Usage: bench/ledger/run.sh [SECONDS per scenario, default 15] [ROUNDS, default 1]
# Writes bench/ledger/results-<time>.md (and prints it).
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
SECONDS_PER=${1:-15}
ROUNDS=${2:-1}
ensure_tools

PG_DIR=$(mktemp -d /tmp/verging-ledger-bench-pg.XXXXXX)
PG_PORT=$(free_port)
cleanup() { pg_stop "$PG_DIR"; rm -rf "$PG_DIR"; }
trap cleanup EXIT INT TERM
pg_start "$PG_DIR" "$PG_PORT"          # durable: no "fast", so fsync and synchronous_commit stay on

log "building the bench (Release)"
dotnet build bench/Verging.Bench.Ledger -c Release -nologo -v q -clp:ErrorsOnly >/dev/null
BENCH=bench/Verging.Bench.Ledger/bin/Release/net10.0/Verging.Bench.Ledger.dll

OUT=bench/ledger/results-$(date -u +%Y%m%dT%H%M%SZ).md
psql_q() { as_pg_owner "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc "$1"; }
{
  echo "# Ledger bench $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "host: $(nproc) cpu ($(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)); PostgreSQL $(psql_q 'show server_version') on the same machine,"
  echo "fsync=$(psql_q 'show fsync'), synchronous_commit=$(psql_q 'show synchronous_commit'); ${SECONDS_PER}s per scenario after 3s warm-up, fresh database per run;"
  echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet -- src || echo ' + uncommitted changes in src')"
  echo
  echo "| scenario | accounts | callers | pairs | pairs/s | freeze p50 ms | freeze p99 ms | settle p50 ms | settle p99 ms | batches | commands/batch | ms/batch | host CPU ms/pair | errors | load avg before |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
} | tee "$OUT"

run() { # name accounts callers
  local db="bench_${1//-/_}_$RANDOM"
  psql_q "create database $db" >/dev/null
  local load; load=$(cut -d' ' -f1-3 /proc/loadavg)
  local row
  row=$(VERGING_BENCH_PG="Host=127.0.0.1;Port=$PG_PORT;Database=$db;Username=postgres;Maximum Pool Size=100" \
    dotnet "$BENCH" --name "$1" --accounts "$2" --callers "$3" --seconds "$SECONDS_PER" --warmup 3 2>/dev/null | grep '^|' | tail -1) \
    || row="| $1 | $2 | $3 | FAILED (see a manual run) |"
  echo "$row $load |" | tee -a "$OUT"
  psql_q "drop database $db with (force)" >/dev/null
}

for _ in $(seq 1 "$ROUNDS"); do
  run a-sequential 1 1
  run a-hot-32 1 32
  run b-100x64 100 64
done
log "results in $OUT"
