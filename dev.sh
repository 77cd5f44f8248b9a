#!/usr/bin/env bash
# Starts the dashboard with demo data on http://127.0.0.1:5080.
#
# Without POSTGRES_DSN: starts a throwaway local PostgreSQL from the machine's binaries (data under
# .dev/, a free port, as the postgres user when run as root), applies sql/schema, seeds the demo data
# and stops that PostgreSQL again when the dashboard stops. With POSTGRES_DSN: uses that database
# as it is and seeds nothing. Unless ORCHESTRA_ADMIN_USERS is set, the app prints a dev login at start-up.
set -euo pipefail
cd "$(dirname "$0")"

URL="${ORCHESTRA_ADMIN_URL:-http://127.0.0.1:5080}"
DEV_DIR="$PWD/.dev"

find_pg_bin() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
  for v in 17 16 15 14; do
    [ -x "/usr/lib/postgresql/$v/bin/initdb" ] && { echo "/usr/lib/postgresql/$v/bin"; return; }
  done
  command -v initdb >/dev/null && { dirname "$(command -v initdb)"; return; }
  echo "No PostgreSQL binaries found: install PostgreSQL (e.g. apt-get install postgresql-15) or set POSTGRES_DSN." >&2
  exit 1
}

# PostgreSQL refuses to run as root: run its tools as the postgres user then.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# Everything started here is stopped on exit, in reverse order.
on_exit_cmds=()
on_exit() { for ((i = ${#on_exit_cmds[@]} - 1; i >= 0; i--)); do eval "${on_exit_cmds[i]}"; done; }
trap on_exit EXIT
# A plain kill (timeout, a closed terminal, docker stop) would end bash without its EXIT trap: exit instead.
trap 'exit 143' TERM HUP

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_local_postgres() {
  local port
  # Global, not local: the EXIT trap that stops PostgreSQL uses them after this function returns.
  bin=$(find_pg_bin)
  data="$DEV_DIR/pgdata"
  mkdir -p "$DEV_DIR"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$DEV_DIR"
  if [ ! -f "$data/PG_VERSION" ]; then
    echo "Creating a local PostgreSQL cluster in $data"
    as_pg "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
  fi
  if as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    port=$(cat "$DEV_DIR/port")
  else
    port=5433
    while port_in_use "$port"; do port=$((port + 1)); done
    echo "$port" > "$DEV_DIR/port"
    as_pg "$bin/pg_ctl" -D "$data" -l "$DEV_DIR/postgres.log" -w \
      -o "-p $port -k $DEV_DIR -c listen_addresses=127.0.0.1" start >/dev/null
    on_exit_cmds+=('as_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true')
  fi
  echo "PostgreSQL is running on 127.0.0.1:$port (data in .dev/pgdata, log in .dev/postgres.log)"

  as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'orchestra'" | grep -q 1 \
    || as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc "CREATE DATABASE orchestra"
  # client_min_messages: no "already exists, skipping" notices on a second run
  for f in sql/schema/*.sql; do
    PGOPTIONS="-c client_min_messages=warning" as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d orchestra -q -v ON_ERROR_STOP=1 -f "$f"
  done
  export POSTGRES_DSN="postgresql://postgres@127.0.0.1:$port/orchestra"
}

dotnet build Orchestra.Admin -v quiet -nologo
if [ -z "${WEAVIATE_URL:-}" ]; then
  # No real Weaviate can be assumed here: Orchestra's emulator with a deterministic demo Memory class
  # (2,000 objects, 384-dimensional vectors). The dashboard marks it "emulator" wherever it shows Weaviate.
  dotnet build tools/Orchestra.WeaviateEmulator -v quiet -nologo
  emulator_port=8079
  while port_in_use "$emulator_port"; do emulator_port=$((emulator_port + 1)); done
  # Weaviate's gRPC API on its own port, as a real server has it (50051 there).
  emulator_grpc_port=50051
  while port_in_use "$emulator_grpc_port" || [ "$emulator_grpc_port" = "$emulator_port" ]; do emulator_grpc_port=$((emulator_grpc_port + 1)); done
  # The built program itself, not `dotnet run`, so the kill on exit reaches the process that listens.
  dotnet tools/Orchestra.WeaviateEmulator/bin/Debug/net10.0/Orchestra.WeaviateEmulator.dll --port "$emulator_port" \
    --grpc-port "$emulator_grpc_port" --demo-objects 2000 &
  emulator_pid=$!
  on_exit_cmds+=('kill "$emulator_pid" 2>/dev/null || true')
  export WEAVIATE_URL="http://127.0.0.1:$emulator_port"
  export WEAVIATE_GRPC_URL="http://127.0.0.1:$emulator_grpc_port"
else
  echo "Using WEAVIATE_URL as set: $WEAVIATE_URL"
fi
if [ -z "${POSTGRES_DSN:-}" ]; then
  start_local_postgres
  dotnet run --project Orchestra.Admin --no-build -- seed-demo
else
  echo "Using POSTGRES_DSN as set; no demo data is seeded."
fi

echo
echo "Orchestra Admin: $URL   (Ctrl+C stops it)"
echo
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
# Sign-in: without configured accounts, one local Operator (ORCHESTRA_ADMIN_DEV_USER, default admin) whose
# password the app prints at start-up (or ORCHESTRA_ADMIN_DEV_PASSWORD). Allowed on loopback only.
if [ -z "${ORCHESTRA_ADMIN_USERS:-}" ]; then export ORCHESTRA_ADMIN_DEV_LOGIN="${ORCHESTRA_ADMIN_DEV_LOGIN:-true}"; fi
dotnet run --project Orchestra.Admin --no-build -- --urls "$URL"
