// The npm package as a Worker author gets it, checked without network: build it, `npm pack` it, install the
// tarball into package-example/ (offline, from the npm cache), type-check the example against the
// package's .d.ts, and bundle it with `wrangler deploy --dry-run --outdir` (which needs no account).
// Fails (exit 1) with the reason; prints the tarball's size and the bundle's size and gzip size.
//   node scripts/package-check.mjs        (run by `npm test`; `npm run prepare-core` first)
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// The bundle's gzip size as wrangler reports it ("Total Upload: … / gzip: N KiB"), minified and with workerd's
// own process/performance/console as package-example/wrangler.jsonc says: issue 15 asks for <= 100 KiB; measured
// 93.78 KiB when set (docs/BENCHMARKS.md, "Issue 15, the Worker bundle"), so more than ~2 KiB of growth fails here,
// before it reaches a user. 97: branch pkt3 (an opened datagram's payload kept in JavaScript: +514 B of wasm and the
// wrapper's part) measured 96.85 KiB against 96.00; it took the Worker's seal + open from 0.46x to 0.51x WebCrypto.
// 97.6: branch dl (batches from the Worker, ACKs per input) on top measured 97.38 KiB. 97.6 KiB is 99.9 kB, so
// the "100 KB" holds whichever unit it meant. 96.2: branch trim cut the TeaVM runtime's imports neither
// module declares, 97.38 -> 95.97 KiB measured, and Address.parse without Unicode digits (-594 B of wasm) 95.37 KiB;
// with branch echo's request read-ahead and echo lead in peer.ts (+0.24 KiB) 95.61 KiB; the budget was that plus
// 0.2 KiB. 96.4: branch resolve (look-ups beyond 64 wait instead of failing: a Worker woken with 200 restored peers
// lost 136; +387 B of wasm) and branch mss (streams follow the relay a Worker fails over to) measured 96.16 KiB.
// 96.7: branches abort (a reply of known length fails as a cut transfer: FixedLengthStream; the bearer check on
// digests) and reach (a ping timeout re-asks the registry: a peer restarted on another port is reached again)
// measured 96.46 KiB. 97.0: the review's resolver fix (PeerResolver.promoteVouched, +262 B of wasm) on top.
// 97.2: the seventh session's hardening (hostdos: half-open streams and idle sessions bounded in the core, +221 B of
// wasm; a look-up lost with the outbound connection sent again over the dial-in) measured 96.99 KiB. The issue-15
// ceiling, 100 kB = 97.66 KiB, stands. 97.4: the dial-in's held relay proof and the review's fixes (a peer whose
// frames open where it is keeps its endpoint) measured 97.19 KiB. 97.45: the eighth session (the re-ask in the core,
// SYN|ACK resends, the weak-key check before a table entry, a failed look-up leaving a working session alone, the
// Worker's own body limit and profile check) measured 97.42 KiB, 97.45 KiB with the second review's fixes; 0.21 KiB
// are left under 100 kB. 97.57: the ninth session's datagram path (a sent payload stays in JavaScript, a received
// frame's ciphertext one shared array in the core) measured 97.99 KiB, paid for by moving the node API a Worker does
// not call into withFullApi (-0.35 KiB, tree-shaken) and dropping the unused nodeReseed export: 97.57 KiB, 0.09 KiB
// left under 100 kB. 97.58: PilotPeer.close() ends its open streams and an alarm-woken object refuses a PILOT_PROFILE
// typo (+0.03 KiB after one errorText for the twelve copies of its expression); 0.08 KiB left.
const BUNDLE_GZIP_BUDGET_KIB = 97.58;
const root = fileURLToPath(new URL("../", import.meta.url));
const example = join(root, "package-example");
const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const work = mkdtempSync(join(tmpdir(), "pilot-package-check-"));
// nothing here may reach the network: npm answers from its cache, workerd never asks Cloudflare
const env = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", CI: "1",
  npm_config_offline: "true", npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" };

function run(cmd, args, cwd, what) {
  try {
    return execFileSync(cmd, args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    console.error(`package check: ${what} failed:\n${e.stdout ?? ""}${e.stderr ?? ""}`);
    process.exit(1);
  }
}
function fail(msg) {
  console.error(`package check: ${msg}`);
  process.exit(1);
}

try {
  // pilot-core.wasm runs its crypto on node:crypto: a Worker without the flag cannot load it (PlatformCryptoError)
  const flags = (config) => {
    const m = readFileSync(config, "utf8").match(/"compatibility_flags"\s*:\s*\[([^\]]*)\]/);
    return m ? [...m[1].matchAll(/"([^"]+)"/g)].map((f) => f[1]) : [];
  };
  for (const config of [join(example, "wrangler.jsonc"), join(root, "example", "wrangler.jsonc")]) {
    if (!flags(config).includes("nodejs_compat")) fail(`${config} lacks "nodejs_compat" in compatibility_flags: pilot-core needs node:crypto`);
  }
  // a plain `npm pack` from a clone must build what it packs (its prepack script): no dist/ beforehand
  rmSync(join(root, "dist"), { recursive: true, force: true });
  const packOut = run("npm", ["pack", "--json", "--pack-destination", work], root, "npm pack");
  const packed = JSON.parse(packOut.slice(packOut.search(/^\[\s*$/m)))[0]; // npm's JSON, after the build's own lines
  const files = packed.files.map((f) => f.path);
  for (const want of ["package.json", "README.md", "dist/index.js", "dist/index.d.ts", "dist/peer.d.ts",
    "vendor/pilot-core/pilot-core.wasm", "vendor/pilot-core/pilot-core.mjs", "vendor/pilot-core/pilot-core.d.mts"]) {
    if (!files.includes(want)) fail(`the tarball lacks ${want} (has: ${files.join(", ")})`);
  }
  const stray = files.filter((f) => /^(src|test|scripts|example|package-example)\//.test(f) || f.endsWith(".tgz"));
  if (stray.length) fail(`the tarball carries files a user does not need: ${stray.join(", ")}`);
  const tarball = join(work, packed.filename);

  // exactly as a user: the tarball into the example project (its other tools come from this package's
  // node_modules one directory up, where Node's resolution finds them)
  rmSync(join(example, "node_modules"), { recursive: true, force: true });
  rmSync(join(example, "package-lock.json"), { force: true });
  run("npm", ["install", "--offline", "--no-save", "--no-package-lock", "--omit=dev", "--loglevel=error", tarball],
    example, "npm install of the tarball (offline)");
  const installed = join(example, "node_modules", pkg.name);
  if (!existsSync(join(installed, "dist/index.js"))) fail(`${pkg.name} did not install into package-example/node_modules`);
  if (existsSync(join(example, "node_modules", "wrangler"))) fail("--omit=dev installed dev dependencies");

  run(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", join(example, "tsconfig.json")], example,
    "type-checking package-example against the package's .d.ts");

  const out = join(work, "bundle");
  const log = run(process.execPath, [require.resolve("wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--outdir", out],
    example, "wrangler deploy --dry-run");
  const size = log.match(/Total Upload:\s*([\d.]+ KiB)\s*\/\s*gzip:\s*([\d.]+ KiB)/);
  if (!size) fail(`wrangler did not report the bundle size:\n${log}`);
  const bundled = readdirSync(out);
  const wasm = bundled.filter((f) => f.endsWith(".wasm"));
  if (wasm.length !== 1) fail(`the bundle should carry the core as one .wasm module, has: ${bundled.join(", ")}`);
  const coreBytes = statSync(join(installed, "vendor/pilot-core/pilot-core.wasm")).size;
  if (statSync(join(out, wasm[0])).size !== coreBytes) fail("the bundled .wasm is not the package's pilot-core.wasm");
  if (!/PilotPeerObject/.test(log)) fail(`wrangler does not list the PILOT Durable Object binding:\n${log}`);
  const gzipKib = Number.parseFloat(size[2]);
  if (!(gzipKib <= BUNDLE_GZIP_BUDGET_KIB)) {
    fail(`the bundle is ${size[2]} gzip, above its budget of ${BUNDLE_GZIP_BUDGET_KIB} KiB (BUNDLE_GZIP_BUDGET_KIB;`
      + ` are "minify": true and the enable_nodejs_* flags still in package-example/wrangler.jsonc?)`);
  }
  console.log(`package check: ${packed.filename} (${(packed.size / 1024).toFixed(1)} KiB, ${files.length} files) installs offline into`
    + ` package-example, type-checks, and bundles with wrangler deploy --dry-run: ${size[1]}, gzip ${size[2]}`
    + ` (budget ${BUNDLE_GZIP_BUDGET_KIB} KiB)`
    + ` (pilot-core.wasm ${(coreBytes / 1024).toFixed(1)} KiB inside)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
