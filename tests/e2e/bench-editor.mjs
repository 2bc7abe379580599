// Editor frame-time benchmark (prints figures; not a pass/fail test):
//   node tests/e2e/bench-editor.mjs [sizes...] [--run]     default sizes: 100 1000 5000
// With --run a client population sends 500 requests/s into the diagram and the run plays at 1x
// while the editor is measured (particles, badges and figures updating).
// For each size it generates a diagram of N components and 2N connections, loads it into the
// release build (dist/) in headless Chromium with the frame-rate limit off, then drives pans,
// zooms (small and wide wheel strokes) and a node drag from inside the page, one input event
// per animation frame, and reports the median and 95th percentile of the time between frames (script, style, layout and paint).
import { chromium } from 'playwright-core';
import { serve } from './harness.mjs';

const sizes = process.argv.slice(2).map(Number).filter(Boolean);
const RUN = process.argv.includes('--run');
const SIZES = sizes.length ? sizes : [100, 1000, 5000];
const FRAMES = Number(process.env.FRAMES ?? 120);

function generate(n) {
  const cols = Math.ceil(Math.sqrt(n * 2));
  const kinds = ['lambda', 'lambda', 'lambda', 'dynamodb', 'sqs', 's3'];
  const components = [];
  for (let i = 0; i < n; i++) {
    const kind = kinds[i % kinds.length];
    components.push({ id: `c${i}`, kind, label: `${kind} ${i}`, position: { x: (i % cols) * 208, y: Math.floor(i / cols) * 112 } });
  }
  const connections = [];
  const callers = components.filter((c) => c.kind === 'lambda');
  let k = 0;
  while (connections.length < 2 * n) {
    const from = callers[k % callers.length];
    const i = Number(from.id.slice(1));
    const to = connections.length % 2 === 0 ? (i + 1) % n : (i + cols) % n;
    if (to !== i) connections.push({ from: from.id, to: `c${to}` });
    k++;
  }
  if (RUN) {
    components.push({ id: 'users', kind: 'client', label: 'Users', arrival: { pattern: 'constant', rate_rps: 500 }, position: { x: -208, y: 0 } });
    connections.push({ from: 'users', to: 'c0' });
  }
  return { version: 1, name: `Benchmark ${n}`, components, connections, layout: { containers: {} } };
}

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5), p95: q(0.95) };
}

const server = await serve();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-frame-rate-limit', '--disable-gpu-vsync'],
});
console.log(`editor frame times (ms), ${FRAMES} frames per interaction, viewport 1440x900, frame-rate limit off${RUN ? ', a run playing at 1x' : ''}`);
console.log('components  connections  load(ms)  interaction        median     p95');
for (const n of SIZES) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const doc = JSON.stringify(generate(n));
  await context.addInitScript((text) => {
    if (!localStorage.getItem('strata.bench')) {
      localStorage.setItem('strata.bench', '1');
      localStorage.setItem('strata.docs', JSON.stringify([{ id: 'bench', name: 'Benchmark' }]));
      localStorage.setItem('strata.doc.bench', text);
      localStorage.setItem('strata.current', 'bench');
    }
  }, doc);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const t0 = Date.now();
  await page.goto(server.url);
  await page.locator('[data-testid^="node-"]').first().waitFor({ timeout: 120_000 });
  const load = Date.now() - t0;
  if (RUN) {
    await page.getByTestId('run').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="particles"]')?.dataset.dots) > 0, null, { timeout: 60_000 });
  }
  const results = await page.evaluate(async (FRAMES) => {
    const svg = document.querySelector('[data-testid=canvas-svg]');
    const r = svg.getBoundingClientRect();
    const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
    const frame = () => new Promise((ok) => requestAnimationFrame(ok));
    const pe = (type, x, y, button, target = svg) =>
      target.dispatchEvent(new PointerEvent(type, { clientX: x, clientY: y, button, buttons: button === 1 ? 4 : 1, pointerId: 1, pointerType: 'mouse', bubbles: true, cancelable: true }));
    async function run(step) {
      const times = [];
      let last = await frame();
      for (let i = 0; i < FRAMES; i++) {
        step(i);
        const now = await frame();
        times.push(now - last);
        last = now;
      }
      return times;
    }
    const out = {};
    // Fit, then zoom in to 100% around the centre so there is something to pan over.
    pe('pointerdown', cx, cy, 1);
    out.pan = await run((i) => pe('pointermove', cx + 3 * i * (i % 40 < 20 ? 1 : -1), cy + 2 * i, 1));
    pe('pointerup', cx, cy, 1);
    out.zoom = await run((i) => svg.dispatchEvent(new WheelEvent('wheel', { clientX: cx, clientY: cy, deltaY: i % 20 < 10 ? -40 : 40, bubbles: true, cancelable: true })));
    const node = document.querySelector('[data-testid^=node-] .node-box');
    const nb = node.getBoundingClientRect();
    const nx = nb.left + nb.width / 2, ny = nb.top + nb.height / 2;
    pe('pointerdown', nx, ny, 0, node);
    out.drag = await run((i) => pe('pointermove', nx + 2 * i, ny + i, 0));
    pe('pointerup', nx + 2 * FRAMES, ny + FRAMES, 0);
    // Wider wheel strokes (about 2.9x in and back out), which cross the culling tiles' size
    // thresholds: elements dropped on the way in and built again on the way out used to cost one
    // long frame per stroke.
    out['zoom-wide'] = await run((i) => svg.dispatchEvent(new WheelEvent('wheel', { clientX: cx, clientY: cy, deltaY: i % 20 < 10 ? -70 : 70, bubbles: true, cancelable: true })));
    out.nodes = document.querySelectorAll('[data-testid^=node-]').length;
    return out;
  }, FRAMES);
  for (const kind of ['pan', 'zoom', 'drag', 'zoom-wide']) {
    const s = stats(results[kind]);
    console.log(`${String(n).padStart(10)}  ${String(2 * n).padStart(11)}  ${String(load).padStart(8)}  ${kind.padEnd(16)}  ${s.median.toFixed(1).padStart(7)}  ${s.p95.toFixed(1).padStart(7)}`);
  }
  if (errors.length) console.log('page errors:', errors);
  await context.close();
}
await browser.close();
await server.close();
