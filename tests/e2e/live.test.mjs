// The live view: the engine runs in a Web Worker and every figure the page shows is the
// engine's own, checked against `strata-sim run --json` on the same design, seed and time; the
// figures move while the run plays; particles travel on the busy connections and none on idle
// ones; badges show each component's load; seeking back and forth lands on the same figures;
// hovering a failed call names the request, where it failed, why and when, as `strata-sim run
// --journey` does for that request, and clicking a dot (failed or not) traces its request.
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

/** The CLI's report of a scenario (a gallery name, or a file's path) at `ms` simulated milliseconds. */
function cli(scenario, ms, seed = 1, experiment, series = false) {
  const file = scenario.endsWith('.json') ? scenario : join(ROOT, 'public', 'scenarios', `${scenario}.json`);
  const args = ['run', file, '--seed', String(seed), '--duration', `${ms}ms`, '--json'];
  if (experiment) args.push('--experiment', experiment);
  if (series) args.push('--series');
  return JSON.parse(execFileSync(SIM, args, { encoding: 'utf8', maxBuffer: 64 << 20 }));
}

const fmtMs = (x) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`);

/** The figures the strip shows now, with the simulated time they are for. */
async function shown(page, client = 'users') {
  return page.evaluate((client) => {
    const table = document.querySelector('[data-testid="run-clients"]');
    const row = document.querySelector(`[data-testid="run-client-${client}"]`);
    const cell = (id) => row.querySelector(`[data-testid="${id}"]`).innerText;
    return {
      figuresNs: Number(table.dataset.timeNs),
      clockNs: Number(document.querySelector('[data-testid="sim-clock"]').dataset.timeNs),
      clock: document.querySelector('[data-testid="sim-clock"]').innerText,
      requests: Number(cell('run-requests')),
      rps: row.querySelectorAll('td')[1].innerText,
      busiest: document.querySelector('[data-testid="run-busiest"]').innerText,
      success: cell('run-success'),
      p50: cell('run-p50'),
      p95: cell('run-p95'),
      p99: cell('run-p99'),
      sloMet: row.querySelector('[data-testid="run-slo"]').dataset.met,
      sloBudget: Number(row.querySelector('[data-testid="run-slo"]').dataset.budget),
    };
  }, client);
}

/** Asserts the strip equals the CLI's report at the same simulated time. */
function assertMatchesCli(s, scenario, seed = 1, experiment) {
  assert.equal(s.figuresNs % 1_000_000, 0, 'paused figures sit on a whole millisecond');
  const r = cli(scenario, s.figuresNs / 1e6, seed, experiment);
  const c = r.clients.find((c) => c.id === 'users');
  assert.equal(s.requests, c.requests, `requests at ${s.figuresNs} ns`);
  const success = c.success_rate == null ? '—' : `${(c.success_rate * 100).toFixed(2)}%`;
  assert.equal(s.success, success);
  assert.equal(s.p50, fmtMs(c.latency.p50_ms));
  assert.equal(s.p95, fmtMs(c.latency.p95_ms));
  assert.equal(s.p99, fmtMs(c.latency.p99_ms));
  assert.equal(s.rps, c.throughput_rps.toFixed(1), 'requests/s');
  // The objectives: met or missed, and the share of the error budget used, as the report has them.
  assert.equal(s.sloMet, String(c.slo.met), 'SLO met');
  assert.equal(s.sloBudget, c.slo.error_budget.burned, 'error budget used');
  // "figures at T s · N events · Busiest: a X% · b Y% · c Z%": the engine's event count and
  // its three most utilised components.
  assert.match(s.busiest, new RegExp(`figures at ${(s.figuresNs / 1e9).toFixed(3)} s`));
  assert.match(s.busiest, new RegExp(` ${r.events} events`), `events: ${s.busiest} vs ${r.events}`);
  const busy = r.components.filter((x) => x.utilization > 0)
    .sort((a, b) => b.utilization - a.utilization || a.id.localeCompare(b.id)).slice(0, 3)
    .map((x) => `${x.id} ${(x.utilization * 100).toFixed(0)}%`).join(' · ');
  if (busy) assert.ok(s.busiest.endsWith(`Busiest: ${busy}`), `${s.busiest} vs ${busy}`);
  return r;
}

const pausedAt = (page) => page.waitForFunction(() => /Resume/.test(document.querySelector('[data-testid="run"]').innerText));

test('every figure on the strip is the engine\'s own at that simulated time, and the figures move', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'three-tier');
  await page.getByTestId('run-speed').selectOption('10');
  await page.getByTestId('run').click();

  // First reading: let it play past 4 s, pause, compare.
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="sim-clock"]').dataset.timeNs) > 4e9);
  await page.getByTestId('run').click();
  await pausedAt(page);
  const first = await shown(page);
  assert.equal(first.figuresNs, first.clockNs, 'the figures are for the time on the clock');
  assertMatchesCli(first, 'three-tier');

  // Second reading, later: the figures moved and still match.
  await page.getByTestId('run').click();
  await page.waitForFunction((t) => Number(document.querySelector('[data-testid="sim-clock"]').dataset.timeNs) > t + 4e9, first.clockNs);
  await page.getByTestId('run').click();
  await pausedAt(page);
  const second = await shown(page);
  assert.ok(second.figuresNs > first.figuresNs + 4e9, 'the clock moved');
  assert.ok(second.requests > first.requests, `requests moved: ${first.requests} -> ${second.requests}`);
  assertMatchesCli(second, 'three-tier');

  // While playing, the figures refresh (read twice, they differ) and stay no older than the clock.
  await page.getByTestId('run').click();
  const a = await page.waitForFunction((t) => {
    const n = Number(document.querySelector('[data-testid="run-clients"]').dataset.timeNs);
    return n > t ? n : null;
  }, second.figuresNs).then((h) => h.jsonValue());
  const b = await page.waitForFunction((t) => {
    const n = Number(document.querySelector('[data-testid="run-clients"]').dataset.timeNs);
    return n > t ? n : null;
  }, a).then((h) => h.jsonValue());
  assert.ok(b > a);

  // Seek to one minute: exactly the CLI's figures at 60 s.
  await page.getByTestId('run-scrubber').fill('60000');
  await page.waitForFunction(() => document.querySelector('[data-testid="sim-clock"]').dataset.timeNs === '60000000000'
    && document.querySelector('[data-testid="run-clients"]').dataset.timeNs === '60000000000');
  const at60 = await shown(page);
  assertMatchesCli(at60, 'three-tier');

  // Back to 10 s and forward to 60 s again: the same figures.
  await page.getByTestId('run-scrubber').fill('10000');
  await page.waitForFunction(() => document.querySelector('[data-testid="run-clients"]').dataset.timeNs === '10000000000');
  const at10 = await shown(page);
  assert.ok(at10.requests < at60.requests);
  assertMatchesCli(at10, 'three-tier');
  await page.getByTestId('run-scrubber').fill('60000');
  await page.waitForFunction(() => document.querySelector('[data-testid="run-clients"]').dataset.timeNs === '60000000000');
  assert.deepEqual(await shown(page), at60);
  assert.deepEqual(errors, []);
  await context.close();
});

test('particles travel on the busy connections and none on idle ones; badges show each component\'s load', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'three-tier');
  await page.getByTestId('run').click();
  // Collect what the particle canvas drew over a couple of seconds of play.
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="particles"]').dataset.dots) > 0);
  const seen = await page.evaluate(async () => {
    const canvas = document.querySelector('[data-testid="particles"]');
    const edges = {};
    for (let i = 0; i < 60; i++) {
      await new Promise((r) => requestAnimationFrame(r));
      for (const part of (canvas.dataset.edges || '').split(',').filter(Boolean)) {
        const [k, v] = part.split(':');
        edges[k] = (edges[k] ?? 0) + Number(v);
      }
    }
    return edges;
  });
  const doc = JSON.parse(execFileSync('cat', [join(ROOT, 'public', 'scenarios', 'three-tier.json')], { encoding: 'utf8' }));
  const connections = new Set(doc.connections.map((c) => `${c.from}>${c.to}`));
  for (const key of Object.keys(seen)) {
    const [a, b] = key.split('>');
    assert.ok(connections.has(key) || connections.has(`${b}>${a}`), `${key} is a connection of the design`);
  }
  // The engine says which connections carry traffic: a callee with no arrivals is idle.
  const report = cli('three-tier', 20_000);
  const arrivals = Object.fromEntries(report.components.map((c) => [c.id, c.arrivals]));
  const busiest = [...connections].sort((x, y) => arrivals[y.split('>')[1]] - arrivals[x.split('>')[1]])[0];
  assert.ok(seen[busiest] > 0 || seen[busiest.split('>').reverse().join('>')] > 0, `dots on the busiest connection ${busiest}: ${JSON.stringify(seen)}`);
  for (const key of connections) {
    const callee = key.split('>')[1];
    if (arrivals[callee] === 0) {
      const [a, b] = key.split('>');
      assert.ok(!seen[key] && !seen[`${b}>${a}`], `no dots on the idle connection ${key}`);
    }
  }
  assert.match(await page.getByTestId('run-legend').innerText(), /1 dot ≈ \d+ requests?/);

  // Badges: the busiest callee's badge shows a rate that is the engine's for its last seconds.
  await page.getByTestId('run').click();
  await pausedAt(page);
  const callee = busiest.split('>')[1];
  const badge = page.getByTestId(`live-badge-${callee}`);
  await badge.waitFor();
  const rps = Number(await badge.getAttribute('data-rps'));
  const end = Number(await page.getByTestId('live-badges').getAttribute('data-window-end'));
  const clockNs = Number(await page.getByTestId('sim-clock').getAttribute('data-time-ns'));
  const r = cli('three-tier', clockNs / 1e6, 1, undefined, true);
  const buckets = r.series[callee];
  const window = buckets.slice(-3);
  assert.equal(end, window.at(-1).t_s, 'the badge covers the last complete seconds');
  const expected = window.reduce((s, p) => s + p.arrivals, 0) / window.length;
  assert.ok(expected > 0);
  assert.ok(Math.abs(rps - expected) < 1e-9, `badge ${rps}/s, engine ${expected}/s`);
  const status = await badge.getAttribute('data-status');
  assert.match(status, /healthy|degraded/);
  await page.screenshot({ path: artifactPath('live-three-tier.png') });

  // Badges follow the view. Far out (the diagram's text hidden) a badge is a bar in its status's
  // colour with no figures written; zoomed in, the badges of components far off screen are not
  // built; back at the fit, every badge is there again with the same (paused) figures.
  const badges = () => page.evaluate(() => Object.fromEntries([...document.querySelectorAll('[data-testid^="live-badge-"]')]
    .map((b) => [b.dataset.testid.slice('live-badge-'.length), { rps: b.dataset.rps ?? null, status: b.dataset.status, fill: getComputedStyle(b.querySelector('.live-badge-bg')).fill }])));
  const atFit = await badges();
  assert.equal(atFit[callee].rps, String(rps));
  const zoom = async (button, until) => {
    for (let i = 0; i < 30 && !until(parseFloat(await page.getByTestId('zoom-level').innerText())); i++) await page.getByTestId(button).click();
  };
  await zoom('zoom-out', (z) => z < 30);
  await page.waitForFunction((id) => document.querySelector(`[data-testid="live-badge-${id}"]`)?.dataset.rps === undefined, callee);
  const far = await badges();
  assert.deepEqual(Object.keys(far).sort(), Object.keys(atFit).sort(), 'every component keeps a badge from far out');
  assert.equal(far[callee].status, status);
  assert.notEqual(far[callee].fill, atFit[callee].fill, 'far out, the bar takes its status colour');
  await page.getByTestId('zoom-fit').click();
  await zoom('zoom-in', (z) => z >= 400);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid^="live-badge-"]').length < n, Object.keys(atFit).length);
  await page.getByTestId('zoom-fit').click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid^="live-badge-"]').length === n, Object.keys(atFit).length);
  assert.deepEqual(await badges(), atFit, 'back at the fit, the badges show the same figures');
  assert.deepEqual(errors, []);
  await context.close();
});

test('an AZ outage injected from the menu shows in the log and the figures, then the design recovers, exactly as the engine runs it', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'az-outage-multi-az');
  await page.getByTestId('run-speed').selectOption('60');
  await page.getByTestId('run').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="sim-clock"]').dataset.timeNs) > 20e9);
  const before = await shown(page);
  assert.equal(before.success, '100.00%', 'healthy before the outage');

  // Right-click the database: the menu opens aimed at it; switch to an AZ outage of its AZ.
  await page.getByTestId('node-db').click({ button: 'right' });
  await page.getByTestId('inject-panel').waitFor();
  assert.equal(await page.getByTestId('inject-action').inputValue(), 'db-failover');
  await page.getByTestId('inject-action').selectOption('az-outage');
  const labels = await page.getByTestId('inject-target').locator('option').allInnerTexts();
  await page.getByTestId('inject-target').selectOption({ label: labels.find((l) => l.includes('use1-az1')) });
  await page.getByTestId('inject-duration').fill('120');
  await page.getByTestId('inject-go').click();
  await page.getByTestId('run-injected').waitFor();
  const actions = JSON.parse(await page.getByTestId('run-injected').getAttribute('data-actions'));
  assert.equal(actions.length, 1);
  assert.equal(actions[0].action, 'az-outage');
  assert.ok(actions[0].start_s >= 20, `it struck at the run's time: ${actions[0].start_s}`);

  // The log narrates the failure and the figures take the hit.
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="run-log-line"].bad')].length > 0);
  await page.waitForFunction(() => {
    const row = document.querySelector('[data-testid="run-client-users"]');
    return row && !/^0$/.test(row.querySelectorAll('td')[6].innerText);
  });
  // The group's instances in the lost AZ go down and replacements launch in the other one.
  await page.waitForFunction(() => /use1-az1:down|use1-az2:launching/.test(document.querySelector('[data-testid="live-members-web"]')?.dataset.members ?? ''));
  // Let it recover: well past the outage's end, two readings of the errors are equal.
  const end = (actions[0].start_s + 120) * 1e9;
  await page.waitForFunction((t) => Number(document.querySelector('[data-testid="sim-clock"]').dataset.timeNs) > t + 60e9, end);
  const errorsAt = async () => Number((await page.getByTestId('run-client-users').locator('td').nth(6).innerText()).split(' ')[0]);
  const e1 = await errorsAt();
  await page.waitForFunction((t) => Number(document.querySelector('[data-testid="run-clients"]').dataset.timeNs) > t + 30e9, end + 60e9);
  const e2 = await errorsAt();
  assert.ok(e1 > 0 && e2 === e1, `errors stop after recovery: ${e1} then ${e2}`);
  await page.getByTestId('run').click();
  await pausedAt(page);
  const paused = await shown(page);

  // The same run from the CLI: the design with this action written as an experiment.
  const { writeFileSync, mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const doc = JSON.parse(execFileSync('cat', [join(ROOT, 'public', 'scenarios', 'az-outage-multi-az.json')], { encoding: 'utf8' }));
  doc.experiments = [{ name: 'from-the-page', actions }];
  const file = join(mkdtempSync(join(tmpdir(), 'strata-')), 'injected.json');
  writeFileSync(file, JSON.stringify(doc));
  const r = JSON.parse(execFileSync(SIM, ['run', file, '--seed', '1', '--duration', `${paused.figuresNs / 1e6}ms`, '--experiment', 'from-the-page', '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 }));
  const c = r.clients.find((c) => c.id === 'users');
  assert.equal(paused.requests, c.requests);
  assert.equal(paused.success, `${(c.success_rate * 100).toFixed(2)}%`);
  assert.equal(paused.p99, fmtMs(c.latency.p99_ms));
  assert.equal(await errorsAt(), c.errors.total);
  // After recovery every instance the badge shows is in service, as many as the engine reports.
  const members = (await page.getByTestId('live-members-web').getAttribute('data-members')).split(',');
  assert.ok(members.every((m) => m.endsWith(':in_service')), members.join(' '));
  assert.equal(members.length, r.components.find((x) => x.id === 'web').instances);
  // A log line that names a component selects it when clicked.
  await page.locator('[data-testid="run-log"] summary').click();
  const line = page.locator('[data-testid="run-log-line"][data-component]').first();
  const named = await line.getAttribute('data-component');
  await line.click();
  await page.waitForFunction((id) => document.querySelector(`[data-testid="node-${id}"]`).classList.contains('selected'), named);
  await page.screenshot({ path: artifactPath('live-az-outage.png') });
  assert.deepEqual(errors, []);
  await context.close();
});

test('with reduced motion nothing moves: connections are drawn as thick as their traffic', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, reducedMotion: 'reduce' });
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'three-tier');
  await page.getByTestId('run').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="sim-clock"]').dataset.timeNs) > 5e9);
  const canvas = page.getByTestId('particles');
  assert.equal(await canvas.getAttribute('data-mode'), 'throughput');
  await page.waitForFunction(() => (document.querySelector('[data-testid="particles"]').dataset.edges || '').includes('alb>web'));
  assert.equal(await canvas.getAttribute('data-dots'), '0', 'no dots');
  const rates = Object.fromEntries((await canvas.getAttribute('data-edges')).split(',').map((p) => {
    const [k, v] = p.split(':');
    return [k, Number(v)];
  }));
  // The ALB -> web connection carries what the web tier receives (its badge, over 3 s).
  const badge = Number(await page.getByTestId('live-badge-web').getAttribute('data-rps'));
  assert.ok(badge > 0);
  assert.ok(rates['alb>web'] > badge * 0.6 && rates['alb>web'] < badge * 1.6, `alb>web ${rates['alb>web']}/s vs web ${badge}/s`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a run the engine refuses to start says why and can be started again', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'az-outage-multi-az');
  // The experiment strikes at 135 s: a one-minute run cannot hold it.
  await page.getByTestId('run-length').selectOption('60');
  await page.getByTestId('run-experiment').selectOption('lose-az1');
  await page.getByTestId('run').click();
  await page.getByTestId('run-problem').waitFor();
  assert.match(await page.getByTestId('run-problem').innerText(), /lose-az1|135|after|beyond|end/i);
  await page.waitForFunction(() => /Run/.test(document.querySelector('[data-testid="run"]').innerText));
  // A longer run plays it.
  await page.getByTestId('run-length').selectOption('300');
  await page.getByTestId('run').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="sim-clock"]').dataset.timeNs) > 1e9);
  assert.equal(await page.getByTestId('run-problem').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a scale-out launch goes through the six layers phase by phase, at the engine\'s times', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'scale-out-layers');
  await page.getByTestId('run').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="sim-clock"]').dataset.timeNs) > 0);
  await page.getByTestId('run').click(); // pause: the scrubber drives time from here
  await pausedAt(page);
  const launch = (name) => page.evaluate((name) => {
    const el = document.querySelector(`[data-testid="launch-${name}"]`);
    if (!el) return null;
    return {
      state: el.dataset.state,
      phases: el.dataset.phases,
      steps: [...el.querySelectorAll('li')].map((li) => ({ phase: li.dataset.phase, cls: li.className, ns: li.dataset.timeNs ? Number(li.dataset.timeNs) : null })),
      details: el.querySelector('.launch-details').innerText,
    };
  }, name);
  const seek = async (ms) => {
    await page.getByTestId('run-scrubber').fill(String(ms));
    await page.waitForFunction((ns) => document.querySelector('[data-testid="sim-clock"]').dataset.timeNs === ns, String(ms * 1e6));
  };

  // Mid-launch: the phases done by 33 s are lit, the next one is in progress, the rest wait.
  await seek(33_000);
  const mid = await launch('web-3');
  assert.ok(mid, 'the launch the group started at 30 s is shown');
  assert.equal(mid.state, 'in_progress');
  const order = ['request_accepted', 'capacity_reserved', 'vm_created', 'storage_attached', 'network_configured', 'os_boot', 'running'];
  assert.deepEqual(mid.steps.map((s) => s.phase), order);
  const doneMid = mid.phases.split(',');
  assert.ok(doneMid.length >= 2 && doneMid.length < 7, `phases by 33 s: ${mid.phases}`);
  assert.deepEqual(doneMid, order.slice(0, doneMid.length), 'the phases happen in order');
  assert.match(mid.steps[doneMid.length].cls, /current/);
  for (const s of mid.steps.slice(0, doneMid.length)) assert.ok(s.ns <= 33e9, `${s.phase} at ${s.ns}`);
  // On the diagram: the group spans its subnets, and the new instance (slot 2) is a launching
  // box in its AZ's subnet.
  await page.getByTestId('group-span-web').waitFor();
  const box = page.getByTestId('instance-web-2');
  assert.equal(await box.getAttribute('data-status'), 'launching');
  const subnet = await box.getAttribute('data-subnet');
  assert.ok(mid.steps.slice(doneMid.length).every((s) => s.ns === null), 'phases still to come have no time yet');

  // Later: running, every phase at a non-decreasing time, on the host and IP the engine reports.
  await seek(45_000);
  const done = await launch('web-3');
  assert.equal(done.state, 'done');
  assert.equal(done.phases, order.join(','));
  const times = done.steps.map((s) => s.ns);
  assert.ok(times.every((t, i) => i === 0 || t >= times[i - 1]), `times ${times}`);
  assert.deepEqual(times.slice(0, doneMid.length), mid.steps.slice(0, doneMid.length).map((s) => s.ns), 'the same phases at the same times');
  const r = cli('scale-out-layers', 45_000);
  const call = r.layers.api_log.find((c) => c.action === 'RunInstances' && c.target === 'web-3');
  assert.ok(call && call.at <= times[0] && times[0] - call.at < 2e9, 'requested when the group called RunInstances');
  const inst = r.layers.instances.find((i) => i.name === 'web-3');
  assert.equal(inst.state, 'running');
  assert.ok(done.details.includes(`host ${inst.host}`) && done.details.includes(`IP ${inst.private_ip}`), `${done.details} vs ${inst.host} ${inst.private_ip}`);
  assert.equal(await box.getAttribute('data-status'), 'in_service');
  assert.equal(subnet, inst.az.endsWith('a') ? 'app-a' : 'app-b', `web-3 runs in ${inst.az}, drawn in ${subnet}`);
  assert.deepEqual(errors, []);
  await context.close();
});

/** The badge figures of `id` now, and the engine's for the same window (the last 3 whole seconds). */
async function badgeVsEngine(page, id, report) {
  const b = page.getByTestId(`live-badge-${id}`);
  const get = async (k) => Number(await b.getAttribute(`data-${k}`));
  const shownFig = { end: Number(await page.getByTestId('live-badges').getAttribute('data-window-end')), rps: await get('rps'), p99: await get('p99'), busy: await get('busy'), queue: await get('queue'), errors: await get('errors') };
  const w = report.series[id].slice(-3);
  const mean = (f) => w.reduce((s, p) => s + f(p), 0) / w.length;
  const engine = {
    end: w.at(-1).t_s,
    rps: mean((p) => p.arrivals),
    p99: Math.max(...w.map((p) => p.p99_ms)),
    busy: mean((p) => p.utilization),
    queue: mean((p) => p.mean_queue),
    errors: mean((p) => p.errors),
  };
  for (const k of Object.keys(engine)) assert.ok(Math.abs(shownFig[k] - engine[k]) <= 1e-9 * Math.max(1, Math.abs(engine[k])), `${id} badge ${k}: shown ${shownFig[k]}, engine ${engine[k]}`);
  return shownFig;
}

test('the drill-down finds the host, the neighbours and the volume, and stop/start there fixes the noisy-neighbour latency', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'noisy-neighbour-before');
  await page.getByTestId('run').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="sim-clock"]').dataset.timeNs) > 0);
  await page.getByTestId('run').click();
  await pausedAt(page);
  await page.getByTestId('node-api').click();
  await page.getByTestId('drill').waitFor();
  const seek = async (ms) => {
    await page.getByTestId('run-scrubber').fill(String(ms));
    await page.waitForFunction((ns) => document.querySelector('[data-testid="drill"]')?.dataset.timeNs === ns
      && document.querySelector('[data-testid="run-clients"]')?.dataset.timeNs === ns, String(ms * 1e6));
  };
  const drill = () => page.evaluate(() => {
    const d = document.querySelector('[data-testid="drill"]');
    const fact = (k) => d.querySelector(`dd[data-fact="${k}"]`)?.textContent;
    return {
      instance: d.dataset.instance,
      host: fact('host'),
      steal: Number(fact('steal')),
      hostShown: d.querySelector('[data-testid="drill-host"] h3').textContent,
      neighbours: d.querySelectorAll('[data-testid="drill-neighbours"] tbody tr').length,
      volumes: [...d.querySelectorAll('dd[data-fact$="_iops"]')].map((v) => Number(v.textContent)),
      volumeText: d.querySelector('[data-testid="drill-volumes"]').innerText,
    };
  });

  // On the noisy host at 50 s: the same host, steal, neighbours and volume as the engine reports.
  await seek(50_000);
  const before = await drill();
  const r1 = cli('noisy-neighbour-before', 50_000, 1, undefined, true);
  const api1 = r1.layers.instances.find((i) => i.name === 'api');
  assert.equal(before.instance, 'api');
  assert.equal(before.host, api1.host);
  assert.ok(before.hostShown.includes(api1.host), before.hostShown);
  assert.ok(Math.abs(before.steal - api1.steal_percent) < 1e-9 && before.steal > 50, `steal ${before.steal} vs ${api1.steal_percent}`);
  assert.equal(before.neighbours, r1.layers.instances.filter((i) => i.host === api1.host && i.state === 'running').length - 1);
  const vol1 = r1.layers.volumes.filter((v) => v.instance === 'api');
  assert.deepEqual(before.volumes.sort(), vol1.map((v) => v.iops_limit).sort());
  for (const v of vol1) assert.ok(before.volumeText.includes(`${v.iops_limit} IOPS now`), before.volumeText);
  const slow = await badgeVsEngine(page, 'api', r1);

  // Stop it and start it 30 s later, from the drill-down.
  await page.getByTestId('drill-stop-after').fill('30');
  await page.getByTestId('drill-stop-start').click();
  await page.getByTestId('run-injected').waitFor();
  const actions = JSON.parse(await page.getByTestId('run-injected').getAttribute('data-actions'));
  assert.deepEqual(actions.map((a) => [a.action, a.duration_s]), [['stop-instance', 30]]);

  // Later: on another host, no steal, and the latency the engine reports for that run has fallen.
  await seek(150_000);
  const after = await drill();
  const { writeFileSync, mkdtempSync, readFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const doc = JSON.parse(readFileSync(join(ROOT, 'public', 'scenarios', 'noisy-neighbour-before.json'), 'utf8'));
  doc.experiments = [{ name: 'from-the-page', actions }];
  const file = join(mkdtempSync(join(tmpdir(), 'strata-')), 'stop-start.json');
  writeFileSync(file, JSON.stringify(doc));
  const r2 = cli(file, 150_000, 1, 'from-the-page', true);
  const api2 = r2.layers.instances.find((i) => i.name === 'api');
  assert.equal(after.host, api2.host);
  assert.notEqual(after.host, before.host, 'placement chose another host');
  assert.ok(Math.abs(after.steal - api2.steal_percent) < 1e-9 && after.steal < 1, `steal after ${after.steal}`);
  const fast = await badgeVsEngine(page, 'api', r2);
  assert.ok(fast.p99 < slow.p99 / 1.5, `p99 ${slow.p99} ms before, ${fast.p99} ms after`);
  assertMatchesCli(await shown(page), file, 1, 'from-the-page');
  // The run panel shows the stop and the start that followed it.
  const ops = await page.locator('[data-testid="launch-api"]').evaluateAll((els) => els.map((e) => `${e.dataset.op}:${e.dataset.state}`));
  assert.deepEqual(ops, ['launch:done', 'stop:done']);
  await page.screenshot({ path: artifactPath('live-drill-down.png') });
  assert.deepEqual(errors, []);
  await context.close();
});

test('a selected connection shows its network path hop by hop, with the hop that blocks it and the fix, as the engine finds it', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const { page, errors } = await openApp(context, server.url);
  const selectEdge = async (id) => {
    const pt = await page.getByTestId(id).evaluate((g) => {
      const p = g.querySelector('.edge-line');
      const q = p.getPointAtLength(p.getTotalLength() / 2);
      const ctm = p.getScreenCTM();
      return { x: q.x * ctm.a + ctm.e, y: q.y * ctm.d + ctm.f };
    });
    await page.mouse.click(pt.x, pt.y);
    await page.getByTestId('reachability').waitFor();
    return page.getByTestId('reachability').evaluate((s) => ({
      reachable: s.dataset.reachable,
      hops: [...s.querySelectorAll('[data-testid="reach-hop"]')].map((h) => ({ passed: h.dataset.passed === 'true', text: h.textContent })),
    }));
  };
  // Peering without routes: blocked at the route table, with the route to add.
  await openTemplate(page, 'peering-routes-before');
  const before = await selectEdge('edge-app-db');
  const [blocked] = cli('peering-routes-before', 5_000).layers.blocked_paths;
  assert.equal(before.reachable, 'false');
  const failed = before.hops.filter((h) => !h.passed);
  assert.equal(failed.length, 1, 'the walk stops at the first hop that blocks');
  assert.ok(failed[0].text.includes(blocked.at) && failed[0].text.includes(blocked.reason), `${failed[0].text} vs ${blocked.at}: ${blocked.reason}`);
  assert.equal(before.hops.at(-1), failed[0], 'the blocking hop is the last one checked');
  // With the routes added the path opens, every hop passes, and the engine blocks nothing.
  await openTemplate(page, 'peering-routes-after');
  const after = await selectEdge('edge-app-db');
  assert.equal(after.reachable, 'true');
  assert.ok(after.hops.length > before.hops.length && after.hops.every((h) => h.passed), JSON.stringify(after.hops));
  assert.deepEqual(cli('peering-routes-after', 5_000).layers.blocked_paths, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('hovering a failed call says which request failed where, why and when, as the engine ran it; clicking a dot traces its request', async (t) => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const { page, errors } = await openApp(context, server.url);
  // A worker pool exhausted by a slow query: from about 20 s some calls to web are refused
  // with a full queue, and the load balancer answers those with a 5xx from its dependency.
  await openTemplate(page, 'slow-at-low-cpu-before');
  await page.getByTestId('run-speed').selectOption('10');
  const tip = page.getByTestId('failure-tip');
  assert.equal(await tip.isHidden(), true, 'no tooltip before anything failed');

  /** Plays past `ns`, pauses, then finds where the pointer over a connection hovers a failure. */
  const pauseAndFind = async (ns) => {
    await page.getByTestId('run').click();
    await page.waitForFunction((t) => Number(document.querySelector('[data-testid="sim-clock"]').dataset.timeNs) > t, ns);
    await page.getByTestId('run').click();
    await pausedAt(page);
    const clockNs = Number(await page.getByTestId('sim-clock').getAttribute('data-time-ns'));
    // Sweep along every connection (and its end, where bursts are drawn), as a pointer would.
    const spots = await page.evaluate(() => {
      const out = [];
      for (const path of document.querySelectorAll('[data-testid^="edge-"] .edge-line')) {
        const len = path.getTotalLength();
        const m = path.getScreenCTM();
        for (let i = 0; i <= 300; i++) {
          const p = new DOMPoint(path.getPointAtLength((len * i) / 300).x, path.getPointAtLength((len * i) / 300).y).matrixTransform(m);
          const target = document.elementFromPoint(p.x, p.y);
          target?.dispatchEvent(new PointerEvent('pointermove', { clientX: p.x, clientY: p.y, bubbles: true }));
          const tip = document.querySelector('[data-testid="failure-tip"]');
          if (tip && tip.style.display !== 'none') out.push({ x: p.x, y: p.y, text: tip.textContent });
        }
      }
      return out;
    });
    // Failed calls; the other dots (calls on their way, answers) name their request too.
    return { clockNs, spots: spots.filter((x) => x.text.includes(' failed at ')), calls: spots.filter((x) => !x.text.includes(' failed at ')) };
  };

  const PATTERN = /^Request #(\d+) failed at ([\w-]+)(?:\[(\d+)\])?: (.+) · (\d\d):(\d\d):(\d\d\.\d{3})$/;
  /** Hovers a spot with the mouse, reads the tooltip, and checks it against the CLI's journey of that request. */
  const hoverAndCheck = async (spot, clockNs) => {
    await page.mouse.move(spot.x, spot.y);
    await tip.waitFor({ state: 'visible' });
    const text = await tip.evaluate((el) => el.textContent);
    const m = text.match(PATTERN);
    assert.ok(m, `tooltip reads like a failure: ${text}`);
    const [, request, component, instance, cause, hh, mm, ss] = m;
    const at = Number(hh) * 3600 + Number(mm) * 60 + Number(ss);
    assert.ok(at * 1e9 <= clockNs + 0.5e6, `failed before the clock: ${text} at ${clockNs} ns`);
    const file = join(ROOT, 'public', 'scenarios', 'slow-at-low-cpu-before.json');
    const r = JSON.parse(execFileSync(SIM, ['run', file, '--seed', '1', '--duration', `${clockNs / 1e6}ms`, '--journey', request, '--json'],
      { encoding: 'utf8', maxBuffer: 64 << 20 }));
    assert.ok(r.journey.length > 0 && r.journey.every((e) => e.request === Number(request)));
    const failed = r.journey.filter((e) => e.event === 'error' && e.component === component
      && e.instance === (instance === undefined ? null : Number(instance)));
    assert.equal(failed.length, 1, `the engine's request #${request} failed once at ${component}${instance ? `[${instance}]` : ''}: ${JSON.stringify(r.journey)}`);
    assert.equal(failed[0].cause, cause, 'the cause is the engine\'s');
    assert.ok(Math.abs(failed[0].time_ns / 1e9 - at) <= 0.0005 + 1e-9, `time ${failed[0].time_ns} ns vs ${hh}:${mm}:${ss}`);
    return { request: Number(request), component, cause, text };
  };

  const first = await pauseAndFind(24e9);
  assert.ok(first.spots.length > 0, 'some failed calls are drawn at the first pause');
  const a = await hoverAndCheck(first.spots[0], first.clockNs);
  // Clicking the hovered failed call traces that very request, in the run panel.
  await page.mouse.click(first.spots[0].x, first.spots[0].y);
  await page.waitForFunction((n) => document.querySelector('[data-testid="trace"]')?.dataset.request === String(n), a.request);
  const hops = await page.locator('[data-testid="trace-hop"]').evaluateAll((els) => els.map((e) => [e.dataset.component, e.dataset.error]));
  assert.ok(hops.some(([c, e]) => c.startsWith(a.component) && e === a.cause), `the waterfall shows the failure at ${a.component}: ${JSON.stringify(hops)}`);
  // Any dot: a call on its way names its request and where it goes, and a click traces it there.
  const call = first.calls.map((c) => ({ ...c, m: c.text.match(/^Request #(\d+) (to|answered by) ([\w-]+)(?:\[\d+\])? · /) })).find((c) => c.m);
  assert.ok(call, `a dot that is not a failure names its request: ${first.calls.slice(0, 3).map((c) => c.text)}`);
  await page.mouse.move(call.x, call.y);
  await page.mouse.click(call.x, call.y);
  await page.waitForFunction((n) => document.querySelector('[data-testid="trace"]')?.dataset.request === n, call.m[1]);
  const callHops = await page.locator('[data-testid="trace-hop"]').evaluateAll((els) => els.map((e) => e.dataset.component));
  assert.ok(callHops.some((c) => c.startsWith(call.m[3])), `request #${call.m[1]}'s waterfall goes through ${call.m[3]}: ${callHops}`);
  // Moving away from every dot hides it; the editor's own pointer handling is untouched.
  await page.mouse.move(5, 5);
  await tip.waitFor({ state: 'hidden' });

  const second = await pauseAndFind(first.clockNs + 15e9);
  assert.ok(second.spots.length > 0, 'some failed calls are drawn at the second pause');
  // Prefer a call that failed at another component than the first one did, if one is drawn.
  const spot = second.spots.find((s) => !s.text.includes(` at ${a.component}`)) ?? second.spots.at(-1);
  const b = await hoverAndCheck(spot, second.clockNs);
  assert.notEqual(b.request, a.request, 'two different failed calls');
  const causes = new Set([...first.spots, ...second.spots].map((s) => s.text.match(PATTERN)?.[4]));
  assert.ok(causes.has('queue full') && causes.has('5xx from dependency'), `causes drawn: ${[...causes]}`);
  t.diagnostic(`read at ${first.clockNs / 1e6} ms: ${a.text} (${first.spots.length} spots hover a failure)`);
  t.diagnostic(`read at ${second.clockNs / 1e6} ms: ${b.text} (${second.spots.length} spots)`);
  await page.screenshot({ path: artifactPath('live-failure-tooltip.png') });
  assert.deepEqual(errors, []);
  await context.close();
});
