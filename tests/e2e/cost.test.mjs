// The cost meter follows the run: before a run it is empty; paused before and after the Auto
// Scaling group of traffic-spike-slow-scaling scales out, it shows the engine's own bill at that
// simulated time (per hour now and so far, by category and by component), equal to
// `strata-sim run --json` for the same seed and time, and the rate per hour rises with the
// launched instances.
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
const SCENARIO = 'traffic-spike-slow-scaling';

/** The CLI's bill at `ms` simulated milliseconds, seed 1. */
function cliCost(ms) {
  const file = join(ROOT, 'public', 'scenarios', `${SCENARIO}.json`);
  const r = JSON.parse(execFileSync(SIM, ['run', file, '--seed', '1', '--duration', `${ms}ms`, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 }));
  return r.cost;
}

/** Dollars as the meter writes them: four decimals under $10, two from there. */
const usd = (x) => `$${x.toFixed(Math.abs(x) < 10 ? 4 : 2)}`;

/** What the meter shows now. */
const meter = (page) => page.evaluate(() => {
  const m = document.querySelector('[data-testid="cost-meter"]');
  const num = (el, k) => Number(el.dataset[k]);
  return {
    state: m.dataset.state,
    timeNs: Number(m.dataset.timeNs),
    clockNs: Number(document.querySelector('[data-testid="sim-clock"]').dataset.timeNs),
    perHourText: m.querySelector('[data-testid="cost-per-hour"]').innerText,
    accumulatedText: m.querySelector('[data-testid="cost-accumulated"]').innerText,
    perHour: num(m, 'perHour'),
    accumulated: num(m, 'accumulated'),
    categories: Object.fromEntries([...m.querySelectorAll('[data-category]')].map((c) => [c.dataset.category, {
      perHour: num(c, 'perHour'), accumulated: num(c, 'accumulated'), text: c.innerText.trim(),
    }])),
    components: Object.fromEntries([...m.querySelectorAll('[data-testid^="cost-component-"]')].map((r) => [
      r.querySelector('th').innerText,
      { perHour: num(r.querySelector('[data-per-hour]'), 'perHour'), accumulated: num(r.querySelector('[data-accumulated]'), 'accumulated'), title: r.title },
    ])),
  };
});

/** Asserts the meter shows the CLI's bill at the same simulated time; returns the CLI's bill. */
function assertMatchesCli(shown) {
  assert.equal(shown.timeNs, shown.clockNs, 'the bill is for the time on the clock');
  assert.equal(shown.timeNs % 1_000_000, 0, 'paused on a whole millisecond');
  const c = cliCost(shown.timeNs / 1e6);
  assert.equal(c.time_s * 1e9, shown.timeNs);
  // To the displayed precision, and the very numbers behind them.
  assert.equal(shown.perHourText, `${usd(c.per_hour_now)}/h`);
  assert.equal(shown.accumulatedText, usd(c.accumulated));
  assert.equal(shown.perHour, c.per_hour_now);
  assert.equal(shown.accumulated, c.accumulated);
  const charged = c.by_category.filter((k) => k.per_hour_now > 0 || k.accumulated > 0);
  assert.deepEqual(Object.keys(shown.categories), charged.map((k) => k.category), 'every charged category, in report order');
  for (const k of charged) {
    const s = shown.categories[k.category];
    assert.equal(s.perHour, k.per_hour_now, k.category);
    assert.equal(s.accumulated, k.accumulated, k.category);
    assert.ok(s.text.endsWith(`${usd(k.per_hour_now)}/h`), `${k.category}: ${s.text}`);
  }
  assert.deepEqual(Object.keys(shown.components), c.by_component.map((k) => k.id));
  for (const k of c.by_component) {
    const s = shown.components[k.id];
    assert.equal(s.perHour, k.per_hour_now, k.id);
    assert.equal(s.accumulated, k.accumulated, k.id);
    for (const l of k.lines) assert.ok(s.title.includes(`${l.item}: `), `${k.id}'s hover names ${l.item}: ${s.title}`);
  }
  return c;
}

test('the cost meter shows the engine\'s bill at each paused time and rises when the group scales out', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, SCENARIO);

  // Before a run: an empty meter that says what it will show.
  assert.equal(await page.getByTestId('cost-meter').getAttribute('data-state'), 'empty');
  assert.match(await page.getByTestId('cost-empty').innerText(), /per hour.*so far/);

  await page.getByTestId('run').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="cost-meter"]').dataset.state === 'live');
  await page.getByTestId('run').click();
  await page.waitForFunction(() => /Resume/.test(document.querySelector('[data-testid="run"]').innerText));
  await page.getByTestId('cost-breakdown').locator('summary').click();
  const seek = async (ms) => {
    await page.getByTestId('run-scrubber').fill(String(ms));
    await page.waitForFunction((ns) => document.querySelector('[data-testid="sim-clock"]').dataset.timeNs === ns
      && document.querySelector('[data-testid="cost-meter"]').dataset.timeNs === ns, String(ms * 1e6), { timeout: 60_000 });
  };

  // 200 s: the spike is on, the group still has its 2 instances (it first evaluates at 300 s).
  await seek(200_000);
  const before = await meter(page);
  const c1 = assertMatchesCli(before);
  // 400 s: the group asked for 2 more instances at 300 s; they are billed from the request.
  await seek(400_000);
  const after = await meter(page);
  const c2 = assertMatchesCli(after);
  assert.ok(after.perHour > before.perHour, `per hour ${before.perHourText} -> ${after.perHourText}`);
  assert.ok(after.categories.compute.perHour > before.categories.compute.perHour,
    `compute ${before.categories.compute.text} -> ${after.categories.compute.text}`);
  assert.ok(after.accumulated > before.accumulated);
  console.log(`cost at 200 s: ${before.perHourText} now, ${before.accumulatedText} so far (CLI ${c1.per_hour_now}, ${c1.accumulated}); `
    + `at 400 s: ${after.perHourText} now, ${after.accumulatedText} so far (CLI ${c2.per_hour_now}, ${c2.accumulated}); `
    + `${before.categories.compute.text} -> ${after.categories.compute.text}`);
  await page.getByTestId('cost-meter').screenshot({ path: artifactPath('cost-meter.png') });
  await page.screenshot({ path: artifactPath('cost-meter-page.png') });

  // Reset clears it back to the empty state.
  await page.getByTestId('run-reset').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="cost-meter"]').dataset.state === 'empty');
  assert.deepEqual(errors, []);
  await context.close();
});
