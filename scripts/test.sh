#!/usr/bin/env bash
# `npm test`: everything CI checks, in the order that fails fastest. It gets what the tests need
# itself, or stops with a message naming what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "npm test: $*" >&2; exit 1; }

node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || fail "Node.js 20.19 or newer is required (found $(node --version))."
[ -d node_modules ] || fail "dependencies are not installed: run 'npm install' first."

echo "== typecheck"; npx tsc -p tsconfig.json --noEmit
echo "== lint"; npx eslint .
echo "== build"; npm run --silent build
echo "== tests"; npx jest --ci "$@"
