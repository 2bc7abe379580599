// The release bundle loads in Chromium, shows every area of the shell, and logs no errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openApp, artifactPath } from './harness.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('the shell renders every area with no console errors', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const { page, errors } = await openApp(context, server.url);
  for (const id of ['header', 'palette', 'canvas', 'inspector', 'timeline']) {
    assert.ok(await page.getByTestId(id).isVisible(), `${id} is visible`);
  }
  assert.match(await page.getByTestId('header').innerText(), /Strata/);
  assert.match(await page.getByTestId('canvas-empty').innerText(), /Drag a component here or open a template/);
  await page.screenshot({ path: artifactPath('shell-light.png') });
  assert.deepEqual(errors, [], 'no console errors');
  await context.close();
});

test('the theme follows the system setting, and the toggle pins it across reloads', async () => {
  const context = await browser.newContext({ colorScheme: 'dark', viewport: { width: 1280, height: 800 } });
  const { page, errors } = await openApp(context, server.url);
  const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const darkBg = await bg();
  assert.equal(darkBg, 'rgb(17, 20, 24)', 'dark system setting gives the dark theme');
  await page.screenshot({ path: artifactPath('shell-dark.png') });
  // system -> light
  await page.getByTestId('theme-toggle').click();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');
  assert.equal(await bg(), 'rgb(246, 247, 249)', 'light pinned over a dark system');
  await page.reload();
  await page.getByTestId('app').waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light', 'choice survives reload');
  assert.deepEqual(errors, []);
  await context.close();
});

test('over a slow mobile network the page paints at once with load progress, and the assets arrive pre-compressed', async (t) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  // Slow 4G as the browser's developer tools define it: 1.6 Mbps down, 150 ms round trip; no cache.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8,
  });
  const encodings = {};
  page.on('response', async (r) => {
    const name = new URL(r.url()).pathname.split('/').pop();
    if (/\.(wasm|js|css)$/.test(name)) encodings[name] = (await r.allHeaders())['content-encoding'] ?? 'none';
  });
  const t0 = Date.now();
  await page.goto(server.url, { waitUntil: 'commit' });
  // The loading page is there before the app: its title, and progress that moves.
  await page.getByTestId('boot').waitFor();
  const total = Number(await page.getByTestId('boot').getAttribute('data-wasm-bytes'));
  assert.ok(total > 500_000, `the loading page knows the app's size (${total} bytes)`);
  const readings = [];
  while (readings.length < 40 && !(await page.getByTestId('app').count())) {
    const r = await page.evaluate(() => ({
      got: Number(document.getElementById('boot')?.dataset.received ?? 0),
      text: document.getElementById('boot-text')?.textContent ?? '',
    }));
    if (r.got > 0) readings.push(r);
    await page.waitForTimeout(100);
  }
  await page.getByTestId('app').waitFor({ timeout: 60_000 });
  const appMs = Date.now() - t0;
  const fcp = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null);
  t.diagnostic(`first contentful paint ${fcp?.toFixed(0)} ms, app running at ${appMs} ms; progress read ${readings.length} times`);
  assert.ok(fcp !== null && fcp < 1500, `the first paint comes at once (${fcp} ms), not after the download`);
  assert.ok(fcp < appMs / 2, `it comes well before the app (${fcp} vs ${appMs} ms)`);
  // The figures grow and say what they count: "Loading… N KB of M KB".
  assert.ok(readings.length >= 2, 'progress read at two moments at least');
  for (let i = 1; i < readings.length; i++) assert.ok(readings[i].got >= readings[i - 1].got, 'progress never goes back');
  assert.ok(readings.at(-1).got > readings[0].got, 'progress moves');
  const kb = (n) => `${Math.round(n / 1024).toLocaleString('en')} KB`;
  assert.equal(readings[0].text, `Loading… ${kb(readings[0].got)} of ${kb(total)}`);
  assert.ok(readings.at(-1).got <= total);
  // The app replaced the loading page; everything came compressed.
  assert.equal(await page.getByTestId('boot').count(), 0);
  for (const [name, enc] of Object.entries(encodings)) assert.equal(enc, 'br', `${name} arrives Brotli-compressed`);
  assert.ok(Object.keys(encodings).some((n) => n.endsWith('_bg.wasm')));
  assert.deepEqual(errors, []);
  await context.close();
});
