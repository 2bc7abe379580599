// The embeddable viewer and public/embed.js: the demonstration page's embeds load (the one
// below the fold only when scrolled near), play independently, answer the host page's
// JavaScript API, leave the host page's elements and globals alone, and show the engine's
// figures, checked against `strata-sim run --json` on the same design, seed and time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { serve, launch, openApp, ROOT } from './harness.mjs';
import { openTemplate } from './editor-helpers.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const SIM = process.env.STRATA_SIM ?? join(ROOT, 'target', 'ci', 'strata-sim');

/** The CLI's report of a gallery scenario at `ms` simulated milliseconds. */
function cli(scenario, ms, experiment = null) {
  const args = ['run', join(ROOT, 'public', 'scenarios', `${scenario}.json`), '--seed', '1', '--duration', `${ms}ms`, '--json'];
  if (experiment) args.push('--experiment', experiment);
  return JSON.parse(execFileSync(SIM, args, { encoding: 'utf8', maxBuffer: 64 << 20 }));
}

/** Opens a page, collecting its errors (and those of its frames). */
async function open(path, { width = 1280, height = 800, init, downloads = false } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, acceptDownloads: downloads });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  if (init) await page.addInitScript(init);
  await page.goto(`${server.url}${path}`, { waitUntil: 'load' });
  return { context, page, errors };
}

/** An embed's state (`data-strata-state`) and its API's time and play state. */
const embed = (page, id) => page.evaluate((i) => {
  const el = document.getElementById(i);
  return { state: el.dataset.strataState, time: el.strataTime, play: el.strataState, frames: el.querySelectorAll('iframe').length };
}, id);

/** The viewer frame inside embed `id`. */
const viewer = (page, id) => page.frameLocator(`#${id} iframe`);

/** Waits until embed `id` reports `ms` simulated ms and is paused there (after a seek). */
const pausedAt = (page, id, ms) => page.waitForFunction(([i, ns]) => {
  const el = document.getElementById(i);
  return el.strataTime === ns && el.strataState === 'paused';
}, [id, ms * 1e6], { timeout: 30_000 });

test('the demonstration page: embeds load lazily, play independently, and the host page keeps its own', async () => {
  // Before any script of the page runs: the window's own names and the host's note.
  const { context, page, errors } = await open('demo.html', {
    init: () => { globalThis.__before = Object.getOwnPropertyNames(window); },
  });
  await page.waitForFunction(() => document.getElementById('three-tier').dataset.strataState === 'ready', null, { timeout: 30_000 });
  // The embed far below the fold is still its static preview: no viewer, an SVG of the design.
  let az = await embed(page, 'az-outage');
  assert.equal(az.state, 'preview');
  assert.equal(az.frames, 0, 'no viewer before it is scrolled near');
  const design = JSON.parse(readFileSync(join(ROOT, 'public', 'scenarios', 'az-outage-multi-az.json'), 'utf8'));
  const boxes = await page.locator('#az-outage svg rect').count();
  assert.ok(boxes >= design.components.length, `the preview draws the design's ${design.components.length} boxes (${boxes} rects)`);
  // Two embeds play independently: the first plays through the API, the second stays at 0 s.
  await page.evaluate(() => document.getElementById('three-tier').play());
  await page.waitForFunction(() => document.getElementById('three-tier').strataTime > 2e9, null, { timeout: 30_000 });
  await page.locator('#noisy').scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.getElementById('noisy').dataset.strataState === 'ready', null, { timeout: 30_000 });
  assert.equal((await embed(page, 'noisy')).time, 0, 'the second embed has not moved');
  // The host page's own buttons drive its embed: jump to 60 s (paused there), then play.
  await page.locator('#noisy-jump').click();
  await pausedAt(page, 'noisy', 60_000);
  assert.equal(await page.locator('#noisy-clock').textContent(), 'Simulated time: 60.0 s');
  await page.evaluate(() => document.getElementById('three-tier').pause());
  await page.waitForFunction(() => document.getElementById('three-tier').strataState === 'paused');
  const stopped = (await embed(page, 'three-tier')).time;
  await page.locator('#noisy-play').click();
  await page.waitForFunction(() => document.getElementById('noisy').strataTime > 61e9, null, { timeout: 30_000 });
  assert.equal((await embed(page, 'three-tier')).time, stopped, 'pausing one embed left it paused while the other plays');
  // Scrolled near, the last embed loads, with its experiment chosen.
  await page.locator('#az-outage').scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.getElementById('az-outage').dataset.strataState === 'ready', null, { timeout: 30_000 });
  az = await embed(page, 'az-outage');
  assert.equal(az.frames, 1);
  assert.equal(await viewer(page, 'az-outage').getByTestId('viewer-experiment').inputValue(), 'lose-az1');
  // The host page: no new globals, its own elements untouched, nothing of it inside a viewer.
  const after = await page.evaluate(() => {
    const before = new Set(globalThis.__before);
    // window[0], window[1]...: the browser's names for the page's frames, not globals.
    return Object.getOwnPropertyNames(window).filter((n) => !before.has(n) && n !== '__before' && !/^\d+$/.test(n));
  });
  assert.deepEqual(after, [], 'embed.js and the page define no globals');
  assert.equal(await page.locator('#host-note').evaluate((e) => e.outerHTML), '<p id="host-note" class="note">This paragraph belongs to the host page.</p>');
  assert.deepEqual(errors, []);
  await context.close();
});

test('an embed seeks through its API, and the viewer\'s figures are the engine\'s at each moment', async () => {
  const { context, page, errors } = await open('demo.html');
  await page.locator('#noisy').scrollIntoViewIfNeeded();
  const el = page.locator('#noisy');
  const seen = [];
  for (const ms of [30_000, 75_000]) {
    await el.evaluate((e, t) => e.seek(t), ms);
    await pausedAt(page, 'noisy', ms);
    const figures = viewer(page, 'noisy').getByTestId('viewer-figures');
    // The figures of that moment (they come with the frame after the seek).
    await viewer(page, 'noisy').locator(`#sv-figures[data-time-ns="${ms * 1e6}"]`).waitFor({ timeout: 30_000 });
    const shown = Number(await figures.getAttribute('data-requests'));
    const engine = cli('noisy-neighbour-before', ms).clients[0];
    assert.equal(shown, engine.requests, `requests at ${ms} ms: viewer ${shown}, strata-sim ${engine.requests}`);
    const text = await figures.textContent();
    // The share of the answered ones (those still on their way are not counted yet).
    const answered = engine.successes + engine.errors.total;
    assert.ok(text.includes(`${(engine.successes / answered * 100).toFixed(2)}% answered`), `${text} against ${engine.successes}/${answered}`);
    assert.equal(await viewer(page, 'noisy').getByTestId('viewer-clock').textContent(), `00:${String(Math.floor(ms / 60000)).padStart(2, '0')}:${String((ms % 60000) / 1000).padStart(2, '0')}.000`);
    seen.push(shown);
  }
  assert.ok(seen[1] > seen[0], JSON.stringify(seen));
  // Restart: the same run from 0 s, playing.
  await el.evaluate((e) => e.restart());
  await page.waitForFunction(() => { const e = document.getElementById('noisy'); return e.strataState === 'playing' && e.strataTime < 30e9; }, null, { timeout: 30_000 });
  // An embed that opens its walkthrough at a step (`step`, counted from 0): the second waits
  // at 60 s.
  await page.evaluate(() => {
    const d = document.createElement('strata-diagram');
    d.id = 'at-step';
    d.setAttribute('src', 'scenarios/noisy-neighbour-before.json');
    d.setAttribute('step', '1');
    document.body.prepend(d);
  });
  await page.locator('#at-step').scrollIntoViewIfNeeded();
  await pausedAt(page, 'at-step', 60_000);
  assert.equal(await page.evaluate(() => document.getElementById('at-step').strataStep), 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the viewer on its own: a design from ?src= plays with dots; a bad address or document says why', async () => {
  const { context, page, errors } = await open('viewer/?src=../scenarios/three-tier.json&autoplay=1&theme=dark', { width: 700, height: 600 });
  const root = page.getByTestId('viewer');
  await page.waitForFunction(() => Number(document.getElementById('sv').dataset.timeNs) > 1e9, null, { timeout: 30_000 });
  assert.equal(await root.getAttribute('data-theme'), 'dark');
  assert.equal(await page.locator('#sv-diagram svg').count(), 1);
  await page.waitForFunction(() => Number(document.getElementById('sv-dots').dataset.dots) > 0, null, { timeout: 30_000 });
  // Space pauses; the clock then stands still.
  await root.focus();
  await page.keyboard.press('Space');
  await page.waitForFunction(() => document.getElementById('sv').dataset.state === 'paused');
  const t = await root.getAttribute('data-time-ns');
  await page.waitForTimeout(300);
  assert.equal(await root.getAttribute('data-time-ns'), t);
  assert.deepEqual(errors, []);
  for (const [src, why] of [
    ['javascript:alert(1)', /refused: only http and https/],
    ['../scenarios/no-such-design.json', /could not be fetched|cannot be shown/],
    ['../index.html', /cannot be shown/],
  ]) {
    await page.goto(`${server.url}viewer/?src=${encodeURIComponent(src)}`);
    await page.getByTestId('viewer-problem').waitFor({ state: 'visible', timeout: 15_000 });
    assert.match(await page.getByTestId('viewer-problem').textContent(), why, src);
  }
  await context.close();
});

test('the app\'s Share / Embed dialog gives a frame that plays the design and an embed.js snippet', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'three-tier');
  await page.getByTestId('share').click();
  const frame = await page.getByTestId('embed-iframe').inputValue();
  const script = await page.getByTestId('embed-script').inputValue();
  const src = frame.match(/<iframe src="([^"]+)"/)[1];
  assert.match(src, /\/viewer\/index\.html#share=1\.[A-Za-z0-9_-]+$/);
  const js = script.match(/<script src="([^"]+)" defer><\/script>\n<strata-diagram src="design\.json"><\/strata-diagram>/);
  assert.ok(js, script);
  assert.equal((await page.request.get(js[1])).status(), 200, 'embed.js is served beside the app');
  // The frame's address alone holds the design: it plays, and its figures are the engine's.
  const viewerPage = await context.newPage();
  await viewerPage.goto(src);
  const root = viewerPage.getByTestId('viewer');
  const figures = viewerPage.getByTestId('viewer-figures');
  for (const after of [2e9, 5e9]) {
    await viewerPage.getByTestId('viewer-play').click();
    await viewerPage.waitForFunction((t) => Number(document.getElementById('sv').dataset.timeNs) > t, after, { timeout: 30_000 });
    await viewerPage.getByTestId('viewer-play').click();
    await viewerPage.waitForFunction(() => document.getElementById('sv').dataset.state === 'paused');
    const ns = Number(await root.getAttribute('data-time-ns'));
    await viewerPage.locator(`#sv-figures[data-time-ns="${ns}"]`).waitFor({ timeout: 15_000 });
    const engine = cli('three-tier', ns / 1e6).clients[0];
    assert.equal(Number(await figures.getAttribute('data-requests')), engine.requests, `requests at ${ns} ns`);
  }
  assert.deepEqual(errors, []);
  await context.close();
});

/** The viewer's walkthrough and run as shown: step, title, time, state and figures. */
const shown = (page) => page.evaluate(() => {
  const sv = document.getElementById('sv');
  const f = document.getElementById('sv-figures');
  return {
    step: Number(document.getElementById('sv-walk').dataset.step),
    count: document.getElementById('sv-walk-count').textContent,
    title: document.getElementById('sv-walk-title').textContent,
    ns: Number(sv.dataset.timeNs),
    state: sv.dataset.state,
    figuresNs: Number(f.dataset.timeNs),
    requests: Number(f.dataset.requests),
    highlighted: [...document.querySelectorAll('[data-hl]')].map((e) => e.dataset.hl),
    viewBox: document.querySelector('#sv-diagram svg').getAttribute('viewBox'),
  };
});

/** Waits until the viewer is paused at `ns` with that moment's figures. */
const settledAt = (page, ns) => page.waitForFunction((t) => {
  const sv = document.getElementById('sv');
  return sv.dataset.state === 'paused' && Number(sv.dataset.timeNs) === t && Number(document.getElementById('sv-figures').dataset.timeNs) === t;
}, ns, { timeout: 30_000 });

test('a walkthrough steps forward and back with the same figures each time, the engine\'s; presenter keys drive it', async () => {
  const { context, page, errors } = await open('viewer/?src=../scenarios/noisy-neighbour-before.json', { width: 1000, height: 800 });
  const design = JSON.parse(readFileSync(join(ROOT, 'public', 'scenarios', 'noisy-neighbour-before.json'), 'utf8'));
  const steps = design.walkthrough.steps;
  await page.getByTestId('walkthrough').waitFor();
  // The first step waits for the reader (it plays once asked).
  await page.waitForFunction(() => document.getElementById('sv-walk').dataset.step === '0');
  let s = await shown(page);
  assert.deepEqual([s.count, s.title, s.highlighted], [`1 / ${steps.length}`, steps[0].title, steps[0].highlight]);
  // Step 2: paused at 60 s, zoomed on the API, with the engine's figures for 60 s.
  await page.getByTestId('walk-next').click();
  await settledAt(page, 60e9);
  const first = await shown(page);
  assert.equal(first.title, steps[1].title);
  assert.deepEqual(first.highlighted, ['api']);
  assert.notEqual(first.viewBox, s.viewBox, 'the camera moved to the API');
  assert.equal(await page.getByTestId('walk-layer').textContent(), 'Hypervisor');
  assert.equal(first.requests, cli('noisy-neighbour-before', 60_000).clients[0].requests);
  // Step 3 plays the fix from 50 s until more than 1% of answers fail, then pauses there.
  await page.getByTestId('walk-next').click();
  await page.waitForFunction(() => document.getElementById('sv').dataset.until === 'reached', null, { timeout: 60_000 });
  await page.waitForFunction(() => document.getElementById('sv').dataset.state === 'paused');
  const reached = await shown(page);
  assert.ok(reached.ns > 60e9 && reached.ns < 120e9, `the stop begins at 60 s: reached at ${reached.ns / 1e9} s`);
  await page.locator(`#sv-figures[data-time-ns="${reached.ns}"]`).waitFor({ timeout: 15_000 });
  const engine = cli('noisy-neighbour-before', reached.ns / 1e6, 'stop-start-api').clients[0];
  const answered = engine.successes + engine.errors.total;
  assert.ok(engine.errors.total / answered > 0.01, `the engine agrees errors passed 1%: ${engine.errors.total}/${answered}`);
  assert.equal(Number(await page.getByTestId('viewer-figures').getAttribute('data-requests')), engine.requests);
  // Back to step 2 with the arrow key: the same moment, the same figures.
  await page.getByTestId('viewer').focus();
  await page.keyboard.press('ArrowLeft');
  await settledAt(page, 60e9);
  s = await shown(page);
  assert.deepEqual([s.step, s.requests, s.viewBox], [1, first.requests, first.viewBox]);
  // Presenter mode: large type; Page Down and space step on; R starts again at the first step.
  await page.keyboard.press('p');
  assert.match(await page.getByTestId('viewer').getAttribute('class'), /\bpresent\b/);
  const size = await page.getByTestId('walk-text').evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
  assert.ok(size >= 24, `narration at ${size}px`);
  await page.keyboard.press('PageDown');
  await page.waitForFunction(() => document.getElementById('sv-walk').dataset.step === '2');
  await page.keyboard.press('PageUp');
  await settledAt(page, 60e9);
  await page.keyboard.press('Space');
  await page.waitForFunction(() => document.getElementById('sv-walk').dataset.step === '2');
  await page.keyboard.press('l');
  assert.equal(await page.getByTestId('laser').isVisible(), true, 'the laser pointer shows');
  await page.mouse.move(300, 200);
  assert.deepEqual(await page.getByTestId('laser').evaluate((e) => [e.style.left, e.style.top]), ['300px', '200px']);
  await page.keyboard.press('r');
  await page.waitForFunction(() => document.getElementById('sv-walk').dataset.step === '0' && Number(document.getElementById('sv').dataset.timeNs) < 5e9);
  await page.keyboard.press('Escape');
  assert.doesNotMatch(await page.getByTestId('viewer').getAttribute('class'), /\bpresent\b/);
  assert.deepEqual(errors, []);
  await context.close();
});

/** The viewer playing three-tier on its own, downloads allowed, once past `ns`. */
async function playingThreeTier(ns) {
  const opened = await open('viewer/?src=../scenarios/three-tier.json&autoplay=1', { width: 1000, height: 800, downloads: true });
  await opened.page.waitForFunction((t) => Number(document.getElementById('sv').dataset.timeNs) > t, ns, { timeout: 30_000 });
  return opened;
}

/** The logical screen size and the images of a GIF file, read block by block. */
function readGif(b) {
  assert.equal(b.subarray(0, 6).toString('latin1'), 'GIF89a');
  const width = b.readUInt16LE(6), height = b.readUInt16LE(8);
  let i = 13 + (b[10] & 0x80 ? 3 << ((b[10] & 7) + 1) : 0);
  const skip = (j) => { while (b[j] !== 0) j += b[j] + 1; return j + 1; };
  let images = 0, delays = [];
  for (;;) {
    if (b[i] === 0x21) {
      if (b[i + 1] === 0xf9) delays.push(b.readUInt16LE(i + 4));
      i = skip(i + 2);
    } else if (b[i] === 0x2c) {
      images += 1;
      const packed = b[i + 9];
      i = skip(i + 10 + (packed & 0x80 ? 3 << ((packed & 7) + 1) : 0) + 1);
    } else if (b[i] === 0x3b) {
      return { width, height, images, delays };
    } else {
      throw new Error(`unexpected GIF block ${b[i]} at ${i}`);
    }
  }
}

/** Clicks `button` (a viewer's GIF button) and reads the GIF it saves: name, bytes, blocks. */
async function savedGif(page, button) {
  const download = page.waitForEvent('download', { timeout: 120_000 });
  await button.click();
  const file = await download;
  const bytes = readFileSync(await file.path());
  return { name: file.suggestedFilename(), bytes, gif: readGif(bytes) };
}

test('an embed on a page saves its GIF and may go full screen', async () => {
  const { context, page, errors } = await open('demo.html', { downloads: true });
  await page.waitForFunction(() => document.getElementById('three-tier').dataset.strataState === 'ready', null, { timeout: 30_000 });
  const frame = page.locator('#three-tier iframe');
  assert.match(await frame.getAttribute('sandbox'), /\ballow-downloads\b/);
  assert.equal(await frame.getAttribute('allow'), 'fullscreen');
  await page.evaluate(() => document.getElementById('three-tier').play());
  await page.waitForFunction(() => document.getElementById('three-tier').strataTime > 2e9, null, { timeout: 30_000 });
  const { name, gif } = await savedGif(page, viewer(page, 'three-tier').getByTestId('viewer-gif'));
  assert.equal(name, 'strata-run.gif');
  assert.deepEqual([gif.width, gif.height, gif.images], [800, 500, 100]);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a run exported as a GIF: 10 s at 800 x 500, 100 frames, with progress; Cancel stops it', async () => {
  const { context, page, errors } = await playingThreeTier(3e9);
  // Cancelled at once: nothing is kept, and the run can be exported again.
  await page.evaluate(() => { document.getElementById('sv-gif').click(); document.getElementById('sv-export-cancel').click(); });
  assert.equal(await page.getByTestId('viewer-export').getAttribute('data-state'), 'cancelled');
  const from = Number(await page.getByTestId('viewer').getAttribute('data-time-ns'));
  const { name, bytes, gif } = await savedGif(page, page.getByTestId('viewer-gif'));
  assert.equal(name, 'strata-run.gif');
  assert.deepEqual([gif.width, gif.height, gif.images], [800, 500, 100]);
  assert.ok(gif.delays.every((d) => d === 10), 'a frame every 100 ms');
  const status = page.getByTestId('viewer-export');
  assert.equal(await status.getAttribute('data-state'), 'done');
  assert.equal(Number(await status.getAttribute('data-bytes')), bytes.length);
  // The clip is 10 s of the run from where it was: the run stands at its last frame.
  assert.equal(Number(await page.getByTestId('viewer').getAttribute('data-time-ns')), from + 99 * 100e6);
  console.log(`GIF export, 10 s of three-tier at 800x500: ${gif.images} frames, ${(bytes.length / 1024).toFixed(0)} KB, made in ${(Number(await status.getAttribute('data-ms')) / 1000).toFixed(2)} s (capture and encoding)`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a run recorded as WebM through MediaRecorder: a WebM file of the 10 s clip', async () => {
  const { context, page, errors } = await playingThreeTier(2e9);
  // Chromium records canvases as WebM: the button is offered.
  assert.equal(await page.evaluate(() => MediaRecorder.isTypeSupported('video/webm')), true);
  await page.getByTestId('viewer-play').click();
  await page.waitForFunction(() => document.getElementById('sv').dataset.state === 'paused');
  const from = Number(await page.getByTestId('viewer').getAttribute('data-time-ns'));
  const download = page.waitForEvent('download', { timeout: 120_000 });
  await page.getByTestId('viewer-webm').click();
  const file = await download;
  assert.equal(file.suggestedFilename(), 'strata-run.webm');
  const bytes = readFileSync(await file.path());
  assert.deepEqual([...bytes.subarray(0, 4)], [0x1a, 0x45, 0xdf, 0xa3], 'an EBML (Matroska/WebM) file');
  assert.ok(bytes.includes(Buffer.from('webm')), 'its doctype is webm');
  const status = page.getByTestId('viewer-export');
  assert.deepEqual([await status.getAttribute('data-format'), await status.getAttribute('data-frames')], ['webm', '100']);
  assert.equal(Number(await status.getAttribute('data-bytes')), bytes.length);
  // Each frame held 100 ms of wall time: the recording takes the clip's 10 s.
  const ms = Number(await status.getAttribute('data-ms'));
  assert.ok(ms >= 9_900, `recorded in ${ms} ms`);
  assert.equal(Number(await page.getByTestId('viewer').getAttribute('data-time-ns')), from + 99 * 100e6);
  console.log(`WebM recording, 10 s of three-tier at 800x500: ${(bytes.length / 1024).toFixed(0)} KB in ${(ms / 1000).toFixed(1)} s`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a viewer whose engine cannot start says so', async () => {
  // The page's script loads; the engine's worker, importing the same script, is refused it.
  const context = await browser.newContext();
  let asked = 0;
  await context.route(/strata-viewer-[0-9a-f]+\.js$/, (route) => (++asked === 1 ? route.continue() : route.abort()));
  const page = await context.newPage();
  await page.goto(`${server.url}viewer/?src=../scenarios/three-tier.json`);
  await page.getByTestId('viewer-problem').waitFor({ state: 'visible', timeout: 15_000 });
  assert.match(await page.getByTestId('viewer-problem').textContent(), /^The engine could not start: .*strata-viewer-[0-9a-f]+\.js/);
  assert.equal(asked, 2, 'the page, then its engine');
  // Served with a Content-Security-Policy that refuses workers made from blob: addresses.
  await context.unroute(/strata-viewer-[0-9a-f]+\.js$/);
  await context.route(/\/viewer\/(index\.html)?(\?|$)/, async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': "worker-src 'self'" } });
  });
  await page.goto(`${server.url}viewer/?src=../scenarios/three-tier.json`);
  await page.getByTestId('viewer-problem').waitFor({ state: 'visible', timeout: 15_000 });
  assert.match(await page.getByTestId('viewer-problem').textContent(), /^The engine could not start: its script was refused \(does a Content-Security-Policy allow worker-src blob:\?\)$/);
  await context.close();
});
