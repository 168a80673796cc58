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

BENCH_POOL=60 bench_service usage
api() { (cd "$BIN" && exec dotnet Verging.Api.dll "$@"); }

KEY=$(api accounts create --email usage-bench@verging.local --credits 1000 --quiet 2>/dev/null | tail -1)
SERVICE_LOG=/tmp/usage-bench-service.log
(cd "$BIN" && exec dotnet Verging.Api.dll --urls "http://127.0.0.1:$PORT") >"$SERVICE_LOG" 2>&1 &
SERVICE_PID=$!
wait_ready "$PORT" || { tail -c 4000 "$SERVICE_LOG" >&2; die "the service did not start"; }
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
