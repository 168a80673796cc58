#!/usr/bin/env bash
# Sets up everything and runs Verging at http://127.0.0.1:${VERGING_HTTP_PORT:-5080}, with its own
# PostgreSQL under .data/ and the offline sandbox AI provider. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/lib.sh

HTTP_PORT=${VERGING_HTTP_PORT:-5080}
PG_PORT=${VERGING_PG_PORT:-5433}
DATA=$PWD/.data
PG_DIR=$DATA/postgres

ensure_tools
pg_start "$PG_DIR" "$PG_PORT"
SERVICE_PID=""
cleanup() {
  trap - INT TERM EXIT
  [ -n "$SERVICE_PID" ] && kill "$SERVICE_PID" 2>/dev/null && wait "$SERVICE_PID" 2>/dev/null
  log "stopping PostgreSQL"
  pg_stop "$PG_DIR"
}
trap cleanup INT TERM EXIT
pg_create_db "$PG_PORT" verging

log "building (Release)"
dotnet build src/Verging.Api/Verging.Api.csproj -c Release -nologo -v q -clp:ErrorsOnly >/dev/null \
  || { dotnet build src/Verging.Api/Verging.Api.csproj -c Release -nologo -v q -clp:ErrorsOnly; die "build failed"; }

export ASPNETCORE_ENVIRONMENT=Production
export ConnectionStrings__Postgres="Host=127.0.0.1;Port=$PG_PORT;Database=verging;Username=postgres;Maximum Pool Size=60"
export VERGING_PUBLIC_BASE_URL=${VERGING_PUBLIC_BASE_URL:-http://127.0.0.1:$HTTP_PORT}
# Stored files (and the key that signs their URLs) live with the database under .data/, and file URLs
# start with the public base URL, never with whatever Host header a client sent.
export Blobs__Root=${Blobs__Root:-$DATA/blobs}
export Blobs__PublicBaseUrl=${Blobs__PublicBaseUrl:-$VERGING_PUBLIC_BASE_URL}
BIN=$PWD/src/Verging.Api/bin/Release/net10.0
# Run from the build output so appsettings.json is found (the content root is the working folder).
api() { (cd "$BIN" && exec dotnet Verging.Api.dll "$@"); }

KEY_FILE=$DATA/demo-api-key
if [ ! -s "$KEY_FILE" ]; then
  log "first start: creating the demo account (demo@verging.local, 1,000 credits)"
  api accounts create --email demo@verging.local --credits "${VERGING_DEMO_CREDITS:-1000}" --quiet \
    2>"$DATA/demo-account.log" | tail -1 > "$KEY_FILE.tmp" || { cat "$DATA/demo-account.log" >&2; die "could not create the demo account"; }
  mv "$KEY_FILE.tmp" "$KEY_FILE"; chmod 600 "$KEY_FILE"
fi

(cd "$BIN" && exec dotnet Verging.Api.dll --urls "http://127.0.0.1:$HTTP_PORT") &
SERVICE_PID=$!
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$HTTP_PORT/health/ready" >/dev/null 2>&1 && break
  kill -0 "$SERVICE_PID" 2>/dev/null || die "the service exited during start-up"
  sleep 0.5
done
echo
echo "Verging is running at http://127.0.0.1:$HTTP_PORT (API reference: http://127.0.0.1:$HTTP_PORT/docs)"
echo "API key: $(cat "$KEY_FILE")"
echo "Try:  curl -s http://127.0.0.1:$HTTP_PORT/api/v1/api-keys -H \"Authorization: ApiKey \$(cat .data/demo-api-key)\""
echo "Ctrl-C stops the service and its database."
wait "$SERVICE_PID"
