#!/usr/bin/env bash
# `npm test`: everything CI checks, in the order that fails fastest. It gets what the tests need
# itself (a local Redis), or stops with a message naming what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "npm test: $*" >&2; exit 1; }

node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || fail "Node.js 20.19 or newer is required (found $(node --version))."
[ -d node_modules ] || fail "dependencies are not installed: run 'npm install' first."

# The queue tests run on a real Redis. Default: a local one, started (or installed) when missing.
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
redis_answers() { node scripts/redis-ping.js "$REDIS_URL" >/dev/null 2>&1; }
if ! redis_answers; then
  case "$REDIS_URL" in
    redis://127.0.0.1:6379|redis://localhost:6379)
      if ! command -v redis-server >/dev/null 2>&1; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
          echo "== installing redis-server (Debian package)"
          apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
        else
          fail "Redis is not running at $REDIS_URL and redis-server is not installed. Install Redis 6+ or set REDIS_URL."
        fi
      fi
      echo "== starting a local redis-server on 127.0.0.1:6379"
      redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir "${TMPDIR:-/tmp}" >/dev/null
      for _ in $(seq 1 50); do redis_answers && break; sleep 0.1; done
      redis_answers || fail "redis-server was started but does not answer at $REDIS_URL."
      ;;
    *) fail "Redis does not answer at REDIS_URL=$REDIS_URL." ;;
  esac
fi
# Tests that restart Redis run a private redis-server of their own.
command -v redis-server >/dev/null 2>&1 || fail "redis-server is not installed (the Redis-restart test runs a private one)."

# The browser tests drive Debian's Chromium through playwright-core.
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM_PATH" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing chromium (Debian package) for the browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
  [ -x "$CHROMIUM_PATH" ] || fail "Chromium is not installed at $CHROMIUM_PATH (the browser tests need it): install Debian's 'chromium' package or set CHROMIUM_PATH."
fi

echo "== typecheck"; npx tsc -p tsconfig.json --noEmit
echo "== lint"; npx eslint .
echo "== build"; npm run --silent build
echo "== tests"; npx jest --ci "$@"
