// Live-view benchmark (prints figures; not a pass/fail test):
//   node tests/e2e/bench-live.mjs [rate_rps] [seconds] [--charts]     defaults: 100000 8
// With --charts the charts drawer is open during the run (the worker draws and the page places
// eight charts twice a second).
// Loads the three-tier template with its clients sending `rate_rps` requests/s (and the web tier
// sized to carry them) into the release build (dist/) in headless Chromium with the frame-rate
// limit off, presses Run at 1x and records for `seconds` of wall time: the time between frames
// (median, p95), the particles drawn per frame, long tasks (over 50 ms) on the page, and whether
// the engine in its worker kept up with the clock. Then it draws the same number of dots with
// plain JavaScript on a canvas of the same size, as the peer to compare the frame cost with.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serve, ROOT } from './harness.mjs';

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const CHARTS = process.argv.includes('--charts');
const RATE = Number(positional[0] ?? 100_000);
const SECONDS = Number(positional[1] ?? 8);

const doc = JSON.parse(readFileSync(join(ROOT, 'public', 'scenarios', 'three-tier.json'), 'utf8'));
doc.name = `three-tier at ${RATE} requests/s`;
for (const c of doc.components) {
  if (c.kind === 'client') c.arrival = { pattern: 'constant', rate_rps: RATE };
  if (c.kind === 'asg') Object.assign(c, { instance_type: 'c5.4xlarge', min: 40, desired: 40, max: 40 });
}

const server = await serve();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-gpu-vsync', '--disable-frame-rate-limit'],
});
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
await page.goto(server.url);
await page.getByTestId('import-file').setInputFiles({ name: 'bench.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(doc)) });
await page.locator('[data-testid^="node-"]').first().waitFor();
if (CHARTS) await page.getByTestId('run-charts').click();
await page.getByTestId('run').click();
await page.waitForFunction(() => Number(document.querySelector('[data-testid="particles"]').dataset.dots) > 0, null, { timeout: 60_000 });

const live = await page.evaluate(async (seconds) => {
  const longTasks = [];
  const obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) longTasks.push(e.duration); });
  obs.observe({ type: 'longtask', buffered: false });
  const canvas = document.querySelector('[data-testid="particles"]');
  const clock = document.querySelector('[data-testid="sim-clock"]');
  const frames = [];
  const dots = [];
  const t0 = performance.now();
  const sim0 = Number(clock.dataset.timeNs);
  let behind = 0;
  let last = t0;
  // The charts' window moving: each new simulated second shown.
  let chartEnd = null;
  let chartUpdates = 0;
  await new Promise((done) => {
    const tick = (now) => {
      frames.push(now - last);
      last = now;
      dots.push(Number(canvas.dataset.dots));
      if (document.querySelector('[data-testid="run-behind"]')) behind++;
      const end = document.querySelector('[data-testid="chart-throughput"]')?.dataset.t1;
      if (end && end !== chartEnd) { chartEnd = end; chartUpdates++; }
      if (now - t0 < seconds * 1000) requestAnimationFrame(tick); else done();
    };
    requestAnimationFrame(tick);
  });
  obs.disconnect();
  const sim = (Number(clock.dataset.timeNs) - sim0) / 1e9;
  return { frames, dots, longTasks, behindFrames: behind, chartUpdates, simSeconds: sim, wallSeconds: (performance.now() - t0) / 1000,
    legend: document.querySelector('[data-testid="run-legend"]').innerText,
    width: canvas.width, height: canvas.height };
}, SECONDS);

// The peer: the same number of dots drawn with plain JavaScript on a canvas of the same size,
// one redraw per animation frame, measured the same way (time between frames), with the run
// paused so the engine does not compete for the CPU; Strata's frames measured paused too.
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const p95 = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length * 0.95)]; };
const nDots = median(live.dots);
await page.getByTestId('run').click();
await page.waitForFunction(() => /Resume/.test(document.querySelector('[data-testid="run"]').innerText));
const peer = await page.evaluate(async ({ n, w, h }) => {
  const c = document.createElement('canvas');
  c.width = w; c.height = h;
  c.style.cssText = 'position:fixed;left:0;top:0;pointer-events:none';
  document.body.appendChild(c);
  const ctx = c.getContext('2d');
  const frames = [];
  const draws = [];
  let last = performance.now();
  for (let f = 0; f < 240; f++) {
    await new Promise((r) => requestAnimationFrame(r));
    const t = performance.now();
    frames.push(t - last);
    last = t;
    ctx.clearRect(0, 0, w, h);
    ctx.beginPath();
    for (let i = 0; i < n; i++) {
      const x = (i * 7919 + f * 13) % w, y = (i * 104729 + f * 7) % h;
      ctx.rect(x - 3, y - 3, 6, 6); // the same squares Strata draws
    }
    ctx.fillStyle = '#2f7ef6';
    ctx.fill();
    draws.push(performance.now() - t);
  }
  c.remove();
  return { frames: frames.slice(10), draws };
}, { n: nDots, w: live.width, h: live.height });

const f = (x) => x.toFixed(1);
console.log(`live view, ${doc.name}, ${SECONDS} s of wall time at 1x${CHARTS ? ', charts open' : ''}:`);
console.log(`  frames: ${live.frames.length}, median ${f(median(live.frames))} ms, p95 ${f(p95(live.frames))} ms, max ${f(Math.max(...live.frames))} ms`);
console.log(`  particles per frame: median ${nDots}, min ${Math.min(...live.dots)}, max ${Math.max(...live.dots)} (${live.legend})`);
if (CHARTS) console.log(`  charts moved to a new second ${live.chartUpdates} times in ${f(live.wallSeconds)} s (at 1x a series gains one point per second; the worker draws twice a second)`);
console.log(`  long tasks over 50 ms on the page: ${live.longTasks.length}${live.longTasks.length ? ` (longest ${f(Math.max(...live.longTasks))} ms)` : ''}`);
console.log(`  engine: ${f(live.simSeconds)} simulated s in ${f(live.wallSeconds)} wall s (${f(live.simSeconds / live.wallSeconds)}x), 'catching up' shown in ${live.behindFrames} of ${live.frames.length} frames`);
console.log(`  peer, plain JavaScript redrawing ${nDots} dots per frame on the same canvas (run paused): frames median ${f(median(peer.frames))} ms, p95 ${f(p95(peer.frames))} ms; drawing calls ${f(median(peer.draws))} ms`);
console.log(`  ratio, Strata's frame (engine running) / plain JS frame: ${f(median(live.frames) / median(peer.frames))}x at the median, ${f(p95(live.frames) / p95(peer.frames))}x at p95`);
if (errors.length) console.log(`  page errors: ${errors.join('; ')}`);
await browser.close();
await server.close();
