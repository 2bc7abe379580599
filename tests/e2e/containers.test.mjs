// EKS deployments in the app: the palette finds them by the names people use, a template's pods
// are drawn in their nodes' subnets as they come, and the pods serving at each moment, the
// Pending pods and the nodes the cluster autoscaler adds are the engine's own, checked against
// `strata-sim run --json` on the same design, seed and time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { writeFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { serve, launch, openApp, ROOT } from './harness.mjs';
import { openTemplate, centre, drag, savedDoc, startPaused, seekTo } from './editor-helpers.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const SIM = process.env.STRATA_SIM ?? join(ROOT, 'target', 'ci', 'strata-sim');

/** The CLI's report of a gallery scenario at `ms` simulated milliseconds. */
function cli(scenario, ms, seed = 1, experiment = null) {
  const file = join(ROOT, 'public', 'scenarios', `${scenario}.json`);
  const args = ['run', file, '--seed', String(seed), '--duration', `${ms}ms`, '--json'];
  if (experiment) args.push('--experiment', experiment);
  return JSON.parse(execFileSync(SIM, args, { encoding: 'utf8', maxBuffer: 64 << 20 }));
}

/** Waits for a line of the run's log matching `re`. */
function logged(page, re) {
  return page.waitForFunction((src) => [...document.querySelectorAll('[data-testid="run-log-line"]')].some((l) => new RegExp(src).test(l.textContent)), re.source, { timeout: 20_000 });
}

/** Lets the run pass `t_s` simulated seconds, then pauses it. */
async function pauseAfter(page, t_s) {
  await page.waitForFunction((t) => Number(document.querySelector('[data-testid="sim-clock"]').dataset.timeNs) > t * 1e9, t_s);
  await page.getByTestId('run').click();
  await page.waitForFunction(() => /Resume/.test(document.querySelector('[data-testid="run"]').innerText));
}

/** The users' row of the run's client table, with the time it is for. */
function clientFigures(page) {
  return page.evaluate(() => {
    const table = document.querySelector('[data-testid="run-clients"]');
    const row = document.querySelector('[data-testid="run-client-users"]');
    return {
      ns: Number(table.dataset.timeNs),
      requests: Number(row.querySelector('[data-testid="run-requests"]').innerText),
      success: row.querySelector('[data-testid="run-success"]').innerText,
      errors: Number(row.querySelectorAll('td')[6].innerText.split(' ')[0]),
    };
  });
}

/** The CLI's report of gallery scenario `scenario` playing the page's `actions`, at `ns`. */
function cliWithActions(scenario, actions, ns) {
  const doc = JSON.parse(readFileSync(join(ROOT, 'public', 'scenarios', `${scenario}.json`), 'utf8'));
  doc.experiments = [{ name: 'from-the-page', actions }];
  const file = join(mkdtempSync(join(tmpdir(), 'strata-')), `${scenario}.json`);
  writeFileSync(file, JSON.stringify(doc));
  return JSON.parse(execFileSync(SIM, ['run', file, '--seed', '1', '--duration', `${ns / 1e6}ms`, '--experiment', 'from-the-page', '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 }));
}

/** The boxes of `group` once the last frame carries `engine`'s pods (or after 10 s). */
async function boxesFor(page, group, engine) {
  await page.waitForFunction(([g, n]) => document.querySelectorAll(`[data-testid^="instance-${g}-"]`).length === n, [group, engine.length], { timeout: 10_000 }).catch(() => {});
  return podBoxes(page, group);
}

/** The pod boxes drawn for `group`, by slot: state and version. */
async function podBoxes(page, group) {
  return page.evaluate((g) => [...document.querySelectorAll(`[data-testid^="instance-${g}-"]`)]
    .map((b) => ({ slot: Number(b.dataset.testid.split('-').pop()), status: b.dataset.status, version: Number(b.dataset.version) }))
    .sort((a, b) => a.slot - b.slot), group);
}

/** The engine's pods of `group` in a CLI report, as the boxes should show them. */
function enginePods(report, group) {
  return report.components.find((c) => c.id === group).members
    .map((m) => ({ slot: m.slot, status: m.status, version: (m.version ?? 0) + 1 }))
    .sort((a, b) => a.slot - b.slot);
}

test('a spike\'s pods arrive as the engine has them: drawn in their subnets, Pending pods and new nodes in the log', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'pods-pending-spike');
  // The nodes' outline spans the subnets they go to.
  assert.equal(await page.getByTestId('group-span-api').locator('text').textContent(), 'EKS nodes of api');
  await page.getByTestId('run').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="sim-clock"]').dataset.timeNs) > 0);
  await page.getByTestId('run').click(); // pause: the scrubber drives time from here
  await page.waitForFunction(() => /Resume/.test(document.querySelector('[data-testid="run"]').innerText));
  const pods = () => page.evaluate(() => [...document.querySelectorAll('[data-testid^="instance-api-"]')]
    .map((b) => ({ status: b.dataset.status, subnet: b.dataset.subnet })));
  const seen = [];
  for (const ms of [30_000, 130_000, 200_000]) {
    await seekTo(page, ms);
    const engine = cli('pods-pending-spike', ms).components.find((c) => c.id === 'api');
    // The boxes are drawn for the figures of the last frame: wait for that frame's count.
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid^="instance-api-"][data-status="in_service"]').length === n, engine.instances, { timeout: 10_000 })
      .catch(() => {});
    const shown = await pods();
    const serving = shown.filter((p) => p.status === 'in_service');
    assert.equal(serving.length, engine.instances, `pods serving at ${ms} ms: shown ${serving.length}, engine ${engine.instances}`);
    // Every pod bound to a node is drawn, those still starting as launching, slot by slot as
    // the engine has them.
    assert.deepEqual(await podBoxes(page, 'api'), enginePods(cli('pods-pending-spike', ms), 'api'), `pods at ${ms} ms`);
    assert.ok(serving.every((p) => p.subnet === 'app-a' || p.subnet === 'app-b'), JSON.stringify(shown));
    seen.push(serving.length);
  }
  assert.equal(seen[0], 4, 'four pods before the spike');
  // At 130 s pods are still starting on the new nodes: drawn launching, pulsing as an
  // instance's launch does.
  await seekTo(page, 130_000);
  const starting = enginePods(cli('pods-pending-spike', 130_000), 'api').filter((p) => p.status === 'launching');
  assert.ok(starting.length > 0, 'pods starting at 130 s');
  const pulse = await page.evaluate((slot) => getComputedStyle(document.querySelector(`[data-testid="instance-api-${slot}"] rect`)).animationName, starting[0].slot);
  assert.notEqual(pulse, 'none');
  assert.ok(seen[2] > seen[0], `more pods later: ${seen}`);
  // The event log has the chain: Pending pods (marked as a problem) and the nodes launched for them.
  const lines = await page.locator('[data-testid="run-log-line"]').evaluateAll((ls) => ls.map((l) => ({ text: l.textContent, bad: l.classList.contains('bad') })));
  const pending = lines.find((l) => /is Pending: 0\/\d+ nodes are available: .*Insufficient cpu/.test(l.text));
  assert.ok(pending && pending.bad, JSON.stringify(lines.slice(0, 20)));
  assert.ok(lines.some((l) => /the cluster autoscaler launches \d+ node\(s\) for \d+ Pending pod\(s\)/.test(l.text)), 'nodes added');
  assert.ok(lines.some((l) => /node api-node-\d+ joined, Ready/.test(l.text)), 'a node joined');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the palette finds an EKS deployment as k8s, and it goes into a VPC where the checks ask for a node group that fits', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'pods-pending-spike');
  await page.getByTestId('palette-search').fill('k8s');
  const items = await page.$$eval('.pal-item', (els) => els.filter((e) => !e.classList.contains('hidden')).map((e) => e.dataset.testid));
  assert.deepEqual(items, ['palette-eks'], 'k8s finds the EKS deployment only');
  // Dropped on the bare canvas it is refused, in words.
  const canvas = await centre(page, 'canvas-stage');
  await drag(page, await centre(page, 'palette-eks'), { x: canvas.box.x + 40, y: canvas.box.y + canvas.box.height - 40 });
  await page.getByTestId('notice').waitFor();
  assert.match(await page.getByTestId('notice').textContent(), /EKS deployment runs inside a VPC/);
  const doc = await savedDoc(page);
  assert.deepEqual(doc.components.filter((c) => c.kind === 'eks').map((c) => c.id), ['api'], 'nothing was added');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a canary deployed from the menu is rolled back by its alarm, and the run is the engine\'s own', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'deploy-canary');
  await page.getByTestId('run-speed').selectOption('60');
  await page.getByTestId('run').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="sim-clock"]').dataset.timeNs) > 20e9);
  // Right-click the deployment: the menu proposes a deployment of a new version.
  await page.getByTestId('node-api').click({ button: 'right' });
  await page.getByTestId('inject-panel').waitFor();
  assert.equal(await page.getByTestId('inject-action').inputValue(), 'deploy');
  assert.equal(await page.getByTestId('inject-amount').inputValue(), '20');
  assert.equal(await page.getByTestId('inject-duration').count(), 0, 'a deployment takes no duration');
  await page.getByTestId('inject-go').click();
  await page.getByTestId('run-injected').waitFor();
  const actions = JSON.parse(await page.getByTestId('run-injected').getAttribute('data-actions'));
  assert.equal(actions.length, 1);
  assert.equal(actions[0].action, 'deploy');
  assert.equal(actions[0].params.strategy, 'canary');
  const t0 = actions[0].start_s;
  // The log tells the deployment, the alarm and the rollback.
  await logged(page, /deployment of v2 \(from v1\) begins, canary 10% -> 100%/);
  await logged(page, /alarm api-v2-errors fires/);
  await logged(page, /rolled back, every pod runs v1 again/);
  // Let the errors stop, then pause and compare with the CLI running the same action.
  await pauseAfter(page, t0 + 200);
  const shown = await clientFigures(page);
  const r = cliWithActions('deploy-canary', actions, shown.ns);
  const c = r.clients.find((x) => x.id === 'users');
  assert.equal(shown.requests, c.requests);
  assert.equal(shown.success, `${(c.success_rate * 100).toFixed(2)}%`);
  assert.equal(shown.errors, c.errors.total);
  assert.ok(c.errors.server_error > 0 && c.errors.no_healthy_target === 0, JSON.stringify(c.errors));
  // The alarm fired two minutes after the deployment began, as the engine ran it.
  const fired = r.resilience.observations.find((o) => o.kind === 'alarm_fired');
  assert.ok(fired, 'the CLI run has the alarm too');
  assert.ok(Math.abs(fired.time_s - (t0 + 120)) < 1e-6, `alarm at ${fired.time_s}, deployment at ${t0}`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a pod\'s drill-down says which node it runs on and why: the scheduler\'s verdict on every node', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'pods-pending-spike');
  await startPaused(page);
  await page.getByTestId('run-scrubber').fill('200000');
  await page.waitForFunction(() => document.querySelector('[data-testid="sim-clock"]').dataset.timeNs === '200000000000');
  // The pods drawn in subnets: open each until one that waited for a new node.
  const boxes = await page.locator('[data-testid^="instance-api-"][data-status="in_service"]').evaluateAll((bs) => bs.map((b) => b.dataset.testid));
  let found = null;
  for (const id of boxes) {
    await page.getByTestId(id).click();
    await page.getByTestId('drill').waitFor();
    const start = await page.getByTestId('drill-start').textContent();
    if (/Insufficient cpu/.test(start)) { found = id; break; }
  }
  assert.ok(found, `a pod that was Pending among ${boxes.join(', ')}`);
  const body = await page.getByTestId('drill-scheduler').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => ({ cells: [...tr.children].map((c) => c.textContent), chosen: tr.dataset.marked === 'true' })));
  assert.ok(body.length >= 3, JSON.stringify(body));
  assert.ok(body.filter((r) => r.cells[2].startsWith('Insufficient cpu')).length >= 2, JSON.stringify(body));
  // The node it runs on is the one chosen, with a score.
  const chosen = body.filter((r) => r.chosen);
  assert.equal(chosen.length, 1);
  assert.match(chosen[0].cells[1], /^\d+$/);
  const node = await page.getByTestId('drill').locator('[data-fact="node"]').textContent();
  assert.equal(chosen[0].cells[0], node);
  assert.match(await page.getByTestId('drill').locator('.panel-title').textContent(), /^api · pod api-\d+ · v1 · ready$/);
  assert.equal(await page.getByTestId('drill-stop-start').isVisible(), false, 'no EC2 stop/start for a pod');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a blue-green switch drawn pod by pod as the engine has it: the new set stands by in its colour, then takes the traffic', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'deploy-blue-green');
  await page.getByTestId('run-experiment').selectOption('switch-v2');
  await startPaused(page);
  const seen = {};
  for (const ms of [50_000, 90_000, 130_000]) {
    await seekTo(page, ms);
    // The CLI refuses an experiment that starts after the run ends; before 60 s the runs agree.
    const engine = enginePods(cli('deploy-blue-green', ms, 1, ms > 60_000 ? 'switch-v2' : null), 'api');
    // The boxes follow the last frame: wait for it to carry this moment's pods.
    await page.waitForFunction(([n, standby]) => document.querySelectorAll('[data-testid^="instance-api-"]').length === n
      && document.querySelectorAll('[data-testid^="instance-api-"][data-status="standby"]').length === standby,
    [engine.length, engine.filter((p) => p.status === 'standby').length], { timeout: 10_000 }).catch(() => {});
    const shown = await podBoxes(page, 'api');
    assert.deepEqual(shown, engine, `pods at ${ms} ms`);
    seen[ms] = shown;
  }
  const count = (ms, status, version) => seen[ms].filter((p) => p.status === status && p.version === version).length;
  assert.equal(count(50_000, 'in_service', 1), 10, 'v1 alone before the deployment');
  assert.deepEqual([count(90_000, 'in_service', 1), count(90_000, 'standby', 2)], [10, 10], 'v2 stands by beside v1');
  assert.deepEqual([count(130_000, 'in_service', 2), count(130_000, 'standby', 1)], [10, 10], 'v2 has the traffic, v1 stands by');
  // Each version in its own colour, a set standing by drawn faded.
  const look = (status, version) => page.evaluate(([s, v]) => {
    const r = document.querySelector(`[data-testid^="instance-api-"][data-status="${s}"][data-version="${v}"] rect`);
    const c = getComputedStyle(r);
    return { fill: c.fill, opacity: c.opacity };
  }, [status, version]);
  const [v2, v1] = [await look('in_service', 2), await look('standby', 1)];
  assert.notEqual(v2.fill, v1.fill);
  assert.ok(Number(v1.opacity) < 1 && Number(v2.opacity) === 1, JSON.stringify({ v1, v2 }));
  assert.deepEqual(errors, []);
  await context.close();
});

test('a pod deleted from its drill-down is replaced as the engine replaces it', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'deploy-canary');
  await page.getByTestId('run-speed').selectOption('10');
  await page.getByTestId('run').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="sim-clock"]').dataset.timeNs) > 10e9);
  await page.getByTestId('instance-api-3').click();
  await page.getByTestId('drill').waitFor();
  assert.equal(await page.getByTestId('drill-stop-start').isVisible(), false);
  await page.getByTestId('drill-pod-delete').click();
  await page.getByTestId('run-injected').waitFor();
  const actions = JSON.parse(await page.getByTestId('run-injected').getAttribute('data-actions'));
  assert.deepEqual(actions.map((a) => [a.action, a.target]), [['pod-delete', { instance: { component: 'api', index: 3 } }]]);
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="run-log-line"]')].some((l) => /api: pod api-\d+ deleted: a replacement starts/.test(l.textContent) && l.classList.contains('bad')), null, { timeout: 20_000 });
  // Two moments after it, paused: the pods drawn are the engine's on the same design, seed
  // and action (the replacement starting, then serving).
  const counts = [];
  for (const after of [2, 50]) {
    await pauseAfter(page, actions[0].start_s + after);
    const ns = Number(await page.getByTestId('sim-clock').getAttribute('data-time-ns'));
    const r = cliWithActions('deploy-canary', actions, ns);
    const engine = enginePods(r, 'api');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid^="instance-api-"][data-status="in_service"]').length === n,
      engine.filter((p) => p.status === 'in_service').length, { timeout: 10_000 }).catch(() => {});
    assert.deepEqual(await podBoxes(page, 'api'), engine, `pods ${after} s after the deletion`);
    counts.push(engine.filter((p) => p.status === 'in_service').length);
    await page.getByTestId('run').click();
  }
  assert.deepEqual(counts, [9, 10], 'one pod fewer, then its replacement serving');
  assert.deepEqual(errors, []);
  await context.close();
});

test('an ECS service on Fargate: found by its names, its tasks drawn as the engine has them, each starting cold', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'ecs-fargate-spike');
  await page.getByTestId('palette-search').fill('fargate');
  const items = await page.$$eval('.pal-item', (els) => els.filter((e) => !e.classList.contains('hidden')).map((e) => e.dataset.testid));
  assert.deepEqual(items, ['palette-ecs']);
  await page.getByTestId('palette-search').fill('');
  assert.equal(await page.getByTestId('group-span-api').locator('text').textContent(), 'Fargate tasks of api');
  await startPaused(page);
  const serving = [];
  for (const ms of [100_000, 330_000]) {
    await seekTo(page, ms);
    const engine = enginePods(cli('ecs-fargate-spike', ms), 'api');
    assert.deepEqual(await boxesFor(page, 'api', engine), engine, `tasks at ${ms} ms`);
    serving.push(engine.filter((p) => p.status === 'in_service').length);
  }
  assert.ok(serving[0] >= 4 && serving[1] > serving[0], JSON.stringify(serving));
  // The log speaks ECS: service auto scaling, tasks waiting for their Fargate capacity.
  const lines = await page.locator('[data-testid="run-log-line"]').allTextContents();
  assert.ok(lines.some((l) => /api: service auto scaling set \d+ tasks/.test(l)), lines.slice(0, 10).join('\n'));
  assert.ok(lines.some((l) => /task api-\d+ is Pending: waiting for its Fargate capacity/.test(l)));
  assert.ok(!lines.some((l) => /node|autoscaler launches/.test(l)), 'no nodes on Fargate');
  // A task's drill-down: created, then its micro-VM's 10-25 s, then the cold start.
  const id = (await podBoxes(page, 'api')).filter((p) => p.status === 'in_service').pop().slot;
  await page.getByTestId(`instance-api-${id}`).click();
  await page.getByTestId('drill').waitFor();
  assert.match(await page.getByTestId('drill-start').textContent(), /created/);
  // No scheduler's choice on Fargate: the task's own micro-VM, sized to it.
  assert.match(await page.getByTestId('drill-node').textContent(), /Fargate micro-VM api-fargate-\d+.*500 m and 1024 MiB/);
  assert.equal(await page.getByTestId('drill-scheduler').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a blue-green deployment chosen in the menu switches, is rolled back by its alarm at once, and the run is the engine\'s own', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'deploy-blue-green');
  await page.getByTestId('run-speed').selectOption('60');
  await page.getByTestId('run').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="sim-clock"]').dataset.timeNs) > 20e9);
  await page.getByTestId('node-api').click({ button: 'right' });
  await page.getByTestId('inject-panel').waitFor();
  assert.equal(await page.getByTestId('inject-action').inputValue(), 'deploy');
  await page.getByTestId('inject-strategy').selectOption('blue-green');
  await page.getByTestId('inject-go').click();
  await page.getByTestId('run-injected').waitFor();
  const actions = JSON.parse(await page.getByTestId('run-injected').getAttribute('data-actions'));
  assert.equal(actions[0].params.strategy, 'blue-green');
  assert.equal(actions[0].params.stages_percent, undefined);
  const t0 = actions[0].start_s;
  await logged(page, /deployment of v2 \(from v1\) begins, blue-green/);
  await logged(page, /100% of the traffic on the new version/);
  await logged(page, /alarm api-v2-errors fires/);
  await logged(page, /rolled back, every pod runs v1 again/);
  await pauseAfter(page, t0 + 200);
  const shown = await clientFigures(page);
  const r = cliWithActions('deploy-blue-green', actions, shown.ns);
  const c = r.clients.find((x) => x.id === 'users');
  assert.equal(shown.requests, c.requests);
  assert.equal(shown.errors, c.errors.total);
  // Every failure is v2's own (20% of what it answered) or one already on its way at the
  // switch back: the switch itself dropped nothing.
  assert.ok(c.errors.server_error > 0 && c.errors.no_healthy_target === 0 && c.errors.unavailable <= 5, JSON.stringify(c.errors));
  // The engine's pods at that moment, as the boxes show them: ten of v1 serving, v2 gone.
  const engine = enginePods(r, 'api');
  assert.deepEqual(await podBoxes(page, 'api'), engine);
  assert.ok(engine.filter((p) => p.status === 'in_service').every((p) => p.version === 1));
  assert.deepEqual(errors, []);
  await context.close();
});

test('a CloudWatch alarm written in the document scales the group out: the log says so and the instances drawn are the engine\'s', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'traffic-spike-alarm');
  await startPaused(page);
  const seen = [];
  for (const ms of [170_000, 200_000]) {
    await seekTo(page, ms);
    const engine = enginePods(cli('traffic-spike-alarm', ms), 'web');
    assert.deepEqual(await boxesFor(page, 'web', engine), engine, `instances at ${ms} ms`);
    seen.push(engine.length);
  }
  assert.deepEqual(seen, [2, 6], 'two instances, then four more launched by the alarm');
  const lines = await page.locator('[data-testid="run-log-line"]').allTextContents();
  assert.ok(lines.some((l) => /alarm web-cpu-high fires \(cpu_percent 100\.0, threshold 80\): launches 4 instance\(s\) into web \(2 -> 6\)/.test(l)), lines.slice(0, 12).join('\n'));
  assert.deepEqual(errors, []);
  await context.close();
});

test('a pod on a noisy node: its drill-down names the node\'s host and the stretch the engine has, at two moments', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'eks-noisy-node');
  await startPaused(page);
  const seen = [];
  for (const ms of [30_000, 90_000]) {
    await seekTo(page, ms);
    const layers = cli('eks-noisy-node', ms).layers.instances;
    for (const slot of [0, 1]) {
      // The drill-down shown before (another pod's, or another moment's) must give way.
      const before = await page.evaluate(() => { const d = document.querySelector('[data-testid="drill"]'); return d ? `${d.dataset.instance}@${d.dataset.timeNs}` : ''; });
      await page.getByTestId(`instance-api-${slot}`).click();
      await page.waitForFunction(([ns, prev]) => {
        const d = document.querySelector('[data-testid="drill"]');
        return d?.dataset.timeNs === ns && `${d.dataset.instance}@${d.dataset.timeNs}` !== prev;
      }, [String(ms * 1e6), before]);
      const fact = (k) => page.getByTestId('drill').locator(`[data-fact="${k}"]`).textContent();
      const node = await fact('node');
      const vm = layers.find((i) => i.name === node);
      assert.ok(vm, `${node} is an instance of the layers`);
      assert.equal(await fact('host'), vm.host, `slot ${slot} at ${ms} ms: host`);
      const shown = Number(await fact('multiplier'));
      assert.ok(Math.abs(shown - vm.service_time_multiplier) < 1e-9, `slot ${slot} at ${ms} ms on ${node}: x ${shown}, engine x ${vm.service_time_multiplier}`);
      const line = await page.getByTestId('drill-node').textContent();
      assert.ok(line.includes(`steal ${vm.steal_percent.toFixed(1)}%`) && line.includes(`guest CPU ${vm.guest_cpu_percent.toFixed(1)}%`), line);
      seen.push({ ms, slot, node, shown });
    }
  }
  // Slot 0's pod is on the node sharing the busy host; slot 1's on a quiet one.
  const at = (ms, slot) => seen.find((s) => s.ms === ms && s.slot === slot);
  assert.equal(at(30_000, 0).node, 'api-node-1');
  assert.ok(at(30_000, 0).shown > 2 && at(90_000, 0).shown > 2, JSON.stringify(seen));
  assert.ok(at(30_000, 1).shown < 1.1, JSON.stringify(seen));
  assert.deepEqual(errors, []);
  await context.close();
});
