// Studies beside the run. A/B: the single-AZ design against the Multi-AZ one (another saved
// document), both losing AZ 1, run in the worker with progress; every figure on screen equals
// `strata-sim compare` on the same files, seed and length, and Multi-AZ's availability is higher.
// The report card: run from its button with progress read at two moments and cancelled, run
// again to the end; the card equals `strata-sim assess`, lists every disruption type, and a row
// replayed as the live run ends with the availability the card gives it.
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
const file = (stem) => join(ROOT, 'public', 'scenarios', `${stem}.json`);
const sim = (args) => execFileSync(SIM, args, { encoding: 'utf8', maxBuffer: 64 << 20 });

/** The study's progress now (NaN when none is shown). */
const progress = (page) => page.evaluate(() => Number(document.querySelector('[data-testid="study-progress"]')?.dataset.progress));

/** Waits until the study's progress is shown and above `than`; returns it. */
async function progressAbove(page, than) {
  await page.waitForFunction((x) => Number(document.querySelector('[data-testid="study-progress"]')?.dataset.progress) > x, than, { timeout: 60_000 });
  return progress(page);
}

/** The result's tables: each row's cells (without the replay button's cell) by section. */
const tables = (page) => page.evaluate(() => Object.fromEntries([...document.querySelectorAll('[data-testid="study-result"] section')].map((s) => [
  s.dataset.testid.replace('study-', ''),
  [...s.querySelectorAll('tbody tr')].map((tr) => ({
    cells: [...tr.querySelectorAll('td')].filter((td) => !td.querySelector('button')).map((td) => td.innerText),
    marked: tr.dataset.marked === 'true',
  })),
])));

/** The CLI's text line for a row: the one starting with (or holding) its first cell. */
function cliLine(lines, first, start) {
  const line = lines.find((l) => (start ? l.startsWith(`${first} `) : l.includes(` ${first} `)));
  assert.ok(line, `the CLI has a line for ${first}`);
  return line;
}

test('A/B: the single-AZ and Multi-AZ designs under an AZ outage, side by side, equal strata-sim compare', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const { page, errors } = await openApp(context, server.url);
  // Both designs become documents of this browser; the single-AZ one is open.
  await openTemplate(page, 'az-outage-multi-az');
  await openTemplate(page, 'az-outage-single-az');

  await page.getByTestId('run-compare').click();
  await page.getByTestId('study').waitFor();
  await page.getByTestId('study-exp-a').selectOption('lose-az1');
  await page.getByTestId('study-b').selectOption({ label: 'AZ outage: Multi-AZ rides through' });
  // B's experiments are B's own.
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="study-exp-b"] option')].map((o) => o.value).join() === ',lose-az1,lose-az2');
  await page.getByTestId('study-exp-b').selectOption('lose-az1');
  await page.getByTestId('study-run').click();
  const p1 = await progressAbove(page, 0);
  await page.getByTestId('study-result').waitFor({ timeout: 120_000 });
  console.log(`A/B progress seen at ${(p1 * 100).toFixed(0)}% on its way`);

  const shown = JSON.parse(await page.getByTestId('study-result').getAttribute('data-result'));
  const cli = JSON.parse(sim(['compare', file('az-outage-single-az'), file('az-outage-multi-az'),
    '--experiment', 'lose-az1', '--duration', '600s', '--seed', '1', '--json']));
  assert.deepEqual(shown, cli.comparison, 'the engine in the browser and strata-sim give the same comparison');
  const availability = cli.comparison.rows.find((r) => r.figure === 'availability');
  assert.equal(availability.verdict, 'b', 'Multi-AZ keeps more requests answered');
  assert.ok(availability.b > availability.a + 10, `availability A ${availability.a}% vs B ${availability.b}%`);

  // Every figure on screen, as strata-sim writes it, with the differences marked.
  const text = sim(['compare', file('az-outage-single-az'), file('az-outage-multi-az'),
    '--experiment', 'lose-az1', '--duration', '600s', '--seed', '1']).split('\n');
  const rows = (await tables(page)).figures;
  assert.equal(rows.length, cli.comparison.rows.length);
  for (const [i, r] of rows.entries()) {
    const [figure, a, b, delta, better] = r.cells;
    assert.equal(figure, cli.comparison.rows[i].figure);
    const line = cliLine(text, figure, true);
    for (const cell of [a, b, delta]) assert.ok(line.includes(` ${cell}`), `${figure}: "${cell}" in "${line}"`);
    assert.equal(line.trimEnd().endsWith(better), true, `${figure}: better ${better}`);
    assert.equal(r.marked, cli.comparison.rows[i].verdict !== 'same', `${figure} is marked when it differs`);
  }
  assert.match(await page.getByTestId('study-subtitle').innerText(), /Seed 1, 600 s simulated each · \d+ figures differ: A better on \d+, B better on \d+/);
  // Charts of both runs, each with an A and a B line.
  for (const kind of ['Availability', 'Throughput', 'Latency']) {
    const chart = page.getByTestId(`study-chart-${kind}`);
    assert.equal(await chart.locator('svg').count(), 1, kind);
    assert.deepEqual((await chart.locator('.chart-key').allInnerTexts()).filter((k) => /^[AB] /.test(k)).map((k) => k[0]), ['A', 'B'], kind);
  }
  await page.getByTestId('study').screenshot({ path: artifactPath('study-ab.png') });
  console.log(`A/B: availability A ${availability.a.toFixed(3)}% vs B ${availability.b.toFixed(3)}% (strata-sim the same)`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the report card runs with progress and cancel, equals strata-sim assess, and replays a row as the live run', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'az-outage-multi-az');
  await page.getByTestId('run-card').click();
  await page.getByTestId('study').waitFor();

  // Progress moves (read at two moments), and Cancel stops it: nothing more arrives.
  await page.getByTestId('study-run').click();
  const first = await progressAbove(page, 0);
  const second = await progressAbove(page, first);
  assert.ok(second > first && second < 1, `progress ${first} then ${second}`);
  assert.match(await page.getByTestId('study-progress').innerText(), /% · run \d of 8: /);
  await page.getByTestId('study-cancel').click();
  await page.getByTestId('study-progress').waitFor({ state: 'detached' });
  assert.equal(await page.getByTestId('study-result').count(), 0, 'a cancelled study shows nothing');
  assert.equal(await page.getByTestId('study-run').isEnabled(), true);

  // Run again to the end.
  await page.getByTestId('study-run').click();
  await page.getByTestId('study-result').waitFor({ timeout: 120_000 });
  const shown = JSON.parse(await page.getByTestId('study-result').getAttribute('data-result'));
  const cli = JSON.parse(sim(['assess', file('az-outage-multi-az'), '--seed', '1', '--json']));
  assert.deepEqual(shown, cli, 'the card in the browser equals strata-sim assess');
  const byType = await tables(page);
  assert.deepEqual(Object.keys(byType), ['software', 'hardware', 'az', 'region'], 'every disruption type, graded');
  const text = sim(['assess', file('az-outage-multi-az'), '--seed', '1']).split('\n');
  let rowsShown = 0;
  for (const rows of Object.values(byType)) {
    for (const r of rows) {
      const [scenario, target, availability, detect, rto, rpo, failed] = r.cells;
      const row = cli.rows.find((x) => x.scenario === scenario);
      assert.equal(target, row.target);
      const line = cliLine(text, scenario, false);
      for (const cell of [availability, detect, rto, rpo, failed]) assert.ok(line.includes(` ${cell}`), `${scenario}: "${cell}" in "${line}"`);
      assert.equal(r.marked, !row.meets_slo);
      rowsShown += 1;
    }
  }
  assert.equal(rowsShown, cli.rows.length);
  await page.getByTestId('study').screenshot({ path: artifactPath('study-card.png') });

  // Replay the AZ row live, to its end at maximum speed: the strip's availability is the card's.
  const az = cli.rows.findIndex((r) => r.scenario === 'lose an availability zone');
  await page.getByTestId(`study-replay-${az}`).click();
  await page.getByTestId('study').waitFor({ state: 'detached' });
  assert.match(await page.getByTestId('run-restarted').innerText(), /Replaying “lose an availability zone” from the report card \(seed 1\)/);
  assert.equal(await page.getByTestId('run-length').inputValue(), '900');
  await page.getByTestId('run-speed').selectOption('max');
  await page.getByTestId('run-finished').waitFor({ timeout: 120_000 });
  const success = await page.getByTestId('run-client-users').getByTestId('run-success').innerText();
  assert.equal(success, `${(cli.rows[az].availability * 100).toFixed(2)}%`, 'the replayed run ends where the card says');
  console.log(`report card: ${cli.rows.length} rows; progress ${(first * 100).toFixed(0)}% then ${(second * 100).toFixed(0)}% before cancel; `
    + `AZ row ${(cli.rows[az].availability * 100).toFixed(3)}%, replayed live: ${success}`);
  assert.deepEqual(errors, []);
  await context.close();
});
