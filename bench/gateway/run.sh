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

bench_service gateway
export AiProxy__Upstream__BaseUrl=http://127.0.0.1:18080/v1
export AiProxy__RateLimits__Limits__chat=1000000000
# Discarded load before anything is measured: .NET's tiered JIT was still promoting methods after
# 10 s of load (docs/benchmarks.md, "Steady state"). --first-warmup on the command line still wins.
export FIRST_WARMUP=${FIRST_WARMUP:-60}
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
