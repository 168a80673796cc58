#!/usr/bin/env bash
# Shared by run.sh and test.sh: install what is missing, and own a PostgreSQL cluster in a folder.
# PostgreSQL refuses to run as root, so as root the cluster belongs to the unprivileged 'postgres' user.

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

APT_UPDATED=0
apt_install() { # packages...
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  log "installing ${missing[*]}"
  if [ $APT_UPDATED -eq 0 ]; then DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq >/dev/null || true; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "could not install ${missing[*]}"
}

ensure_tools() {
  command -v dotnet >/dev/null || die "the .NET 10 SDK is required (dotnet not on PATH)"
  command -v curl >/dev/null || apt_install curl
  # The sandbox AI provider speaks with espeak-ng and encodes and measures media with ffmpeg/ffprobe.
  { command -v ffmpeg && command -v ffprobe && command -v espeak-ng; } >/dev/null || apt_install ffmpeg espeak-ng
  # The baseline job processors: OpenCV's Haar face cascades (opencv-data); the OpenCvSharp native
  # runtime links GTK 3 (libgtk-3-0) even though it never opens a window.
  apt_install opencv-data libgtk-3-0
  ensure_face_sample
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    apt_install postgresql
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  fi
  export PG_BIN
}

# Face-swap tests need a real photographed face made on no network but the package mirror: scikit-image
# ships NASA's public-domain astronaut portrait. Only that one file is taken from the package (installing
# python3-skimage would pull in ~50 packages), into ~/.cache/verging where the tests look for it.
ensure_face_sample() {
  local installed=/usr/lib/python3/dist-packages/skimage/data/astronaut.png
  local target="$HOME/.cache/verging/astronaut.png"
  { [ -f "$installed" ] || [ -s "$target" ]; } && return 0
  local tmp; tmp=$(mktemp -d)
  log "extracting the face sample from python3-skimage"
  if [ $APT_UPDATED -eq 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 || true; APT_UPDATED=1; fi
  (cd "$tmp" && apt-get download -qq python3-skimage >/dev/null 2>&1) || die "could not download python3-skimage"
  mkdir -p "$(dirname "$target")"
  dpkg-deb --fsys-tarfile "$tmp"/python3-skimage_*.deb | tar -xO ".$installed" > "$target.part" && mv "$target.part" "$target"
  rm -rf "$tmp"
  [ -s "$target" ] || die "the face sample was not found in python3-skimage"
}

# Runs a command as the cluster's owner: 'postgres' when we are root, ourselves otherwise.
as_pg_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# pg_start DATA_DIR PORT [fast]: creates the cluster on first use, starts it on 127.0.0.1:PORT.
# 'fast' turns off durability (fsync): for throwaway test clusters only.
pg_start() {
  local dir=$1 port=$2 mode=${3:-}
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir" && chmod 700 "$dir"
  as_pg_owner test -w "$dir" || die "the postgres user cannot write $dir (a parent folder is not traversable); move the checkout"
  if [ ! -f "$dir/PG_VERSION" ]; then
    log "creating a PostgreSQL cluster in $dir"
    as_pg_owner "$PG_BIN/initdb" -D "$dir" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null \
      || die "initdb failed"
    {
      echo "listen_addresses = '127.0.0.1'"
      echo "unix_socket_directories = ''"
      echo "max_connections = 300"
      echo "shared_buffers = 256MB"
      if [ "$mode" = fast ]; then echo "fsync = off"; echo "synchronous_commit = off"; echo "full_page_writes = off"; fi
    } | as_pg_owner tee -a "$dir/postgresql.conf" >/dev/null
  fi
  if as_pg_owner "$PG_BIN/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    log "PostgreSQL already running in $dir"
  else
    as_pg_owner "$PG_BIN/pg_ctl" -D "$dir" -o "-p $port" -l "$dir/server.log" -w -t 60 start >/dev/null \
      || { cat "$dir/server.log" >&2; die "PostgreSQL did not start on port $port"; }
  fi
}

pg_stop() { # DATA_DIR
  as_pg_owner "$PG_BIN/pg_ctl" -D "$1" -m fast -w stop >/dev/null 2>&1 || true
}

# pg_create_db PORT NAME: creates the database if it does not exist.
pg_create_db() {
  local port=$1 name=$2
  as_pg_owner "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc \
    "select 1 from pg_database where datname = '$name'" | grep -q 1 \
    || as_pg_owner "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres "$name"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
  || echo $((20000 + RANDOM % 20000)); }

# bench_service NAME: what the service benchmarks share: a throwaway PostgreSQL with durability on
# (removed on exit, together with the service the bench starts into SERVICE_PID), the API built in
# Release, and its Production settings exported. Sets PG_DIR, PG_PORT, BIN and SERVICE_PID.
# BENCH_POOL sizes the connection pool (default 100).
bench_service() {
  PG_DIR=$(mktemp -d "/tmp/verging-$1-bench-pg.XXXXXX")
  PG_PORT=$(free_port)
  SERVICE_PID=""
  trap bench_cleanup EXIT INT TERM
  pg_start "$PG_DIR" "$PG_PORT"          # durable: no "fast", so fsync and synchronous_commit stay on
  pg_create_db "$PG_PORT" verging
  log "building (Release)"
  dotnet build src/Verging.Api/Verging.Api.csproj -c Release -nologo -v q -clp:ErrorsOnly >/dev/null
  BIN=$PWD/src/Verging.Api/bin/Release/net10.0
  export ASPNETCORE_ENVIRONMENT=Production
  export ConnectionStrings__Postgres="Host=127.0.0.1;Port=$PG_PORT;Database=verging;Username=postgres;Maximum Pool Size=${BENCH_POOL:-100}"
  export Logging__LogLevel__Default=Warning
  export Blobs__Root=$PG_DIR.blobs
}

bench_cleanup() {
  [ -n "${SERVICE_PID:-}" ] && kill "$SERVICE_PID" 2>/dev/null && wait "$SERVICE_PID" 2>/dev/null
  pg_stop "$PG_DIR"; rm -rf "$PG_DIR" "$PG_DIR.blobs"
}

# wait_ready PORT: until the service on PORT says it is ready (at most a minute).
wait_ready() {
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$1/health/ready" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  return 1
}
