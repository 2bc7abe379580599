// Page helpers for the editor's end-to-end tests: they act like a person, with the mouse and
// keyboard, and find elements by data-testid.

/** Centre of an element, in page coordinates. */
export async function centre(page, testid) {
  const b = await page.getByTestId(testid).boundingBox();
  if (!b) throw new Error(`${testid} is not visible`);
  return { x: b.x + b.width / 2, y: b.y + b.height / 2, box: b };
}

export async function box(page, testid) {
  const b = await page.getByTestId(testid).boundingBox();
  if (!b) throw new Error(`${testid} is not visible`);
  return b;
}

/** Drags with the mouse from one point to another in small steps. */
export async function drag(page, from, to, steps = 8) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  for (let i = 1; i <= steps; i++) {
    await page.mouse.move(from.x + ((to.x - from.x) * i) / steps, from.y + ((to.y - from.y) * i) / steps);
  }
  await page.mouse.up();
}

/** Drags a palette item (e.g. 'palette-rds') and drops it at page point `to`. */
export async function dropFromPalette(page, item, to) {
  await page.getByTestId(item).scrollIntoViewIfNeeded();
  const from = await centre(page, item);
  await drag(page, from, to, 10);
}

/** Connects two components by dragging from the first one's handle onto the second. */
export async function connect(page, from, to) {
  const h = await centre(page, `handle-${from}`);
  const t = await centre(page, `node-${to}`);
  await drag(page, h, t, 10);
}

/** The open document, as saved in local storage (the autosave). */
export async function savedDoc(page) {
  return page.evaluate(() => {
    const id = localStorage.getItem('strata.current');
    return JSON.parse(localStorage.getItem('strata.doc.' + id));
  });
}

/** Waits until the saved document's component `id` has `field` equal to `value` (a parameter
 * edit is stored once the engine's worker has checked it). */
export async function savedParam(page, id, field, value) {
  await page.waitForFunction(({ id, field, value }) => {
    // Objects compare whatever the order of their keys.
    const canon = (v) => (v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])]))
      : v);
    const doc = JSON.parse(localStorage.getItem('strata.doc.' + localStorage.getItem('strata.current')));
    return JSON.stringify(canon(doc.components.find((c) => c.id === id)?.[field])) === JSON.stringify(canon(value));
  }, { id, field, value });
}

export async function nodeIds(page) {
  return page.$$eval('[data-testid^="node-"]', (els) => els.map((e) => e.dataset.testid.slice(5)).sort());
}

/** Opens a template from the gallery and waits for its components. */
export async function openTemplate(page, stem) {
  // On a narrow screen the header's commands are in its menu.
  if (!(await page.getByTestId('open-templates').isVisible())) await page.getByTestId('header-menu').click();
  await page.getByTestId('open-templates').click();
  await page.getByTestId(`template-${stem}`).click();
  // The gallery closes when the template has been fetched and opened (the nodes of the
  // document open before it would satisfy a wait for nodes alone).
  await page.getByTestId(`template-${stem}`).waitFor({ state: 'detached' });
  await page.locator('[data-testid^="node-"]').first().waitFor();
}

/** Clicks an export button and returns the downloaded file's name and bytes. */
export async function download(page, testid) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
  const stream = await dl.createReadStream();
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  return { name: dl.suggestedFilename(), bytes: Buffer.concat(chunks) };
}

/** Starts the run and pauses it at once: the scrubber drives time from there. */
export async function startPaused(page) {
  await page.getByTestId('run').click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="sim-clock"]').dataset.timeNs) > 0);
  await page.getByTestId('run').click(); // pause
  await page.waitForFunction(() => /Resume/.test(document.querySelector('[data-testid="run"]').innerText));
}

/** Moves the paused run to `ms` simulated milliseconds. */
export async function seekTo(page, ms) {
  await page.getByTestId('run-scrubber').fill(String(ms));
  await page.waitForFunction((ns) => document.querySelector('[data-testid="sim-clock"]').dataset.timeNs === ns, String(ms * 1e6));
}
