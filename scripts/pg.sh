# Sourced by scripts/test and scripts/bench: a throwaway PostgreSQL server on 127.0.0.1:$pg_port,
# started by start_postgres and removed by stop_postgres (also on exit when trapped).
pg_dir=""

as_pg() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop_postgres() {
  if [ -n "$pg_dir" ] && [ -d "$pg_dir" ]; then
    as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
  pg_dir=""
}

# start_postgres DBNAME
start_postgres() {
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$pg_bin" ]; then
    echo "PostgreSQL server binaries not found; install them with: apt-get install -y postgresql" >&2
    exit 1
  fi
  pg_dir=$(mktemp -d /tmp/trustmark-pg.XXXXXX)
  chmod 755 "$pg_dir"
  [ "$(id -u)" = "0" ] && chown postgres "$pg_dir"
  as_pg "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U postgres -E UTF8 --no-locale >/dev/null
  as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
    -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=600 -c fsync=off -c shared_buffers=64MB" start >/dev/null
  as_pg "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres "$1"
}
