#!/usr/bin/env bash
# What one durable commit costs on this machine, for our chat traffic and for a trivial insert, on
# the same PostgreSQL cluster (docs/benchmarks.md, "What is left of an unloaded answer").
# Starts the gateway bench's service (durable cluster, service pinned to cpu 1, an nginx mock of
# the shared harness on cpu 0 answering after DELAY_MS), warms it up with wrk, then sends
# sequential json chats while `perf trace` times every fdatasync of PostgreSQL's processes
# (tracepoints, so no ptrace stops slow them), and finally times pgbench's one-row inserts on the
# same cluster the same way. TRACE=0 skips the tracing (to see the chats' latency without it).
# Needs nginx with its echo module (../shared/bench/gateway-bench.sh --setup-only installs it).
# Usage: bench/gateway/sync-cost.sh [REQUESTS=400] [WARM_SECONDS=30] [DELAY_MS=0]
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh

REQUESTS=${1:-400}
WARM=${2:-30}
DELAY=${3:-0}
SHARED=$(cd .. && pwd)/shared/bench
ECHO_SO=/usr/lib/nginx/modules/ngx_http_echo_module.so
[ -f "$SHARED/ttfb-probe.js" ] || die "the shared bench is not at $SHARED"
[ -f "$ECHO_SO" ] || die "nginx's echo module is missing: run ../shared/bench/gateway-bench.sh --setup-only"
command -v perf >/dev/null || die "perf is needed (apt-get install linux-perf)"
ensure_tools

PORT=${BENCH_HTTP_PORT:-5080}
bench_service sync-cost
PSQL() { as_pg_owner "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d verging -qAt "$@"; }
PSQL -c "alter system set track_wal_io_timing = on" -c "select pg_reload_conf()" >/dev/null
export AiProxy__Upstream__BaseUrl=http://127.0.0.1:18080/v1
export AiProxy__RateLimits__Limits__chat=1000000000
KEY=$(cd "$BIN" && dotnet Verging.Api.dll accounts create --email bench@verging.local --credits 1000000000 --quiet 2>/dev/null | tail -1)

WORK=$(mktemp -d)
chmod 755 "$WORK" # pgbench runs as postgres and reads its script from here
mkdir -p "$WORK/nginx"
MOCK_HOST=127.0.0.1 MOCK_PORT=18080 MOCK_DELAY_MS="$DELAY" MOCK_CHUNKS=20 MOCK_CHUNK_DELAY_MS=0 MOCK_NGINX_DIR="$WORK/nginx" \
  MOCK_NGINX_ECHO_SO="$ECHO_SO" node "$SHARED/mock-upstream.js" --nginx-conf > "$WORK/nginx/nginx.conf"
taskset -c 0 nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" -g 'daemon off;' &
NGINX=$!
(cd "$BIN" && exec taskset -c 1 dotnet Verging.Api.dll --urls "http://127.0.0.1:$PORT") &
SERVICE_PID=$!
trap 'kill $NGINX 2>/dev/null; bench_cleanup; rm -rf "$WORK"' EXIT
wait_ready "$PORT" || die "the service did not get ready"

URL=http://127.0.0.1:$PORT/api/v1/ai/chat
BODY=$WORK/chat.json
echo '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello in one short sentence."}],"max_tokens":64}' > "$BODY"
cat > "$WORK/wrk.lua" <<LUA
wrk.method = "POST"
wrk.body = io.open("$BODY"):read("*a")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "ApiKey $KEY"
LUA
log "warming up for ${WARM}s (wrk, 16 connections)"
taskset -c 0 wrk -t1 -c16 -d"${WARM}s" -s "$WORK/wrk.lua" "$URL" | grep -E "Requests/sec"

trace_syncs() { [ "${TRACE:-1}" = 0 ] && { TRACER=; return; }; perf trace -a -e fdatasync,fsync -o "$WORK/syncs" & TRACER=$!; sleep 2; }
untrace() { [ -z "$TRACER" ] && return; kill -INT "$TRACER"; wait "$TRACER" 2>/dev/null || true; }
trace_syncs
export BENCH_HEADERS="Authorization: ApiKey $KEY"
echo "direct json: $(taskset -c 0 node "$SHARED/ttfb-probe.js" http://127.0.0.1:18080/v1/chat/completions "$BODY" "$REQUESTS" 1)"
echo "ours   json: $(taskset -c 0 node "$SHARED/ttfb-probe.js" "$URL" "$BODY" "$REQUESTS" 1)"
untrace

summary() { # label: percentiles of PostgreSQL's traced syncs, in ms (a checkpoint's data-file fsyncs are the far tail)
  grep -E '\): postgres/' "$WORK/syncs" | sed -E 's/^[^(]*\( *([0-9.]+) ms\).*/\1/' | sort -n | awk -v label="$1" '
    { v[NR] = $1 }
    END { if (NR) printf "%s: %d syncs, p50 %.3f ms, p90 %.3f ms, p99 %.3f ms\n", label, NR, v[int(NR/2)+1], v[int(NR*0.9)+1], v[int(NR*0.99)+1] }'
}
summary "fdatasync during our sequential chats"

PSQL -c "create table if not exists sync_cost_probe (a int)"
echo "insert into sync_cost_probe values (1);" > "$WORK/insert.sql"
trace_syncs
as_pg_owner "$PG_BIN/pgbench" -h 127.0.0.1 -p "$PG_PORT" -U postgres -n -c1 -T8 -f "$WORK/insert.sql" verging 2>&1 | grep -E "latency average|rror" || true
untrace
summary "fdatasync during pgbench's one-row inserts, same cluster"
