#!/usr/bin/env bash
# Jobs created, processed (no-op processors) and settled per second, end to end through the API:
# the service in Release/Production on a durable PostgreSQL (fsync and synchronous_commit on),
# every job frozen, queued durably, leased, stored, settled and published like a real one.
# Usage: bench/jobs/throughput.sh [jobs=2000] [concurrency=32] [job-concurrency=8] [warm-up jobs=8000]
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
JOBS=${1:-2000}
CLIENTS=${2:-32}
WORKERS=${3:-8}
WARMUP=${4:-8000}
PORT=${BENCH_HTTP_PORT:-$(free_port)}
ensure_tools

bench_service jobs
dotnet build bench/Verging.Bench.Jobs -c Release -nologo -v q -clp:ErrorsOnly >/dev/null
export Jobs__NoOpProcessors=true
export Jobs__Concurrency=$WORKERS

KEY=$(cd "$BIN" && dotnet Verging.Api.dll accounts create --email jobs-bench@verging.local --credits $(((JOBS + WARMUP) * 2)) --quiet 2>/dev/null | tail -1)
(cd "$BIN" && exec dotnet Verging.Api.dll --urls "http://127.0.0.1:$PORT") &
SERVICE_PID=$!
wait_ready "$PORT" || die "the service did not start"

log "warming up ($WARMUP jobs), then $JOBS jobs with $CLIENTS clients, $WORKERS jobs processed at once"
echo "| jobs | clients | failed | creates/s | create p50 ms | create p99 ms | all completed after s | jobs/s end to end |"
echo "|---|---|---|---|---|---|---|---|"
dotnet bench/Verging.Bench.Jobs/bin/Release/net10.0/Verging.Bench.Jobs.dll "http://127.0.0.1:$PORT" "$KEY" "$JOBS" "$CLIENTS" "$WARMUP"
BALANCE=$(curl -fsS "http://127.0.0.1:$PORT/api/v1/credits" -H "Authorization: ApiKey $KEY")
log "credits after the run: $BALANCE (expected balance $(((JOBS + WARMUP) * 2 - JOBS - WARMUP)), frozen 0)"
