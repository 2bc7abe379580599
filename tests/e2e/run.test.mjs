// The design on the canvas runs live in the page: the clock advances, per-client figures appear,
// pause holds the clock, reset clears it, and a design with errors refuses to run and says why.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openApp, artifactPath } from './harness.mjs';
import { openTemplate } from './editor-helpers.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const clockSeconds = async (page) =>
  Number((await page.getByTestId('sim-clock').innerText()).match(/t = ([\d.]+) s/)[1]);

test('run, pause, resume and reset a template in the browser', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const { page, errors } = await openApp(context, server.url);
  assert.ok(await page.getByTestId('run').isDisabled(), 'nothing to run on an empty canvas');
  assert.match(await page.getByTestId('timeline-empty').innerText(), /Add components/);

  await openTemplate(page, 'three-tier');
  await page.getByTestId('run-speed').selectOption('10');
  await page.getByTestId('run').click();
  await page.waitForFunction(() => /t = ([1-9]\d*)\./.test(document.querySelector('[data-testid="sim-clock"]').innerText));
  const row = page.getByTestId('run-client-users');
  await row.waitFor();
  // The figures follow the clock (they refresh ten times a second of wall time).
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="run-clients"]').dataset.timeNs) >= 1e9);
  const cells = await row.locator('td').allInnerTexts();
  assert.ok(Number(cells[0]) > 0, `requests counted: ${cells}`);
  assert.match(cells[2], /^\d+\.\d\d%$/, `a success rate: ${cells}`);
  assert.match(cells[3], /ms$/);
  assert.match(await page.getByTestId('run-busiest').innerText(), /Busiest: .+%/);

  // Pause holds the simulated clock.
  await page.getByTestId('run').click();
  // The button says Resume once the worker has paused (its next frame).
  await page.waitForFunction(() => /Resume/.test(document.querySelector('[data-testid="run"]').innerText));
  const paused = await clockSeconds(page);
  // Four ticks' worth of wall time: a run that kept going would move the clock by ~4 s.
  await page.waitForTimeout(400);
  assert.equal(await clockSeconds(page), paused, 'paused clock stands still');

  // Resume moves it on.
  await page.getByTestId('run').click();
  await page.waitForFunction((t) => {
    const m = document.querySelector('[data-testid="sim-clock"]').innerText.match(/t = ([\d.]+) s/);
    return Number(m[1]) > t;
  }, paused);
  await page.screenshot({ path: artifactPath('run-three-tier.png') });

  await page.getByTestId('run-reset').click();
  assert.equal(await clockSeconds(page), 0);
  assert.equal(await page.getByTestId('run-clients').count(), 0, 'figures cleared');

  // A run belongs to its document: opening another one ends it.
  await page.getByTestId('run').click();
  await page.getByTestId('run-client-users').waitFor();
  await openTemplate(page, 'single-ec2');
  await page.waitForFunction(() => document.querySelector('[data-testid="sim-clock"]').innerText === 't = 0.000 s');
  assert.match(await page.getByTestId('run').innerText(), /Run/);
  assert.equal(await page.getByTestId('run-clients').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('blocked network paths show up as errors with their cause', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'peering-routes-before');
  await page.getByTestId('run-speed').selectOption('10');
  await page.getByTestId('run').click();
  const row = page.getByTestId('run-client-users');
  await row.waitFor();
  await page.waitForFunction(() => {
    const r = document.querySelector('[data-testid="run-client-users"] [data-testid="run-success"]');
    return r && r.innerText === '0.00%';
  });
  assert.match((await row.locator('td').allInnerTexts())[6], /network blocked/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a design with errors does not run and says why', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const { page, errors } = await openApp(context, server.url);
  // The editor never creates a dangling connection, so import a document that has one.
  const bad = JSON.stringify({ version: 1, name: 'dangling', components: [{ id: 'web', kind: 'ec2' }], connections: [{ from: 'web', to: 'gone' }] });
  await page.getByTestId('import-file').setInputFiles({ name: 'dangling.json', mimeType: 'application/json', buffer: Buffer.from(bad) });
  await page.getByTestId('node-web').waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="run"]').disabled);
  assert.match(await page.getByTestId('run').getAttribute('title'), /Fix 1 problem to run/);
  assert.match(await page.getByTestId('timeline-empty').innerText(), /Fix 1 problem/);
  assert.deepEqual(errors, []);
  await context.close();
});
