// Engine speed in the browser against native, in one run.
//   node tests/wasm/bench.mjs [--events N] [--wasm-profile release|bench-wasm]
// Builds strata-core for wasm32 (by default the release profile the app ships) and natively (profile bench-native), runs
// the native `strata-bench --json`, then loads the wasm build in headless Chromium and times the
// same models (same event count, same seed) with performance.now(). Prints events/s and ratios.
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, serve, launch } from '../e2e/harness.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const events = Number(opt('--events', 20_000_000));
// `release` is what the app ships (size-optimised); `bench-wasm` is the same code at opt-level 3.
const wasmProfile = opt('--wasm-profile', 'release');
const sh = (cmd, argv, opts = {}) => execFileSync(cmd, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], ...opts }).toString();

console.log(`building native (bench-native) and wasm (${wasmProfile}) ...`);
sh('cargo', ['build', '-q', '--profile', 'bench-native', '-p', 'strata-core', '--bin', 'strata-bench']);
sh('cargo', ['build', '-q', '--profile', wasmProfile, '-p', 'strata-wasm-checks', '--target', 'wasm32-unknown-unknown']);
const out = join(ROOT, 'target', 'wasm-bench');
mkdirSync(out, { recursive: true });
sh('wasm-bindgen', ['--target', 'web', '--out-dir', out,
  join(ROOT, 'target', 'wasm32-unknown-unknown', wasmProfile, 'strata_wasm_checks.wasm')]);
writeFileSync(join(out, 'index.html'), '<!doctype html><title>strata wasm bench</title>');

const native = JSON.parse(sh(join(ROOT, 'target', 'bench-native', 'strata-bench'), ['--events', String(events), '--json']));

const server = await serve(out);
const browser = await launch();
try {
  const page = await browser.newPage();
  await page.goto(server.url);
  const wasm = await page.evaluate(async (events) => {
    const m = await import('./strata_wasm_checks.js');
    await m.default();
    m.bench_mm1(events / 20, 99); // warm-up, as the native bench does
    const rows = [];
    for (const [model, run] of [['mm1', m.bench_mm1], ['three_tier', m.bench_three_tier]]) {
      const t0 = performance.now();
      const r = JSON.parse(run(events, 1));
      const seconds = (performance.now() - t0) / 1000;
      rows.push({ model, events: r.events, seconds, events_per_s: r.events / seconds, trace_hash: r.trace_hash });
    }
    return rows;
  }, events);

  const fmt = (x) => `${(x / 1e6).toFixed(2)} M/s`;
  console.log(`\n${'model'.padEnd(12)} ${'native'.padStart(12)} ${'wasm (Chromium)'.padStart(16)} ${'wasm/native'.padStart(12)}`);
  for (const w of wasm) {
    const n = native.find((r) => r.model === w.model);
    console.log(`${w.model.padEnd(12)} ${fmt(n.events_per_s).padStart(12)} ${fmt(w.events_per_s).padStart(16)} ${(100 * w.events_per_s / n.events_per_s).toFixed(0).padStart(11)}%`);
  }
  console.log(`(${events} events per model, seed 1, wasm profile ${wasmProfile}; events counted by the engine in both builds)`);
} finally {
  await browser.close();
  await server.close();
}
