// Any screen: a tablet (768 px, touch) and a phone (390 px). The palette and the inspector with
// its problems open as drawers over the canvas, the header's controls fold into a menu, the
// canvas gets the room, and everything is done with taps as a person on that device would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { serve, launch, openApp, artifactPath } from './harness.mjs';
import { box, nodeIds, savedParam } from './editor-helpers.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const HEADER_CONTROLS = ['doc-select', 'open-templates', 'import', 'open-export', 'share', 'undo', 'redo', 'help', 'theme-toggle'];

/** A design with one error (requests entering a and b can never leave). */
const LOOP = {
  version: 1,
  name: 'Loop',
  components: [
    { id: 'users', kind: 'client', position: { x: 0, y: 0 } },
    { id: 'a', kind: 'ec2', position: { x: 300, y: 0 } },
    { id: 'b', kind: 'ec2', position: { x: 600, y: 0 } },
  ],
  connections: [{ from: 'users', to: 'a' }, { from: 'a', to: 'b' }, { from: 'b', to: 'a' }],
};

async function importDoc(page, doc) {
  const file = artifactPath('responsive-loop.json');
  writeFileSync(file, JSON.stringify(doc));
  await page.getByTestId('import-file').setInputFiles(file);
  await page.getByTestId('node-a').waitFor();
}

/** True when the element is shown and lies wholly inside the viewport's width. */
async function onScreen(page, testid, width) {
  const el = page.getByTestId(testid);
  if (!(await el.isVisible())) return false;
  const b = await el.boundingBox();
  return b !== null && b.x >= 0 && b.x + b.width <= width + 0.5 && b.width > 0;
}

/** Every header control, found as a person would: in the header, or in its menu once opened. */
async function headerControlsReachable(page, width) {
  const unreachable = [];
  for (const id of HEADER_CONTROLS) {
    if (await onScreen(page, id, width)) continue;
    if (await page.getByTestId('header-menu').isVisible()) {
      await page.getByTestId('header-menu').tap();
      const ok = await onScreen(page, id, width);
      await page.keyboard.press('Escape');
      await page.getByTestId('header-actions').waitFor({ state: 'hidden' });
      if (ok) continue;
    }
    unreachable.push(id);
  }
  return unreachable;
}

test('tablet (768 px, touch): the inspector and its problems open as a drawer, every header control is reachable, a parameter is edited with taps', async () => {
  const width = 768;
  const context = await browser.newContext({ viewport: { width, height: 1024 }, hasTouch: true });
  const { page, errors } = await openApp(context, server.url);
  assert.deepEqual(await headerControlsReachable(page, width), []);
  await importDoc(page, LOOP);

  // The canvas gets the width; palette and inspector are closed drawers.
  const canvas = await box(page, 'canvas-stage');
  assert.ok(canvas.width >= width - 2, `canvas ${canvas.width} px wide of ${width}`);
  assert.equal(await onScreen(page, 'inspector', width), false);

  // Why Run is disabled is written on the strip (once the worker has checked the design), and
  // it opens the problems.
  await page.getByTestId('show-problems').waitFor();
  assert.equal(await page.getByTestId('run').isDisabled(), true);
  const why = await page.getByTestId('show-problems').textContent();
  assert.match(why, /Fix 1 problem to run/);
  await page.getByTestId('show-problems').tap();
  assert.equal(await onScreen(page, 'inspector', width), true);
  assert.equal(await onScreen(page, 'problems', width), true);
  const listed = await page.getByTestId('problem').count();
  assert.ok(listed >= 1);
  assert.equal(await page.getByTestId('problem-count').textContent(), String(listed));
  assert.match(await page.getByTestId('problems').textContent(), /can never leave/);
  // The header's button says how many problems there are.
  assert.equal(await page.getByTestId('toggle-inspector').locator('.count').textContent(), String(listed));

  // Tap a component (the drawer stays open), edit a parameter in it, close it.
  await page.getByTestId('toggle-inspector').tap();
  assert.equal(await onScreen(page, 'inspector', width), false);
  const node = await box(page, 'node-b');
  await page.touchscreen.tap(node.x + node.width / 2, node.y + node.height / 2);
  await page.getByTestId('toggle-inspector').tap();
  await page.getByTestId('inspector-component').waitFor();
  await page.getByTestId('param-vcpus').fill('8');
  await page.getByTestId('param-vcpus').press('Enter');
  await savedParam(page, 'b', 'vcpus', 8);
  await page.getByTestId('drawer-close').tap();
  assert.equal(await onScreen(page, 'inspector', width), false);
  assert.deepEqual(errors, []);
  await context.close();
});

test('phone (390 px): the canvas gets the screen, the palette adds with a tap and closes, the menu holds the header, nothing covers the diagram', async () => {
  const width = 390;
  const context = await browser.newContext({ viewport: { width, height: 844 }, hasTouch: true, isMobile: true });
  const { page, errors } = await openApp(context, server.url);
  assert.deepEqual(await headerControlsReachable(page, width), []);

  // The canvas spans the screen; no panel, no minimap over it.
  const canvas = await box(page, 'canvas-stage');
  assert.ok(canvas.width >= width - 2, `canvas ${canvas.width} px wide of ${width}`);
  assert.equal(await onScreen(page, 'palette', width), false);
  const headerBox = await box(page, 'header');
  assert.ok(headerBox.height <= 56, `header ${headerBox.height} px tall`);

  // The palette opens as a drawer; a tap on an item adds it in view and closes the drawer.
  await page.getByTestId('toggle-palette').tap();
  assert.equal(await onScreen(page, 'palette', width), true);
  const before = await nodeIds(page);
  await page.getByTestId('palette-lambda').tap();
  await page.getByTestId('node-lambda-1').waitFor();
  assert.deepEqual(await nodeIds(page), [...before, 'lambda-1'].sort());
  assert.equal(await onScreen(page, 'palette', width), false);
  // The tap's click stays with the item: nothing under the finger once the drawer is gone
  // (the strip's buttons) is pressed by it.
  assert.equal(await page.locator('.overlay').count(), 0, 'no dialog opened by the tap');
  const added = await box(page, 'node-lambda-1');
  assert.ok(added.x >= canvas.x && added.x + added.width <= canvas.x + canvas.width, 'added where it can be seen');
  // With a diagram: no minimap over it, the zoom bar wholly on screen.
  assert.equal(await page.getByTestId('minimap').isVisible(), false);
  assert.equal(await onScreen(page, 'zoom-bar', width), true);

  // The menu's theme switch works from the phone.
  const theme = await page.evaluate(() => document.documentElement.dataset.theme ?? '');
  await page.getByTestId('header-menu').tap();
  await page.getByTestId('theme-toggle').tap();
  const after = await page.evaluate(() => document.documentElement.dataset.theme ?? '');
  assert.notEqual(after, theme);
  // Choosing in the menu closes it.
  assert.equal(await page.getByTestId('header-actions').isVisible(), false);

  // Escape closes an open drawer.
  await page.getByTestId('toggle-palette').tap();
  await page.keyboard.press('Escape');
  assert.equal(await onScreen(page, 'palette', width), false);
  await page.screenshot({ path: artifactPath('phone-390.png') });
  assert.deepEqual(errors, []);
  await context.close();
});

test('wide screen (1440 px): palette and inspector stay beside the canvas, the drawer buttons are not shown, a click on an item adds it', async () => {
  const width = 1440;
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const { page, errors } = await openApp(context, server.url);
  for (const id of [...HEADER_CONTROLS, 'palette', 'inspector', 'problems']) {
    assert.equal(await onScreen(page, id, width), true, `${id} on screen`);
  }
  for (const id of ['toggle-palette', 'toggle-inspector', 'header-menu']) {
    assert.equal(await page.getByTestId(id).isVisible(), false, `${id} hidden`);
  }
  await page.getByTestId('palette-lambda').click();
  await page.getByTestId('node-lambda-1').waitFor();
  assert.equal(await onScreen(page, 'minimap', width), true);
  const canvas = await box(page, 'canvas-stage');
  const palette = await box(page, 'palette');
  const inspector = await box(page, 'inspector');
  assert.ok(palette.x + palette.width <= canvas.x + 1 && canvas.x + canvas.width <= inspector.x + 1, 'side by side');
  assert.deepEqual(errors, []);
  await context.close();
});
