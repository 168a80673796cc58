#!/usr/bin/env bash
# Gateway overhead of Verging's chat endpoint next to Portkey, with the shared harness
# (../shared/bench/gateway-bench.sh): full durable billing (freeze + settle) and a durable usage
# event on every request, PostgreSQL with fsync on, on this machine. Arguments go to the harness
# (e.g. --quick). Results: the harness's report, copied to bench/gateway/results-<time>.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh

HARNESS=${GATEWAY_BENCH:-$(cd .. && pwd)/shared/bench/gateway-bench.sh}
[ -x "$HARNESS" ] || die "the shared harness is not at $HARNESS (set GATEWAY_BENCH)"
PORT=${BENCH_HTTP_PORT:-5080}
ensure_tools

PG_DIR=$(mktemp -d /tmp/verging-bench-pg.XXXXXX)
PG_PORT=$(free_port)
SERVICE_PID=""
cleanup() {
  [ -n "$SERVICE_PID" ] && kill "$SERVICE_PID" 2>/dev/null && wait "$SERVICE_PID" 2>/dev/null
  pg_stop "$PG_DIR"; rm -rf "$PG_DIR"
}
trap cleanup EXIT INT TERM
pg_start "$PG_DIR" "$PG_PORT"          # durable: fsync and synchronous_commit stay on
pg_create_db "$PG_PORT" verging

log "building (Release)"
dotnet build src/Verging.Api/Verging.Api.csproj -c Release -nologo -v q -clp:ErrorsOnly >/dev/null
BIN=$PWD/src/Verging.Api/bin/Release/net10.0

export ASPNETCORE_ENVIRONMENT=Production
export ConnectionStrings__Postgres="Host=127.0.0.1;Port=$PG_PORT;Database=verging;Username=postgres;Maximum Pool Size=100"
export AiProxy__Upstream__BaseUrl=http://127.0.0.1:18080/v1
export AiProxy__RateLimits__Limits__chat=1000000000
export Logging__LogLevel__Default=Warning
export Blobs__Root=$PG_DIR.blobs
# Optional runtime tuning to compare (docs/benchmarks.md): e.g. DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0
# stops idle thread-pool workers from spinning on the one core the gateway is pinned to.
[ -n "${DOTNET_ThreadPool_UnfairSemaphoreSpinLimit:-}" ] && export DOTNET_ThreadPool_UnfairSemaphoreSpinLimit && log "DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=$DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"

KEY=$(cd "$BIN" && dotnet Verging.Api.dll accounts create --email bench@verging.local --credits 1000000000 --quiet 2>/dev/null | tail -1)

# Pinned to the gateway core like the peer; .NET sizes its thread pool from the affinity at start.
(cd "$BIN" && exec taskset -c "${SUT_CPUS:-1}" dotnet Verging.Api.dll --urls "http://127.0.0.1:$PORT") &
SERVICE_PID=$!
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$PORT/api/v1/credits" -H "Authorization: ApiKey $KEY" 2>/dev/null | grep -q '"balance":1000000000' && break
  sleep 0.5
done

"$HARNESS" --target "ours=http://127.0.0.1:$PORT/api/v1/ai/chat" --header "Authorization: ApiKey $KEY" "$@"
latest=${BENCH_WORK:-/tmp/gateway-bench}/results/latest.md
[ -f "$latest" ] && cp "$latest" "bench/gateway/results-$(date -u +%Y%m%dT%H%M%SZ).md" && log "report saved in bench/gateway/"
