#!/usr/bin/env bash
# Makes sure a Redis answers at REDIS_URL's host and port, starting a local one if not.
set -euo pipefail
url="${REDIS_URL:-redis://127.0.0.1:6379/0}"
hostport="${url#redis://}"; hostport="${hostport%%/*}"; hostport="${hostport##*@}"
host="${hostport%%:*}"; port="${hostport##*:}"; [ "$port" = "$host" ] && port=6379
if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then exit 0; fi
if [ "$host" != 127.0.0.1 ] && [ "$host" != localhost ]; then
  echo "ensure-redis: nothing answers at $host:$port; start Redis there or unset REDIS_URL" >&2; exit 1
fi
mkdir -p var/redis
echo "ensure-redis: starting redis-server on 127.0.0.1:$port"
redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
  --dir "$PWD/var/redis" --logfile "$PWD/var/redis/redis.log"
for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null && exit 0; sleep 0.1; done
echo "ensure-redis: redis-server did not start; see var/redis/redis.log" >&2; exit 1
