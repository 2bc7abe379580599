// Writing a walkthrough in the app: steps recorded from what is on screen (the selection, the
// components in view, the run's moment), their words and layer edited, reordered, undone and
// kept across a reload, then previewed in the viewer, whose figures at each step's moment are
// the engine's (`strata-sim run --json` on the same design and seed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { serve, launch, openApp, ROOT } from './harness.mjs';
import { openTemplate, savedDoc, startPaused, seekTo } from './editor-helpers.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const SIM = process.env.STRATA_SIM ?? join(ROOT, 'target', 'ci', 'strata-sim');

/** The CLI's report of three-tier at `ms` simulated milliseconds, seed 1. */
const cli = (ms) => JSON.parse(execFileSync(SIM, ['run', join(ROOT, 'public', 'scenarios', 'three-tier.json'), '--seed', '1', '--duration', `${ms}ms`, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 }));

/** The steps' titles as the panel lists them. */
const listed = (page) => page.locator('.walk-step-title').allTextContents();

/** The saved document's steps. */
const savedSteps = async (page) => (await savedDoc(page)).walkthrough?.steps ?? [];

/** Types into a field of the panel and leaves it (its change is committed on leaving). */
async function type(page, testid, text) {
  const field = page.getByTestId(testid);
  await field.fill(text);
  await field.blur();
}

test('authors record the view as steps, edit, reorder, undo and preview them; a reload keeps them', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'three-tier');
  await page.getByTestId('open-walkthrough').click();
  // The template's own tour, step by step deleted: the panel then says how to begin.
  const gallery = JSON.parse(readFileSync(join(ROOT, 'public', 'scenarios', 'three-tier.json'), 'utf8')).walkthrough;
  assert.deepEqual(await listed(page), gallery.steps.map((s, k) => `${k + 1}. ${s.title}`));
  for (let n = gallery.steps.length; n > 0; n--) {
    await page.getByTestId('walk-delete-0').click();
    await page.waitForFunction((left) => document.querySelectorAll('.walk-step-title').length === left, n - 1);
  }
  await page.getByTestId('walk-empty').waitFor();

  // Step 1: the database selected, the whole diagram in view, no run yet.
  await page.getByTestId('node-db').click();
  await page.getByTestId('walk-record').click();
  await page.getByTestId('walk-edit').waitFor();
  assert.equal(await page.getByTestId('walk-step-summary').textContent(), 'at 0 s · no experiment · highlights 1 · whole diagram');
  await type(page, 'walk-step-title', 'The database');
  // Typed key by key: W and w in a field are text, not the panel's shortcut.
  await page.getByTestId('walk-step-narration').pressSequentially('RDS Multi-AZ: a primary and a standby. Writes wait.');
  await page.getByTestId('walk-step-narration').blur();
  assert.equal(await page.getByTestId('walk-panel').count(), 1, 'the panel stays open');
  await page.getByTestId('walk-step-layer').selectOption('storage');
  await type(page, 'walk-name', 'A tour of three-tier');
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('strata.doc.' + localStorage.getItem('strata.current'))).walkthrough?.steps?.[0]?.layer === 'storage');
  let steps = await savedSteps(page);
  assert.deepEqual(steps, [{ title: 'The database', narration: 'RDS Multi-AZ: a primary and a standby. Writes wait.', highlight: ['db'], layer: 'storage' }]);
  assert.equal((await savedDoc(page)).walkthrough.title, 'A tour of three-tier');

  // Step 2: the run paused at 45 s, the load balancer selected and the view zoomed in on it.
  await startPaused(page);
  await seekTo(page, 45_000);
  await page.getByTestId('node-alb').click();
  const alb = await page.getByTestId('node-alb').boundingBox();
  await page.mouse.move(alb.x + alb.width / 2, alb.y + alb.height / 2);
  for (let i = 0; i < 4; i++) await page.mouse.wheel(0, -240);
  await page.getByTestId('walk-record').click();
  await page.waitForFunction(() => document.querySelectorAll('.walk-step-title').length === 2);
  const summary = await page.getByTestId('walk-step-summary').textContent();
  assert.match(summary, /^at 45 s · no experiment · highlights 1 · camera on \d+$/);
  steps = await savedSteps(page);
  assert.equal(steps[1].at_s, 45);
  assert.deepEqual(steps[1].highlight, ['alb']);
  const inView = Number(summary.match(/camera on (\d+)/)[1]);
  assert.ok(steps[1].focus.includes('alb') && inView === steps[1].focus.length && inView < 8, `the camera frames what was in view: ${steps[1].focus}`);
  await type(page, 'walk-step-title', 'The load balancer');

  // Step 3: at 90 s, nothing selected.
  await page.keyboard.press('Escape');
  await page.keyboard.press('f');
  await seekTo(page, 90_000);
  await page.getByTestId('walk-record').click();
  await page.waitForFunction(() => document.querySelectorAll('.walk-step-title').length === 3);
  assert.deepEqual(await listed(page), ['1. The database', '2. The load balancer', '3. Step 3']);
  assert.equal((await savedSteps(page))[2].at_s, 90);
  // A title typed and left by clicking a button of the panel: both take effect.
  await page.getByTestId('walk-step-title').fill('Ninety seconds');
  await page.getByTestId('walk-up-2').click();
  await page.waitForFunction(() => document.querySelectorAll('.walk-step-title')[1].textContent === '2. Ninety seconds');
  assert.deepEqual(await listed(page), ['1. The database', '2. Ninety seconds', '3. The load balancer']);
  await page.getByTestId('walk-down-1').click();
  await page.waitForFunction(() => document.querySelectorAll('.walk-step-title')[2].textContent === '3. Ninety seconds');
  assert.equal(await page.getByTestId('walk-step-title').inputValue(), 'Ninety seconds', 'the moved step stays the one edited');

  // Reorder: the load balancer first; undo puts it back, redo moves it again.
  await page.getByTestId('walk-up-1').click();
  await page.waitForFunction(() => document.querySelector('.walk-step-title').textContent === '1. The load balancer');
  assert.deepEqual((await savedSteps(page)).map((s) => s.title), ['The load balancer', 'The database', 'Ninety seconds']);
  await page.getByTestId('undo').click();
  await page.waitForFunction(() => document.querySelector('.walk-step-title').textContent === '1. The database');
  await page.getByTestId('redo').click();
  await page.waitForFunction(() => document.querySelector('.walk-step-title').textContent === '1. The load balancer');
  // Deleting a step, then undoing it, brings it back whole.
  await page.getByTestId('walk-delete-2').click();
  await page.waitForFunction(() => document.querySelectorAll('.walk-step-title').length === 2);
  await page.getByTestId('undo').click();
  await page.waitForFunction(() => document.querySelectorAll('.walk-step-title').length === 3);

  // A condition, part by part: a client (5% errors to begin with), then what it reads and the
  // threshold; "never" removes it.
  await page.getByTestId('walk-step-2').click();
  await page.getByTestId('walk-until-client').selectOption('users');
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('strata.doc.' + localStorage.getItem('strata.current'))).walkthrough.steps[2].until?.component === 'users');
  assert.deepEqual((await savedSteps(page))[2].until, { component: 'users', metric: 'error_percent', above: 5 });
  await page.getByTestId('walk-until-metric').selectOption('requests');
  await type(page, 'walk-until-above', '30000');
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('strata.doc.' + localStorage.getItem('strata.current'))).walkthrough.steps[2].until?.above === 30000);
  assert.deepEqual((await savedSteps(page))[2].until, { component: 'users', metric: 'requests', above: 30000 });
  assert.match(await page.getByTestId('walk-step-summary').textContent(), / · until users requests above 30000$/);
  await page.getByTestId('walk-until-client').selectOption('');
  await page.waitForFunction(() => !('until' in JSON.parse(localStorage.getItem('strata.doc.' + localStorage.getItem('strata.current'))).walkthrough.steps[2]));
  assert.equal(await page.getByTestId('walk-until-metric').isDisabled(), true);

  // A reload keeps everything (the panel opens with W).
  const before = await savedSteps(page);
  await page.reload();
  await page.locator('[data-testid^="node-"]').first().waitFor();
  await page.keyboard.press('w');
  await page.getByTestId('walk-panel').waitFor();
  assert.deepEqual(await listed(page), ['1. The load balancer', '2. The database', '3. Ninety seconds']);
  assert.deepEqual(await savedSteps(page), before);
  assert.equal(await page.getByTestId('walk-name').inputValue(), 'A tour of three-tier');

  // Preview from the first step: the viewer opens at it, paused at 45 s with the engine's
  // figures; the database step, recorded with no run and moved after it, keeps its own 0 s
  // (moving a step never changes what another shows); the third goes to 90 s.
  await page.getByTestId('walk-step-0').click();
  await page.getByTestId('walk-preview').click();
  const frame = page.frameLocator('[data-testid="walk-preview-frame"]');
  const shown = () => frame.locator('#sv').evaluate((sv) => ({
    step: Number(document.getElementById('sv-walk').dataset.step),
    title: document.getElementById('sv-walk-title').textContent,
    layer: document.getElementById('sv-walk-layer').textContent,
    ns: Number(sv.dataset.timeNs),
    state: sv.dataset.state,
    figuresNs: Number(document.getElementById('sv-figures').dataset.timeNs),
    requests: Number(document.getElementById('sv-figures').dataset.requests),
    highlighted: [...document.querySelectorAll('[data-hl]')].map((e) => e.dataset.hl),
  }));
  const settled = (ns) => frame.locator('#sv').evaluate((sv, t) => new Promise((done, fail) => {
    const until = Date.now() + 30_000;
    const check = () => {
      if (sv.dataset.state === 'paused' && Number(sv.dataset.timeNs) === t && Number(document.getElementById('sv-figures').dataset.timeNs) === t) return done();
      if (Date.now() > until) return fail(new Error(`not settled at ${t}: ${sv.dataset.state} ${sv.dataset.timeNs}`));
      setTimeout(check, 50);
    };
    check();
  }), ns);
  await settled(45e9);
  let s = await shown();
  assert.deepEqual([s.step, s.title, s.highlighted], [0, 'The load balancer', ['alb']]);
  const at45 = cli(45_000).clients[0].requests;
  assert.equal(s.requests, at45, `requests at 45 s: viewer ${s.requests}, strata-sim ${at45}`);
  await frame.getByTestId('walk-next').click();
  await frame.locator('#sv-walk[data-step="1"]').waitFor({ state: 'attached' });
  await frame.locator('#sv[data-state="paused"][data-time-ns="0"]').waitFor({ state: 'attached', timeout: 30_000 });
  s = await shown();
  assert.deepEqual([s.title, s.layer, s.ns, s.highlighted], ['The database', 'Virtual storage', 0, ['db']]);
  await frame.getByTestId('walk-next').click();
  await settled(90e9);
  s = await shown();
  const at90 = cli(90_000).clients[0].requests;
  assert.deepEqual([s.step, s.requests], [2, at90], `requests at 90 s: strata-sim ${at90}`);
  assert.ok(at90 > at45);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a walkthrough the panel cannot edit is kept as it is, and says why', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'single-ec2');
  // A document whose walkthrough is a list, not steps (say, written by hand), imported.
  const doc = await savedDoc(page);
  doc.walkthrough = [1, 2];
  await page.getByTestId('import-file').setInputFiles({ name: 'odd.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(doc)) });
  await page.waitForFunction(() => JSON.stringify(JSON.parse(localStorage.getItem('strata.doc.' + localStorage.getItem('strata.current'))).walkthrough) === '[1,2]');
  await page.keyboard.press('w');
  assert.match(await page.getByTestId('walk-unreadable').textContent(), /cannot be edited here \(its walkthrough is not an object with a list of steps\); it is kept as it is/);
  assert.equal(await page.getByTestId('walk-record').count(), 0, 'nothing offered that would overwrite it');
  assert.deepEqual((await savedDoc(page)).walkthrough, [1, 2]);
  assert.deepEqual(errors.filter((e) => !/walkthrough/.test(e)), []);
  await context.close();
});
