#!/usr/bin/env bash
# Usage benchmark (docs/benchmarks.md, "Usage"): seeds 1,000,000 usage records over 100 accounts
# (one of them a real account with ~106,000, so its API key can query them), then measures through
# HTTP the page query, the 30-day summary and the CSV export of that account, and the projection
# lag (contract committed -> record visible) under a steady publish rate.
# PostgreSQL is durable (fsync on). Arguments: --quick (fewer samples, 200,000 records).
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh

QUICK=""; RECORDS=1000000; BIG=106000
if [ "${1:-}" = "--quick" ]; then QUICK="--quick"; RECORDS=200000; BIG=106000; fi
PORT=${BENCH_HTTP_PORT:-5090}
ensure_tools

PG_DIR=$(mktemp -d /tmp/verging-usage-bench-pg.XXXXXX)
PG_PORT=$(free_port)
SERVICE_PID=""
cleanup() {
  [ -n "$SERVICE_PID" ] && kill "$SERVICE_PID" 2>/dev/null && wait "$SERVICE_PID" 2>/dev/null
  pg_stop "$PG_DIR"; rm -rf "$PG_DIR" "$PG_DIR.blobs"
}
trap cleanup EXIT INT TERM
pg_start "$PG_DIR" "$PG_PORT"
pg_create_db "$PG_PORT" verging

log "building (Release)"
dotnet build src/Verging.Api/Verging.Api.csproj -c Release -nologo -v q -clp:ErrorsOnly >/dev/null
BIN=$PWD/src/Verging.Api/bin/Release/net10.0
export ASPNETCORE_ENVIRONMENT=Production
export ConnectionStrings__Postgres="Host=127.0.0.1;Port=$PG_PORT;Database=verging;Username=postgres;Maximum Pool Size=60"
export Logging__LogLevel__Default=Warning
export Blobs__Root=$PG_DIR.blobs
api() { (cd "$BIN" && exec dotnet Verging.Api.dll "$@"); }

KEY=$(api accounts create --email usage-bench@verging.local --credits 1000 --quiet 2>/dev/null | tail -1)
SERVICE_LOG=/tmp/usage-bench-service.log
(cd "$BIN" && exec dotnet Verging.Api.dll --urls "http://127.0.0.1:$PORT") >"$SERVICE_LOG" 2>&1 &
SERVICE_PID=$!
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && break
  sleep 0.5
done
ACCOUNT=$(curl -fsS -X POST "http://127.0.0.1:$PORT/api/v1/api-keys/validate" -H "Authorization: ApiKey $KEY" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["account_id"])')

log "seeding $RECORDS usage records over 100 accounts ($BIG for account $ACCOUNT)"
api usage seed --records "$RECORDS" --accounts 100 --big-account-records "$BIG" --account "$ACCOUNT" 2>/dev/null | tee /tmp/usage-bench-seed.txt

log "measuring the usage endpoints"
python3 bench/usage/bench.py "http://127.0.0.1:$PORT" "$KEY" $QUICK \
  || { tail -c 4000 "$SERVICE_LOG" >&2; die "the endpoint benchmark failed (service log above)"; }

log "measuring projection lag (a second host publishes and records; the service keeps running beside it)"
for rate in ${LAG_RATES:-100 200 300}; do
  api usage lag --messages $((rate * ${SECONDS_PER_RATE:-20})) --rate "$rate" --accounts 100 2>/dev/null | tail -1
done
