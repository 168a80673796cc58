#!/usr/bin/env bash
# Sets up everything and runs every test: builds with warnings as errors, checks that the committed
# Wolverine code matches a fresh 'codegen write', runs all test projects against a real PostgreSQL,
# and ends with one line 'N passed, N failed, N skipped'.
#
# PostgreSQL: VERGING_TEST_PG (a connection string) when set; else Testcontainers when a Docker
# engine answers; else a throwaway cluster started here and removed afterwards.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/lib.sh

ensure_tools
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

PG_DIR=""
cleanup() {
  if [ -n "$PG_DIR" ]; then pg_stop "$PG_DIR"; rm -rf "$PG_DIR"; fi
}
trap cleanup EXIT INT TERM

if [ -n "${VERGING_TEST_PG:-}" ]; then
  log "using PostgreSQL from VERGING_TEST_PG"
elif command -v docker >/dev/null && docker info >/dev/null 2>&1; then
  log "a Docker engine answers: the tests start PostgreSQL with Testcontainers"
else
  PG_DIR=$(mktemp -d /tmp/verging-test-pg.XXXXXX)
  PORT=$(free_port)
  pg_start "$PG_DIR" "$PORT" fast
  export VERGING_TEST_PG="Host=127.0.0.1;Port=$PORT;Username=postgres;Database=postgres"
  log "throwaway PostgreSQL on 127.0.0.1:$PORT"
fi

log "building (warnings are errors)"
dotnet build Verging.sln -c Debug -nologo -v q -clp:ErrorsOnly -warnaserror

log "checking the committed generated code"
CODEGEN_CS="${VERGING_TEST_PG:-Host=127.0.0.1;Database=unused;Username=postgres}"
ConnectionStrings__Postgres="$CODEGEN_CS" dotnet run --project src/Verging.Api -c Debug --no-build -- codegen write >/tmp/verging-codegen.log 2>&1 \
  || { cat /tmp/verging-codegen.log; die "codegen write failed"; }
if git rev-parse --git-dir >/dev/null 2>&1; then
  changed=$(git status --porcelain -- src/Verging.Api/Internal/Generated)
  if [ -n "$changed" ]; then
    echo "$changed"
    die "the committed code in src/Verging.Api/Internal/Generated is stale: run 'dotnet run --project src/Verging.Api -- codegen write' and commit it"
  fi
fi

RESULTS=$(mktemp -d /tmp/verging-test-results.XXXXXX)
status=0
for project in tests/Verging.UnitTests tests/Verging.ArchitectureTests tests/Verging.IntegrationTests; do
  name=$(basename "$project")
  log "running $name"
  dotnet test "$project" -c Debug --no-build --nologo --logger "trx;LogFileName=$RESULTS/$name.trx" \
    2>&1 | tee "$RESULTS/$name.log" | grep -vE '^\s*$' | grep -E 'Failed |Passed!|Failed!|error|Error Message|^\s+at Verging|Assert' || true
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  [ -f "$RESULTS/$name.trx" ] || { echo "$name produced no results"; status=1; }
done

read -r passed failed skipped < <(python3 - "$RESULTS" <<'PY'
import sys, glob, re
p = f = s = 0
for trx in glob.glob(sys.argv[1] + "/*.trx"):
    text = open(trx, encoding="utf-8").read()
    m = re.search(r'<Counters [^>]*', text)
    if not m: continue
    c = dict(re.findall(r'(\w+)="(\d+)"', m.group(0)))
    p += int(c.get("passed", 0)); f += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
    s += int(c.get("notExecuted", 0))
print(p, f, s)
PY
)
[ "$failed" -gt 0 ] && status=1
[ "$passed" -eq 0 ] && status=1
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
