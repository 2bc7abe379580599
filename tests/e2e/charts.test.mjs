// The charts beside a run: drawn by the worker while the run plays, moving with it; a hovered
// value is the engine's own series point at that second (checked against `strata-sim run
// --series` on the same design, seed and time, at two paused moments); a click seeks the run
// there; a chart saves as SVG and PNG.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { serve, launch, openApp, artifactPath, ROOT } from './harness.mjs';
import { openTemplate, download } from './editor-helpers.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const SIM = process.env.STRATA_SIM ?? join(ROOT, 'target', 'ci', 'strata-sim');

/** The engine's series of `id` on three-tier at `ms` simulated milliseconds (seed 1). */
function series(ms, id) {
  const file = join(ROOT, 'public', 'scenarios', 'three-tier.json');
  const out = execFileSync(SIM, ['run', file, '--seed', '1', '--duration', `${ms}ms`, '--json', '--series'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return JSON.parse(out).series[id];
}

const pausedAt = (page) => page.waitForFunction(() => /Resume/.test(document.querySelector('[data-testid="run"]').innerText));
const clockNs = async (page) => Number(await page.getByTestId('sim-clock').getAttribute('data-time-ns'));

/** Hovers a chart at a share of its width; returns the tooltip's second and values by line. */
async function hover(page, chart, share) {
  const plot = page.getByTestId(`chart-plot-${chart}`);
  const box = await plot.boundingBox();
  await page.mouse.move(box.x + box.width * share, box.y + box.height / 2);
  const tip = page.getByTestId(`chart-tip-${chart}`);
  await tip.waitFor();
  return tip.evaluate((el) => ({
    t: Number(el.dataset.t),
    values: Object.fromEntries([...el.querySelectorAll('[data-line]')].map((r) => [r.dataset.line, Number(r.dataset.value)])),
    text: el.innerText,
  }));
}

test('the charts move with the run, and a hovered value is the engine\'s series point at that second', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'three-tier');
  await page.getByTestId('run-charts').click();
  assert.match(await page.getByTestId('charts-empty').innerText(), /Press Run/);
  await page.getByTestId('run-speed').selectOption('10');
  await page.getByTestId('run').click();

  // Drawn while it plays, and moving: two readings of the window's end while time passes.
  const t1 = (min) => page.waitForFunction((min) => {
    const el = document.querySelector('[data-testid="chart-throughput"]');
    return el && Number(el.dataset.t1) >= min ? Number(el.dataset.t1) : false;
  }, min).then((h) => h.jsonValue());
  const first = await t1(5);
  const later = await t1(first + 5);
  assert.ok(later > first, `${first} then ${later}`);
  for (const kind of ['throughput', 'failures', 'latency', 'availability', 'utilization', 'queue', 'capacity']) {
    assert.ok(await page.getByTestId(`chart-${kind}`).isVisible(), kind);
  }

  // Two paused moments: each hovered value equals the engine's point for that second.
  for (const share of [0.55, 0.8]) {
    await page.getByTestId('run').click();
    await pausedAt(page);
    const ns = await clockNs(page);
    const users = series(ns / 1e6, 'users');
    const got = await hover(page, 'throughput', share);
    const point = users.find((p) => p.t_s === got.t);
    assert.ok(point, `a series point at ${got.t} s (run paused at ${ns / 1e9} s)`);
    assert.equal(got.values['users answered'], point.completions, got.text);
    assert.equal(got.values['users failed'], point.errors, got.text);
    const lat = await hover(page, 'latency', share);
    const p = users.find((x) => x.t_s === lat.t);
    assert.equal(lat.values['users p50'], p.p50_ms, lat.text);
    assert.equal(lat.values['users p99'], p.p99_ms, lat.text);
    assert.ok(p.p50_ms > 0 && p.p99_ms >= p.p50_ms);
    console.log(`# paused at ${(ns / 1e9).toFixed(3)} s: ${got.text.replace(/\n/g, ' ')} | ${lat.text.replace(/\n/g, ' ')}`);
    await page.getByTestId('run').click();
    await t1(Math.floor(ns / 1e9) + 5);
  }

  // A click on a chart goes to that time (backward here).
  await page.getByTestId('run').click();
  await pausedAt(page);
  const before = await clockNs(page);
  const aim = await hover(page, 'throughput', 0.3);
  await page.getByTestId('chart-plot-throughput').click({ position: { x: (await page.getByTestId('chart-plot-throughput').boundingBox()).width * 0.3, y: 70 } });
  await page.waitForFunction((before) => Number(document.querySelector('[data-testid="sim-clock"]').dataset.timeNs) < before, before);
  await pausedAt(page);
  const landed = (await clockNs(page)) / 1e9;
  assert.ok(Math.abs(landed - aim.t) <= 1, `clicked near ${aim.t} s, landed at ${landed} s`);

  // Saved as SVG: the chart's own markup.
  const svg = await download(page, 'chart-svg-latency');
  assert.equal(svg.name, 'strata-latency.svg');
  assert.match(svg.bytes.toString('utf8'), /^<svg[^>]*width="380"/);
  const png = await download(page, 'chart-png-latency');
  assert.deepEqual([...png.bytes.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG');
  await page.screenshot({ path: artifactPath('charts-three-tier.png') });
  assert.deepEqual(errors, []);
  await context.close();
});
