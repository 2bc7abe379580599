// One request's story: a request that timed out is picked from the ones that failed (or were slow) lately and
// traced; its waterfall shows the client giving up (the timeout hop) at the moment the engine
// says, every hop arriving when `strata-sim run --journey` says, and the work left behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { serve, launch, openApp, artifactPath, ROOT } from './harness.mjs';
import { openTemplate } from './editor-helpers.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const SIM = process.env.STRATA_SIM ?? join(ROOT, 'target', 'ci', 'strata-sim');
const pausedAt = (page) => page.waitForFunction(() => /Resume/.test(document.querySelector('[data-testid="run"]').innerText));

test('requests traced from the failures list at two moments: the timeout hop and every arrival as the engine ran them', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'traffic-spike-slow-scaling');
  await page.getByTestId('run-speed').selectOption('60');
  await page.getByTestId('run').click();
  const timeout = page.locator('[data-testid="trace-pick"][data-cause="timeout"]').first();
  await timeout.waitFor({ timeout: 60_000 });
  await page.getByTestId('run').click();
  await pausedAt(page);
  const ns = Number(await page.getByTestId('sim-clock').getAttribute('data-time-ns'));
  const request = Number(await timeout.getAttribute('data-request'));
  await timeout.click();
  await page.getByTestId('trace').waitFor();
  assert.equal(Number(await page.getByTestId('trace').getAttribute('data-request')), request);
  const hops = await page.$$eval('[data-testid="trace-hop"]', (rows) => rows.map((r) => ({
    component: r.dataset.component, depth: Number(r.dataset.depth), arrived: Number(r.dataset.arrived),
    finished: r.dataset.finished === undefined ? null : Number(r.dataset.finished), error: r.dataset.error ?? null,
  })));
  assert.match(await page.getByTestId('trace-outcome').innerText(), /timeout/);
  assert.equal(hops[0].depth, 0);
  assert.equal(hops[0].error, 'timeout', JSON.stringify(hops));

  // The engine's own journey of that request, by the CLI.
  const file = join(ROOT, 'public', 'scenarios', 'traffic-spike-slow-scaling.json');
  const out = execFileSync(SIM, ['run', file, '--seed', '1', '--duration', `${ns / 1e6}ms`, '--json', '--journey', String(request)], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const journey = JSON.parse(out).journey;
  const sent = journey[0].time_ns;
  const arrivals = journey.filter((e) => e.event === 'arrive').map((e) => ({ component: e.component, ms: (e.time_ns - sent) / 1e6 }));
  assert.deepEqual(hops.map((h) => ({ component: h.component, ms: h.arrived })), arrivals.slice(0, hops.length));
  const gaveUp = journey.find((e) => e.from === null && e.event === 'error');
  assert.equal(gaveUp.cause, 'timeout');
  assert.equal(hops[0].finished, (gaveUp.time_ns - sent) / 1e6, 'the client gives up when the engine says');
  // Under it, work that had not answered when the client gave up.
  assert.ok(hops.slice(1).some((h) => h.finished === null || h.finished > hops[0].finished), JSON.stringify(hops));
  console.log(`# request #${request}: ${await page.getByTestId('trace-outcome').innerText()} (${hops.length} hops)`);
  await page.getByTestId('trace-panel').screenshot({ path: artifactPath('trace-timeout.png') });

  // A second moment, a second request (the newest failure listed then, whatever its cause):
  // its waterfall is the engine's too.
  await page.getByTestId('run').click();
  await page.waitForFunction((ns) => Number(document.querySelector('[data-testid="sim-clock"]').dataset.timeNs) > ns + 20e9, ns);
  await page.getByTestId('run').click();
  await pausedAt(page);
  const ns2 = Number(await page.getByTestId('sim-clock').getAttribute('data-time-ns'));
  const second = page.locator('[data-testid="trace-pick"]:not([data-cause="slow"])').first();
  const request2 = Number(await second.getAttribute('data-request'));
  assert.notEqual(request2, request);
  await second.click();
  await page.waitForFunction((n) => document.querySelector('[data-testid="trace"]')?.dataset.request === String(n), request2);
  const hops2 = await page.$$eval('[data-testid="trace-hop"]', (rows) => rows.map((r) => ({
    component: r.dataset.component, arrived: Number(r.dataset.arrived), error: r.dataset.error ?? null,
  })));
  const out2 = execFileSync(SIM, ['run', file, '--seed', '1', '--duration', `${ns2 / 1e6}ms`, '--json', '--journey', String(request2)], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const journey2 = JSON.parse(out2).journey;
  const arrivals2 = journey2.filter((e) => e.event === 'arrive').map((e) => ({ component: e.component, arrived: (e.time_ns - journey2[0].time_ns) / 1e6 }));
  assert.deepEqual(hops2.map((h) => ({ component: h.component, arrived: h.arrived })), arrivals2.slice(0, hops2.length));
  const failedAt = journey2.find((e) => e.from === null && e.event === 'error');
  assert.equal(hops2[0].error, failedAt.cause, 'the client failed with the cause the engine gave');
  console.log(`# request #${request2} at ${(ns2 / 1e9).toFixed(3)} s: ${await page.getByTestId('trace-outcome').innerText()}`);

  // A slow answer is listed too: its waterfall answers, in the time the list gave, as the engine's
  // journey of it.
  const slow = page.locator('[data-testid="trace-pick"][data-cause="slow"]').first();
  await slow.waitFor();
  const request3 = Number(await slow.getAttribute('data-request'));
  const listed = Number((await slow.getAttribute('title')).match(/answered after ([\d.]+) ms/)[1]);
  await slow.click();
  await page.waitForFunction((n) => document.querySelector('[data-testid="trace"]')?.dataset.request === String(n), request3);
  const took = Number((await page.getByTestId('trace-outcome').innerText()).match(/answered in ([\d.]+) ms/)[1]);
  const journey3 = JSON.parse(execFileSync(SIM, ['run', file, '--seed', '1', '--duration', `${ns2 / 1e6}ms`, '--json', '--journey', String(request3)],
    { encoding: 'utf8', maxBuffer: 64 << 20 })).journey;
  const rootDone = journey3.find((e) => e.from === null && e.event === 'done');
  const engineMs = (rootDone.time_ns - journey3[0].time_ns) / 1e6;
  assert.equal(took.toFixed(1), engineMs.toFixed(1), 'the waterfall answers when the engine did');
  assert.equal(listed.toFixed(1), engineMs.toFixed(1), 'the list said how long it took');
  console.log(`# slow request #${request3}: ${engineMs.toFixed(1)} ms`);

  // A number the run has not reached is refused in words.
  await page.getByTestId('trace-number').fill('99999999');
  await page.getByTestId('trace-go').click();
  assert.match(await page.getByTestId('trace-problem').innerText(), /has not been sent yet/);
  assert.deepEqual(errors, []);
  await context.close();
});
