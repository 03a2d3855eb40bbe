#!/usr/bin/env bash
# The website checker against many local shop sites: nginx on loopback serves site0001.test ...
# (each the compliant test shop, Tests/TrustmarkServerTests/SiteCheck/Sites/fietsen-nl.test), and
# `trustmark benchmark site-checks` checks them, several at a time, with the politeness limits.
#
#   scripts/bench-sitecheck.sh BINARY SITES INTERVAL_MS CONCURRENCY
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$1"; sites="$2"; interval="$3"; concurrency="$4"
port="${TRUSTMARK_BENCH_SITES_PORT:-18091}"
work=$(mktemp -d /tmp/trustmark-sites.XXXXXX)
chmod 755 "$work"
trap '[ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/sites" "$work/logs"
source="$(pwd)/Tests/TrustmarkServerTests/SiteCheck/Sites/fietsen-nl.test"
for i in $(seq 1 "$sites"); do ln -s "$source" "$work/sites/$(printf 'site%04d.test' "$i")"; done
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  default_type text/html;
  server {
    listen 127.0.0.1:$port;
    server_name _;
    root $work/sites/\$host;
    index index.html;
  }
}
CONF
nginx -c "$work/nginx.conf" -p "$work"
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
"$bin" benchmark site-checks --sites "$sites" --port "$port" --interval-ms "$interval" --concurrency "$concurrency"
