# Shared by the scripts: checks the toolchain the build needs and says clearly what is missing.
need() {
  command -v "$1" >/dev/null 2>&1 || { echo "error: '$1' is required ($2)" >&2; exit 2; }
}
need java "Java 17 or newer"
need mvn "Maven 3.8 or newer"
# workerd/wrangler/miniflare must never reach Cloudflare for Request.cf: tests and demo stay on this machine.
export CLOUDFLARE_CF_FETCH_ENABLED=false
