// Every walkthrough in the gallery, played in the viewer step by step: each step shows its title
// and the experiment in force, goes to its time, and a step that waits there shows the engine's
// figures for that moment, as does one that plays once paused where it got to (`strata-sim run
// --json` on the same design, seed and experiment).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { readFileSync, readdirSync } from 'node:fs';
import { serve, launch, ROOT } from './harness.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const SIM = process.env.STRATA_SIM ?? join(ROOT, 'target', 'ci', 'strata-sim');
const DIR = join(ROOT, 'public', 'scenarios');

/** The first client population's requests by `ms`, seed 1, as the CLI reports them. The CLI
 * refuses a run too short for its experiment to begin: before its first action an experiment
 * changes nothing, so that moment is the run without it. */
function requests(file, ms, experiment) {
  const args = ['run', join(DIR, file), '--seed', '1', '--duration', `${ms}ms`, '--json'];
  const run = (a) => JSON.parse(execFileSync(SIM, a, { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] })).clients[0].requests;
  if (!experiment) return run(args);
  try {
    return run([...args, '--experiment', experiment]);
  } catch (e) {
    if (!/it would never happen/.test(String(e.stderr))) throw e;
    return run(args);
  }
}

/** What the run does at step `k` (as `Walkthrough::run_at`): the experiment in force and the
 * time, the last set at or before the step. */
function runAt(w, k) {
  const upto = w.steps.slice(0, k + 1).reverse();
  return {
    // `""` is no experiment, whatever came before.
    experiment: (upto.find((s) => s.experiment != null) ?? w).experiment || null,
    at: upto.find((s) => s.at_s !== undefined)?.at_s ?? 0,
  };
}

const walked = readdirSync(DIR).filter((f) => f.endsWith('.json') && f !== 'index.json')
  .map((file) => ({ file, w: JSON.parse(readFileSync(join(DIR, file), 'utf8')).walkthrough }))
  .filter(({ w }) => w);

test('every gallery walkthrough plays in the viewer, with the engine\'s figures at every step', async () => {
  assert.ok(walked.length >= 30, `${walked.length} walkthroughs`);
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  let compared = 0;
  for (const { file, w } of walked) {
    await page.goto(`${server.url}viewer/?src=../scenarios/${file}`);
    for (let k = 0; k < w.steps.length; k++) {
      const step = w.steps[k];
      const { experiment, at } = runAt(w, k);
      const ns = Math.round(at * 1000) * 1e6;
      // Each step starts a run of its own: wait for its frames, not the last step's.
      const run = await page.getByTestId('viewer').getAttribute('data-run');
      if (k > 0) await page.getByTestId('walk-next').click();
      await page.waitForFunction(([i, before]) => document.getElementById('sv-walk').dataset.step === String(i)
        && document.getElementById('sv').dataset.run !== before, [k, run], { timeout: 30_000 });
      const where = `${file} step ${k + 1} (${step.title})`;
      const t0 = Date.now();
      assert.equal(await page.getByTestId('walk-title').textContent(), step.title, where);
      assert.equal(await page.getByTestId('viewer-experiment').inputValue(), experiment ?? '', where);
      // The first step, and any that does not play, waits at its time: its figures are that
      // moment's. A step that plays goes on from there.
      const waits = k === 0 || !step.play;
      await page.waitForFunction(([t, still]) => {
        const sv = document.getElementById('sv');
        const now = Number(sv.dataset.timeNs);
        return still
          ? sv.dataset.state === 'paused' && now === t && Number(document.getElementById('sv-figures').dataset.timeNs) === t
          : now >= t && ['playing', 'paused', 'finished'].includes(sv.dataset.state);
      }, [ns, waits], { timeout: 60_000 }).catch(async (e) => {
        const sv = await page.evaluate(() => ({ ...document.getElementById('sv').dataset, figures: document.getElementById('sv-figures').dataset.timeNs }));
        throw new Error(`${where}: ${waits ? 'not paused' : 'not past'} at ${at} s: ${JSON.stringify(sv)} (${e.message})`);
      });
      // A step that plays is paused wherever it got to: that moment's figures too.
      let moment = ns;
      if (!waits) {
        if (await page.getByTestId('viewer').getAttribute('data-state') === 'playing') await page.getByTestId('viewer-play').click();
        moment = await page.waitForFunction(() => {
          const sv = document.getElementById('sv');
          return sv.dataset.state !== 'playing' && sv.dataset.timeNs === document.getElementById('sv-figures').dataset.timeNs && Number(sv.dataset.timeNs);
        }, null, { timeout: 30_000 }).then((h) => h.jsonValue());
      }
      if (moment > 0) {
        const shown = Number(await page.getByTestId('viewer-figures').getAttribute('data-requests'));
        assert.equal(shown, requests(file, moment / 1e6, experiment), `${where}: requests at ${moment / 1e9} s`);
        compared += 1;
      }
      if (process.env.STRATA_E2E_VERBOSE) console.log(where, `${Date.now() - t0} ms`);
    }
  }
  assert.ok(compared >= 100, `${compared} moments compared with the engine`);
  if (process.env.STRATA_E2E_VERBOSE) console.log(`${walked.length} walkthroughs, ${compared} moments compared with the engine`);
  assert.deepEqual(errors, []);
  await context.close();
});
