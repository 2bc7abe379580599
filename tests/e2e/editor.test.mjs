// The topology editor, used like a person uses it: building the three-tier architecture from
// the palette, editing parameters, undo/redo, autosave across reloads, lint as the design is
// fixed, keyboard and clipboard. Any console error fails a test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { serve, launch, openApp, artifactPath } from './harness.mjs';
import { box, centre, connect, drag, dropFromPalette, nodeIds, openTemplate, savedDoc, savedParam } from './editor-helpers.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const VIEW = { viewport: { width: 1440, height: 900 } };

/** Region > VPC > public subnet + private subnet, by dragging from the palette. */
async function buildNetwork(page) {
  const c = await box(page, 'canvas-svg');
  await dropFromPalette(page, 'palette-region', { x: c.x + 240, y: c.y + 140 });
  let r = await box(page, 'container-region-1');
  await dropFromPalette(page, 'palette-vpc', { x: r.x + 80, y: r.y + 90 });
  let v = await box(page, 'container-vpc-1');
  await dropFromPalette(page, 'palette-public-subnet', { x: v.x + 90, y: v.y + 80 });
  // Dropped onto the public subnet, the private one goes into the VPC, below it.
  const pub = await centre(page, 'container-public-subnet-1');
  await dropFromPalette(page, 'palette-private-subnet', { x: pub.x, y: pub.y });
  const a = await box(page, 'container-public-subnet-1');
  const b = await box(page, 'container-private-subnet-1');
  if (b.y < a.y + a.height) throw new Error('the private subnet overlaps the public one');
}

test('build the three-tier architecture from the palette, with nesting, refusals and connections', async () => {
  const context = await browser.newContext(VIEW);
  const { page, errors } = await openApp(context, server.url);
  assert.ok(await page.getByTestId('canvas-empty').isVisible());
  await buildNetwork(page);
  for (const id of ['region-1', 'vpc-1', 'public-subnet-1', 'private-subnet-1']) {
    assert.ok(await page.getByTestId(`container-${id}`).isVisible(), `${id} drawn`);
  }
  // A database dropped on the bare canvas is refused, with the reason.
  const c = await box(page, 'canvas-svg');
  await dropFromPalette(page, 'palette-rds', { x: c.x + 80, y: c.y + c.height - 60 });
  assert.match(await page.getByTestId('notice-text').innerText(), /subnet/);
  assert.deepEqual(await nodeIds(page), [], 'nothing was added');

  const pub = await box(page, 'container-public-subnet-1');
  await dropFromPalette(page, 'palette-alb', { x: pub.x + 110, y: pub.y + 80 });
  let priv = await box(page, 'container-private-subnet-1');
  await dropFromPalette(page, 'palette-ec2', { x: priv.x + 100, y: priv.y + 75 });
  priv = await box(page, 'container-private-subnet-1');
  await dropFromPalette(page, 'palette-rds', { x: priv.x + 260, y: priv.y + 160 });
  const r = await box(page, 'container-region-1');
  await dropFromPalette(page, 'palette-client', { x: Math.max(c.x + 90, r.x - 110), y: r.y + 60 });
  assert.deepEqual(await nodeIds(page), ['alb-1', 'client-1', 'ec2-1', 'rds-1']);

  await connect(page, 'client-1', 'alb-1');
  await connect(page, 'alb-1', 'ec2-1');
  await connect(page, 'ec2-1', 'rds-1');
  for (const e of ['client-1-alb-1', 'alb-1-ec2-1', 'ec2-1-rds-1']) {
    assert.ok(await page.getByTestId(`edge-${e}`).count(), `edge ${e}`);
  }
  const doc = await savedDoc(page);
  const where = Object.fromEntries(doc.components.map((x) => [x.id, x.container ?? null]));
  assert.deepEqual(where, { 'alb-1': 'public-subnet-1', 'ec2-1': 'private-subnet-1', 'rds-1': 'private-subnet-1', 'client-1': null });
  assert.equal(doc.containers.find((x) => x.id === 'private-subnet-1').parent, 'vpc-1');
  assert.equal(doc.connections.length, 3);
  // Containers grew to hold their contents.
  const subnet = await box(page, 'container-private-subnet-1');
  const rds = await box(page, 'node-rds-1');
  assert.ok(rds.x + rds.width <= subnet.x + subnet.width && rds.y + rds.height <= subnet.y + subnet.height, 'the subnet holds the RDS');

  // Moving the VPC carries everything inside it.
  const before = await box(page, 'node-ec2-1');
  const v = await box(page, 'container-vpc-1');
  await drag(page, { x: v.x + 150, y: v.y + 12 }, { x: v.x + 150 + 64, y: v.y + 12 + 32 });
  const afterMove = await box(page, 'node-ec2-1');
  assert.ok(Math.abs(afterMove.x - before.x - 64) < 2 && Math.abs(afterMove.y - before.y - 32) < 2, 'EC2 moved with its VPC');
  // Resizing a container by its corner: it grows, and one undo puts it back.
  await page.getByTestId('zoom-fit').click();
  const sub0 = await box(page, 'container-private-subnet-1');
  await page.mouse.click(sub0.x + 30, sub0.y + 10);
  const grip = await centre(page, 'resize-private-subnet-1');
  await drag(page, grip, { x: grip.x + 96, y: grip.y + 48 });
  const sub1 = await box(page, 'container-private-subnet-1');
  assert.ok(sub1.width > sub0.width + 60 && sub1.height > sub0.height + 30, `the subnet grew (${sub0.width}x${sub0.height} -> ${sub1.width}x${sub1.height})`);
  await page.getByTestId('undo').click();
  assert.ok(Math.abs((await box(page, 'container-private-subnet-1')).width - sub0.width) < 2, 'one undo step');
  await page.screenshot({ path: artifactPath('editor-three-tier-built.png') });

  // Edit a parameter: refused when out of range (never stored), accepted when valid.
  await page.getByTestId('zoom-fit').click();
  await page.getByTestId('node-rds-1').click();
  await page.getByTestId('param-read_replicas').fill('99');
  await page.getByTestId('param-read_replicas').press('Enter');
  assert.match(await page.getByTestId('param-error-read_replicas').innerText(), /out of range.*0 to 15/);
  assert.equal((await savedDoc(page)).components.find((x) => x.id === 'rds-1').read_replicas, 0, 'refused value not stored');
  // Refused by the engine's own validation of the component (judged in its worker): a query
  // that takes negative time parses, but is never stored.
  await page.getByTestId('param-query_time').selectOption('constant');
  await savedParam(page, 'rds-1', 'query_time', { dist: 'constant', ms: 20 });
  await page.getByTestId('param-query_time-ms').fill('-4');
  await page.getByTestId('param-query_time-ms').press('Enter');
  assert.match(await page.getByTestId('param-error-query_time').innerText(), /query_time/);
  assert.deepEqual((await savedDoc(page)).components.find((x) => x.id === 'rds-1').query_time, { dist: 'constant', ms: 20 }, 'refused value not stored');
  await page.getByTestId('param-read_replicas').fill('2');
  await page.getByTestId('param-read_replicas').press('Enter');
  await savedParam(page, 'rds-1', 'read_replicas', 2);
  await page.getByTestId('param-instance_class').selectOption('db.r5.large');
  await savedParam(page, 'rds-1', 'instance_class', 'db.r5.large');

  // Undo / redo, with the buttons and the keyboard.
  await page.getByTestId('undo').click();
  assert.equal((await savedDoc(page)).components.find((x) => x.id === 'rds-1').instance_class, 'db.m5.large');
  await page.getByTestId('redo').click();
  assert.equal((await savedDoc(page)).components.find((x) => x.id === 'rds-1').instance_class, 'db.r5.large');
  await page.getByTestId('node-ec2-1').click();
  await page.keyboard.press('Delete');
  assert.deepEqual(await nodeIds(page), ['alb-1', 'client-1', 'rds-1']);
  assert.equal((await savedDoc(page)).connections.length, 1, 'its connections went with it');
  await page.keyboard.press('Control+z');
  assert.deepEqual(await nodeIds(page), ['alb-1', 'client-1', 'ec2-1', 'rds-1']);
  await page.keyboard.press('Control+Shift+z');
  assert.deepEqual(await nodeIds(page), ['alb-1', 'client-1', 'rds-1']);
  await page.keyboard.press('Control+y'); // nothing left to redo: no change, no error
  await page.keyboard.press('Control+z');

  // Reload: the autosave restores everything.
  await page.reload();
  await page.getByTestId('node-rds-1').waitFor();
  assert.deepEqual(await nodeIds(page), ['alb-1', 'client-1', 'ec2-1', 'rds-1']);
  assert.equal(await page.getByTestId('edge-ec2-1-rds-1').count(), 1);
  assert.equal((await savedDoc(page)).components.find((x) => x.id === 'rds-1').read_replicas, 2);
  assert.deepEqual(errors, [], 'no console errors');
  await context.close();
});

test('a lint warning appears and disappears as the design is fixed', async () => {
  const context = await browser.newContext(VIEW);
  const { page, errors } = await openApp(context, server.url);
  await buildNetwork(page);
  const pub = await box(page, 'container-public-subnet-1');
  await dropFromPalette(page, 'palette-rds', { x: pub.x + 110, y: pub.y + 80 });
  const lint = page.locator('[data-testid="problem"][data-code="database_in_public_subnet"]');
  await lint.waitFor();
  assert.match(await lint.innerText(), /rds-1.*private subnet/);
  assert.equal(await page.getByTestId('badge-rds-1').count(), 1, 'the RDS carries a badge');
  // Clicking the problem selects the element.
  await lint.click();
  assert.ok(await page.getByTestId('inspector-component').isVisible());
  // Fix 1: move the database into the private subnet.
  const rds = await centre(page, 'node-rds-1');
  const priv = await box(page, 'container-private-subnet-1');
  await drag(page, rds, { x: priv.x + 100, y: priv.y + 80 });
  // The findings come from the simulation worker, asked again after every edit.
  await lint.waitFor({ state: 'detached' });
  assert.equal((await savedDoc(page)).components[0].container, 'private-subnet-1');
  // A single-AZ database is a single point of failure: turning Multi-AZ off warns, on again fixes.
  await page.getByTestId('node-rds-1').click();
  await page.getByTestId('param-multi_az').uncheck();
  const spof = page.locator('[data-testid="problem"][data-code="single_az"]');
  await spof.waitFor();
  await page.screenshot({ path: artifactPath('editor-lint.png') });
  await page.getByTestId('param-multi_az').check();
  await spof.waitFor({ state: 'detached' });
  assert.deepEqual(errors, []);
  await context.close();
});

test('keyboard: help overlay, select all, nudge, duplicate, copy and paste between tabs', async () => {
  const context = await browser.newContext(VIEW);
  const { page, errors } = await openApp(context, server.url);
  await page.keyboard.press('?');
  await page.getByTestId('help-overlay').waitFor();
  assert.match(await page.getByTestId('help-overlay').innerText(), /Undo/);
  await page.keyboard.press('Escape');
  assert.equal(await page.getByTestId('help-overlay').count(), 0);

  await openTemplate(page, 'three-tier');
  const ids = await nodeIds(page);
  assert.ok(ids.length >= 5);
  // Keyboard placement from the palette.
  await page.getByTestId('palette-lambda').focus();
  await page.keyboard.press('Enter');
  assert.ok((await nodeIds(page)).includes('lambda-1'));
  const b0 = await box(page, 'node-lambda-1');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');
  const b1 = await box(page, 'node-lambda-1');
  assert.ok(b1.x > b0.x && b1.y > b0.y, 'nudged');
  await page.keyboard.press('Control+d');
  assert.ok((await nodeIds(page)).includes('lambda-2'), 'duplicated');
  // Connecting without a mouse: the inspector's "Connect to" list.
  await page.getByTestId('connect-to').selectOption('lambda-1');
  assert.equal(await page.getByTestId('edge-lambda-2-lambda-1').count(), 1, 'connected from the keyboard');
  await page.getByTestId('node-lambda-2').focus();

  // Copy in this tab, paste in another tab of the same browser.
  const text = await page.evaluate(() => {
    const dt = new DataTransfer();
    window.dispatchEvent(new ClipboardEvent('copy', { clipboardData: dt, bubbles: true, cancelable: true }));
    return dt.getData('text/plain');
  });
  assert.equal(JSON.parse(text).strata, 'strata-clipboard');
  const other = await context.newPage();
  const otherErrors = [];
  other.on('console', (m) => { if (m.type() === 'error') otherErrors.push(m.text()); });
  await other.goto(server.url);
  await other.getByTestId('app').waitFor();
  await other.getByTestId('doc-select').selectOption('__new');
  await other.evaluate((t) => {
    const dt = new DataTransfer();
    dt.setData('text/plain', t);
    window.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, text);
  assert.deepEqual(await nodeIds(other), ['lambda-1']);

  // Rubber band selects what it encloses; Ctrl+A selects all.
  await page.keyboard.press('Escape');
  await page.getByTestId('zoom-fit').click();
  const dns = await box(page, 'node-dns');
  const cdn = await box(page, 'node-cdn');
  await drag(page, { x: dns.x - 12, y: dns.y - 12 }, { x: cdn.x + cdn.width + 6, y: cdn.y + cdn.height + 6 });
  assert.match(await page.getByTestId('inspector-multi').innerText(), /2 items selected/);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+a');
  assert.match(await page.getByTestId('inspector-multi').innerText(), /items selected/);
  // Zoom and fit.
  const z0 = await page.getByTestId('zoom-level').innerText();
  const c = await centre(page, 'canvas-svg');
  await page.mouse.move(c.x, c.y);
  await page.mouse.wheel(0, -300);
  assert.notEqual(await page.getByTestId('zoom-level').innerText(), z0, 'wheel zooms');
  await page.getByTestId('zoom-fit').click();
  assert.deepEqual(errors, []);
  assert.deepEqual(otherErrors, []);
  await context.close();
});

test('touch: one finger on the background pans, two fingers pinch-zoom, a finger drags a component', async () => {
  const context = await browser.newContext({ ...VIEW, hasTouch: true });
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'three-tier');
  const cdp = await context.newCDPSession(page);
  const touch = (type, points) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: points.map(([x, y], id) => ({ x, y, id })) });
  const c = await box(page, 'canvas-svg');
  const zoom = async () => parseInt(await page.getByTestId('zoom-level').innerText(), 10);
  // Pan with one finger on an empty spot.
  const node0 = await box(page, 'node-users');
  const start = [c.x + 30, c.y + c.height - 40];
  await touch('touchStart', [start]);
  for (let i = 1; i <= 5; i++) await touch('touchMove', [[start[0] + 12 * i, start[1] - 8 * i]]);
  await touch('touchEnd', []);
  const node1 = await box(page, 'node-users');
  assert.ok(Math.abs(node1.x - node0.x - 60) < 2 && Math.abs(node1.y - node0.y + 40) < 2, 'panned by the finger');
  // Pinch out: zoom grows.
  const z0 = await zoom();
  const [mx, my] = [c.x + c.width / 2, c.y + c.height - 60];
  await touch('touchStart', [[mx - 20, my], [mx + 20, my]]);
  for (let i = 1; i <= 5; i++) await touch('touchMove', [[mx - 20 - 10 * i, my], [mx + 20 + 10 * i, my]]);
  await touch('touchEnd', []);
  assert.ok((await zoom()) > z0 * 1.5, `pinch zoomed in (${z0}% -> ${await zoom()}%)`);
  // Drag a component with a finger.
  await page.getByTestId('zoom-fit').click();
  const n = await centre(page, 'node-cdn');
  await touch('touchStart', [[n.x, n.y]]);
  for (let i = 1; i <= 5; i++) await touch('touchMove', [[n.x, n.y + 10 * i]]);
  await touch('touchEnd', []);
  const moved = await centre(page, 'node-cdn');
  assert.ok(moved.y > n.y + 20, 'the component moved');
  assert.deepEqual(errors, []);
  await context.close();
});

test('mouse: space+drag and middle-button drag pan; a clicked connection is deleted with Delete', async () => {
  const context = await browser.newContext(VIEW);
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'three-tier');
  const c = await box(page, 'canvas-svg');
  const start = { x: c.x + 40, y: c.y + c.height - 40 };
  const n0 = await box(page, 'node-users');
  await page.mouse.move(start.x, start.y);
  await page.keyboard.down(' ');
  await drag(page, start, { x: start.x + 50, y: start.y - 30 });
  await page.keyboard.up(' ');
  const n1 = await box(page, 'node-users');
  assert.ok(Math.abs(n1.x - n0.x - 50) < 2 && Math.abs(n1.y - n0.y + 30) < 2, 'space+drag panned');
  assert.equal(await page.getByTestId('rubber-band').count(), 0);
  await page.mouse.move(start.x, start.y);
  await page.mouse.down({ button: 'middle' });
  await page.mouse.move(start.x - 20, start.y - 10, { steps: 4 });
  await page.mouse.up({ button: 'middle' });
  const n2 = await box(page, 'node-users');
  assert.ok(Math.abs(n2.x - n1.x + 20) < 2, 'middle button panned');
  // Click a connection (on its line) and delete it.
  const before = (await savedDoc(page)).connections.length;
  const edge = page.getByTestId('edge-dns-cdn');
  const pt = await edge.evaluate((g) => {
    const p = g.querySelector('.edge-line');
    const m = p.getTotalLength() / 2;
    const q = p.getPointAtLength(m);
    const ctm = p.getScreenCTM();
    return { x: q.x * ctm.a + ctm.e, y: q.y * ctm.d + ctm.f };
  });
  await page.mouse.click(pt.x, pt.y);
  assert.ok(await page.getByTestId('inspector-connection').isVisible(), 'the connection is selected');
  await page.keyboard.press('Delete');
  assert.equal((await savedDoc(page)).connections.length, before - 1);
  assert.equal(await page.getByTestId('edge-dns-cdn').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('pan and zoom move the drawn diagram until the gesture settles, then draw it again where the view is; pointers hit what is shown', async () => {
  const context = await browser.newContext(VIEW);
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'three-tier');
  const stage = await box(page, 'canvas-stage');
  const nodeBox = (id) => page.locator(`[data-testid=node-${id}] .node-box`).boundingBox();
  const layer = () => page.getByTestId('canvas-world').evaluate((e) => e.style.transform);
  const drawnView = async () => {
    const t = await page.locator('[data-testid=canvas-svg] g.world').first().getAttribute('transform');
    const [x, y, zoom] = t.match(/-?[\d.]+/g).map(Number);
    return { x, y, zoom, t };
  };
  // Once settled, the world layer is not moved, and a component is where the world's own
  // transform (the view it was drawn for) puts it.
  const settled = async (ids) => {
    await page.waitForFunction(() => !document.querySelector('[data-testid=canvas-world]').style.transform);
    const v = await drawnView();
    for (const id of ids) {
      const [wx, wy] = (await page.getByTestId(`node-${id}`).getAttribute('transform')).match(/-?[\d.]+/g).map(Number);
      const b = await nodeBox(id);
      const want = { x: stage.x + v.x + wx * v.zoom, y: stage.y + v.y + wy * v.zoom };
      assert.ok(Math.abs(b.x - want.x) < 1 && Math.abs(b.y - want.y) < 1, `${id} at ${b.x},${b.y}, the view puts it at ${want.x},${want.y}`);
    }
    return v;
  };
  const v0 = await settled(['users', 'cdn', 'alb']);

  // Mid-gesture (one frame after a wheel step): the diagram is moved, not drawn again, and it
  // is where zooming about the cursor puts it; what is shown there is what a pointer hits, and
  // a connection dragged between the shown places connects those components.
  const mid = await page.evaluate(async () => {
    const q = (s) => document.querySelector(s);
    const stage = q('[data-testid=canvas-stage]');
    const s = stage.getBoundingClientRect();
    const rect = (id) => q(`[data-testid=node-${id}] .node-box`).getBoundingClientRect();
    const [a0, b0] = [rect('users'), rect('cdn')];
    // Zoom about the point halfway between the two, so both stay in view.
    const [ax, ay] = [(a0.left + a0.right + b0.left + b0.right) / 4, (a0.top + a0.bottom + b0.top + b0.bottom) / 4];
    const drawnBefore = q('[data-testid=canvas-svg] g.world').getAttribute('transform');
    stage.dispatchEvent(new WheelEvent('wheel', { clientX: ax, clientY: ay, deltaY: -200, bubbles: true, cancelable: true }));
    await new Promise((ok) => requestAnimationFrame(ok));
    const f = Math.exp(200 * 0.0015);
    const at = (r) => ({ x: ax + f * (r.left - ax), y: ay + f * (r.top - ay), w: f * r.width, h: f * r.height });
    const [wantA, wantB] = [at(a0), at(b0)];
    const a = rect('users');
    const [bx, by] = [wantB.x + wantB.w / 2, wantB.y + wantB.h / 2];
    const el = document.elementFromPoint(bx, by);
    const hit = el?.closest('[data-node]')?.dataset.id ?? `${el?.tagName}.${el?.getAttribute('class')} at ${bx},${by} in ${JSON.stringify(s)}`;
    const pe = (type, x, y, target) => target.dispatchEvent(new PointerEvent(type, {
      clientX: x, clientY: y, button: 0, buttons: type === 'pointerup' ? 0 : 1, pointerId: 1, pointerType: 'mouse', bubbles: true, cancelable: true,
    }));
    const handle = q('[data-testid=handle-users]');
    const h = handle.getBoundingClientRect();
    pe('pointerdown', h.left + h.width / 2, h.top + h.height / 2, handle);
    pe('pointermove', bx, by, stage);
    pe('pointerup', bx, by, stage);
    return {
      moved: q('[data-testid=canvas-world]').style.transform,
      drawnBefore,
      drawnNow: q('[data-testid=canvas-svg] g.world').getAttribute('transform'),
      a: { x: a.left, y: a.top, w: a.width }, wantA, hit,
    };
  });
  assert.match(mid.moved, /scale/, 'mid-gesture the world layer is moved by a CSS transform');
  assert.equal(mid.drawnNow, mid.drawnBefore, 'mid-gesture the world is not drawn again');
  assert.ok(Math.abs(mid.a.x - mid.wantA.x) < 1 && Math.abs(mid.a.y - mid.wantA.y) < 1 && Math.abs(mid.a.w - mid.wantA.w) < 1,
    `mid-gesture users is at ${JSON.stringify(mid.a)}, zoom to cursor puts it at ${JSON.stringify(mid.wantA)}`);
  assert.equal(mid.hit, 'cdn', 'the pointer hits the component shown under it');
  const v1 = await settled(['users', 'cdn', 'alb']);
  assert.ok(Math.abs(v1.zoom / v0.zoom - Math.exp(0.3)) < 0.01, `zoomed by the wheel (${v0.zoom} -> ${v1.zoom})`);
  assert.ok((await savedDoc(page)).connections.some((c) => c.from === 'users' && c.to === 'cdn'), 'connected mid-gesture');

  // Real wheel and mouse: zoom out, then at once click a component where it is shown.
  const c = { x: stage.x + stage.width / 2, y: stage.y + stage.height / 2 };
  await page.mouse.move(c.x, c.y);
  await page.mouse.wheel(0, 250);
  const alb = await nodeBox('alb');
  await page.mouse.click(alb.x + alb.width / 2, alb.y + alb.height / 2);
  assert.match(await page.getByTestId('node-alb').getAttribute('class'), /selected/, 'the clicked component is selected');
  const v2 = await settled(['users', 'cdn', 'alb', 'db']);
  assert.ok(v2.zoom < v1.zoom, 'the wheel zoomed out');

  // Middle-button pan: the diagram follows the pointer, and is drawn again when released.
  const u0 = await nodeBox('users');
  const start = { x: stage.x + 60, y: stage.y + stage.height - 60 };
  await page.mouse.move(start.x, start.y);
  await page.mouse.down({ button: 'middle' });
  await page.mouse.move(start.x + 70, start.y - 45, { steps: 5 });
  const u1 = await nodeBox('users');
  assert.ok(Math.abs(u1.x - u0.x - 70) < 1 && Math.abs(u1.y - u0.y + 45) < 1, 'mid-pan the diagram follows the pointer');
  await page.mouse.up({ button: 'middle' });
  const v3 = await settled(['users', 'cdn', 'alb', 'db']);
  assert.ok(Math.abs(v3.x - v2.x - 70) < 0.5 && Math.abs(v3.y - v2.y + 45) < 0.5, 'drawn again for where the pan ended');
  assert.equal(await layer(), '');

  // The view the pan ended on is the one a reload shows.
  await page.reload();
  await page.getByTestId('node-alb').waitFor();
  assert.equal((await drawnView()).t, v3.t, 'the view survives a reload');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the palette search knows the usual names and Enter adds the first match; Ctrl+wheel zooms a step at a time; a refusal does not cover the zoom bar', async () => {
  const context = await browser.newContext(VIEW);
  const { page, errors } = await openApp(context, server.url);
  const search = page.getByTestId('palette-search');
  const listed = () => page.$$eval('.pal-item', (els) => els.filter((e) => !e.classList.contains('hidden')).map((e) => e.dataset.testid));
  for (const [query, want] of [
    ['redis', ['palette-elasticache']], ['memcached', ['palette-elasticache']], ['postgres', ['palette-rds']],
    ['mysql', ['palette-rds']], ['cdn', ['palette-cloudfront']], ['dns', ['palette-route53']], ['lb', ['palette-alb']],
  ]) {
    await search.fill(query);
    assert.deepEqual(await listed(), want, `"${query}" lists ${want}`);
  }
  // Enter places the first match in the middle of the view; Escape clears the search.
  await search.fill('cdn');
  await search.press('Enter');
  await page.getByTestId('node-cloudfront-1').waitFor();
  assert.deepEqual(await nodeIds(page), ['cloudfront-1']);
  await search.press('Escape');
  assert.equal(await search.inputValue(), '');
  assert.ok((await listed()).length > 12, 'every item is listed again');

  // A mouse notch with Ctrl held zooms by one step (1.25x), in and out, about the pointer.
  const zoom = async () => parseFloat(await page.getByTestId('zoom-level').innerText());
  const c = await centre(page, 'canvas-svg');
  await page.mouse.move(c.x, c.y);
  const z0 = await zoom();
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, 100);
  await page.waitForFunction((z) => parseFloat(document.querySelector('[data-testid="zoom-level"]').innerText) !== z, z0);
  const z1 = await zoom();
  await page.mouse.wheel(0, -100);
  await page.waitForFunction((z) => parseFloat(document.querySelector('[data-testid="zoom-level"]').innerText) !== z, z1);
  const z2 = await zoom();
  await page.keyboard.up('Control');
  assert.ok(Math.abs(z1 - z0 / 1.25) <= 1, `one notch out: ${z0}% -> ${z1}%`);
  assert.ok(Math.abs(z2 - z0) <= 1, `one notch in: ${z1}% -> ${z2}%`);

  // A refusal's notice sits clear of the zoom bar and the minimap.
  await dropFromPalette(page, 'palette-public-subnet', { x: c.x - 200, y: c.y + 150 });
  const notice = page.getByTestId('notice');
  await notice.waitFor();
  const overlap = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  const n = await notice.boundingBox();
  assert.ok(!overlap(n, await page.locator('.zoombar').boundingBox()), 'the notice does not cover the zoom bar');
  assert.ok(!overlap(n, await page.getByTestId('minimap').boundingBox()), 'nor the minimap');
  assert.deepEqual(errors, []);
  await context.close();
});

test('paste stays valid: copies are renumbered and offset, a subnet gets a free block, and what cannot stand alone is refused in words', async () => {
  const context = await browser.newContext(VIEW);
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'three-tier');
  const copy = () => page.evaluate(() => {
    const dt = new DataTransfer();
    window.dispatchEvent(new ClipboardEvent('copy', { clipboardData: dt, bubbles: true, cancelable: true }));
    return dt.getData('text/plain');
  });
  const paste = (text) => page.evaluate((t) => {
    const dt = new DataTransfer();
    dt.setData('text/plain', t);
    window.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, text);
  // The database pasted twice: two copies with ids of their own, neither on top of the other.
  await page.getByTestId('node-db').click();
  const db = await copy();
  await paste(db);
  await paste(db);
  const ids = await nodeIds(page);
  assert.ok(ids.includes('db-1') && ids.includes('db-2'), `copies named after the original: ${ids}`);
  const [a, b, o] = [await box(page, 'node-db-1'), await box(page, 'node-db-2'), await box(page, 'node-db')];
  assert.ok(a.x !== b.x && a.y !== b.y && a.x !== o.x, 'the copies do not pile up');
  // A subnet duplicated inside its VPC gets a block of its own: Run stays possible.
  const sub = await box(page, 'container-app-a');
  await page.mouse.click(sub.x + 30, sub.y + 10);
  await page.keyboard.press('Control+d');
  await page.getByTestId('container-app-a-1').waitFor();
  const doc = await savedDoc(page);
  const cidrs = doc.containers.filter((c) => c.kind === 'subnet').map((c) => c.cidr);
  assert.equal(new Set(cidrs).size, cidrs.length, `every subnet has its own block: ${cidrs}`);
  assert.equal(doc.containers.find((c) => c.id === 'app-a-1').parent, 'vpc-main');
  assert.ok(await page.getByTestId('run').isEnabled(), 'no error blocks the run');
  // Into an empty document, a subnet alone is refused, saying why; nothing is added.
  const subnet = await copy();
  await page.getByTestId('doc-select').selectOption('__new');
  await page.getByTestId('canvas-empty').waitFor();
  await paste(subnet);
  await page.getByTestId('notice').waitFor();
  assert.match(await page.getByTestId('notice-text').innerText(), /A subnet must be inside a VPC\. .*copy its container with it/);
  assert.equal(await page.locator('[data-testid^="container-"]').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a container dropped with the pointer inside a VPC goes into that VPC, even near its corner', async () => {
  const context = await browser.newContext(VIEW);
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'three-tier');
  const vpc = await box(page, 'container-vpc-main');
  await dropFromPalette(page, 'palette-public-subnet', { x: vpc.x + 24, y: vpc.y + 8 });
  await page.getByTestId('container-public-subnet-1').waitFor();
  const doc = await savedDoc(page);
  assert.equal(doc.containers.find((c) => c.id === 'public-subnet-1').parent, 'vpc-main');
  assert.equal(await page.getByTestId('notice').count(), 0, 'not refused');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a rubber band can start inside a container; its title moves it, and a click on its body still selects it', async () => {
  const context = await browser.newContext(VIEW);
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'three-tier');
  // Inside the data subnet, around the cache and the database.
  const sessions = await box(page, 'node-sessions');
  const db = await box(page, 'node-db');
  const sub = await box(page, 'container-data-a');
  const x0 = Math.min(sessions.x, db.x) - 8, y0 = Math.min(sessions.y, db.y) - 8;
  assert.ok(x0 > sub.x && y0 > sub.y + 20, 'the band starts on the subnet\'s body, below its title');
  await drag(page, { x: x0, y: y0 }, { x: Math.max(sessions.x + sessions.width, db.x + db.width) + 6, y: Math.max(sessions.y + sessions.height, db.y + db.height) + 6 });
  assert.match(await page.getByTestId('inspector-multi').innerText(), /2 items selected/);
  assert.deepEqual((await box(page, 'container-data-a')).x, sub.x, 'the subnet did not move');
  // A click on the body selects the subnet; a drag by its title moves it with its contents.
  await page.keyboard.press('Escape');
  await page.mouse.click(x0, y0);
  await page.getByTestId('inspector').getByText('data-a').first().waitFor();
  await drag(page, { x: sub.x + 40, y: sub.y + 10 }, { x: sub.x + 40, y: sub.y + 10 + 64 });
  const moved = await box(page, 'container-data-a');
  assert.ok(moved.y > sub.y + 40, `moved by its title: ${sub.y} -> ${moved.y}`);
  assert.ok((await box(page, 'node-db')).y > db.y + 40, 'with its contents');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a VPC dropped into an availability zone lands in it; an availability zone is resized by its handle like every container', async () => {
  const context = await browser.newContext(VIEW);
  const { page, errors } = await openApp(context, server.url);
  const stage = await box(page, 'canvas-stage');
  await dropFromPalette(page, 'palette-region', { x: stage.x + 120, y: stage.y + 80 });
  await page.getByTestId('container-region-1').waitFor();
  const region = await box(page, 'container-region-1');
  await dropFromPalette(page, 'palette-availability-zone', { x: region.x + 60, y: region.y + 60 });
  await page.getByTestId('container-az-1').waitFor();
  const az = await box(page, 'container-az-1');
  await dropFromPalette(page, 'palette-vpc', { x: az.x + 40, y: az.y + 50 });
  await page.getByTestId('container-vpc-1').waitFor();
  let doc = await savedDoc(page);
  assert.equal(doc.containers.find((c) => c.id === 'vpc-1').parent, 'az-1', 'the VPC is where it was dropped');
  assert.equal(await page.getByTestId('notice').count(), 0, 'not refused');
  // Every container kind has a resize handle; the AZ's grows the AZ (and the region around it).
  for (const id of ['region-1', 'az-1', 'vpc-1']) assert.equal(await page.getByTestId(`resize-${id}`).count(), 1, id);
  const before = await box(page, 'container-az-1');
  const handle = await box(page, 'resize-az-1');
  await drag(page, { x: handle.x + handle.width / 2, y: handle.y + handle.height / 2 }, { x: handle.x + 160, y: handle.y + 120 });
  const after = await box(page, 'container-az-1');
  assert.ok(after.width > before.width + 100 && after.height > before.height + 60, `${before.width}x${before.height} -> ${after.width}x${after.height}`);
  doc = await savedDoc(page);
  assert.ok(doc.layout.containers['az-1'].w > 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('arrival patterns, service-time distributions and disk steps are edited with a choice of shape and number fields, not JSON', async () => {
  const context = await browser.newContext(VIEW);
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'single-ec2');
  const saved = async (id, field) => (await savedDoc(page)).components.find((c) => c.id === id)[field];

  // The client's arrival: constant -> spike, then its peak.
  await page.getByTestId('node-users').click();
  assert.equal(await page.getByTestId('form-arrival').getAttribute('data-shape'), 'constant');
  assert.equal(await page.getByTestId('param-arrival-rate_rps').inputValue(), '50');
  await page.getByTestId('param-arrival').selectOption('spike');
  await page.getByTestId('param-arrival-peak_rps').waitFor();
  await page.getByTestId('param-arrival-peak_rps').fill('900');
  await page.getByTestId('param-arrival-peak_rps').press('Enter');
  await savedParam(page, 'users', 'arrival', { pattern: 'spike', base_rps: 100, peak_rps: 900, at_s: 60, duration_s: 60 });
  await page.getByTestId('param-arrival-duration_s').fill('30');
  await page.getByTestId('param-arrival-duration_s').press('Enter');
  await savedParam(page, 'users', 'arrival', { pattern: 'spike', base_rps: 100, peak_rps: 900, at_s: 60, duration_s: 30 });
  // The worker answers in order: any second answer to the first edit has come by now.
  assert.equal(await page.locator('.field-error').count(), 0, 'a value committed with Enter is not refused afterwards');
  // A number that is not one is refused in words, and the saved pattern stays.
  await page.getByTestId('param-arrival-at_s').fill('soon');
  await page.getByTestId('param-arrival-at_s').press('Enter');
  assert.match(await page.getByTestId('param-error-arrival').innerText(), /at_s: `soon` is not a number/);
  assert.deepEqual(await saved('users', 'arrival'), { at_s: 60, base_rps: 100, duration_s: 30, pattern: 'spike', peak_rps: 900 });

  // The instance's service time: exponential -> log-normal with its variation, then its mean.
  await page.getByTestId('node-web').click();
  assert.equal(await page.getByTestId('form-service_time').getAttribute('data-shape'), 'exponential');
  await page.getByTestId('param-service_time').selectOption('log_normal');
  await page.getByTestId('param-service_time-cv').waitFor();
  await page.getByTestId('param-service_time-mean_ms').fill('35');
  await page.getByTestId('param-service_time-mean_ms').press('Enter');
  await savedParam(page, 'web', 'service_time', { dist: 'log_normal', mean_ms: 35, cv: 0.5 });

  // A plain number field committed with Enter: stored, and no error after it (Enter and the
  // field's change used to commit twice, the second refused as "the document changed").
  await page.getByTestId('param-vcpus').fill('4');
  await page.getByTestId('param-vcpus').press('Enter');
  await savedParam(page, 'web', 'vcpus', 4);

  // Its disk step: none -> an EBS volume at its starting IOPS, then back to none.
  assert.equal(await page.getByTestId('form-disk').getAttribute('data-shape'), '');
  await page.getByTestId('param-disk').selectOption('ebs');
  await savedParam(page, 'web', 'disk', { iops: 3000, ios_per_request: 1 });
  assert.equal(await page.locator('.field-error').count(), 0, 'the vCPU edit was not refused after it was stored');
  await page.getByTestId('param-disk-iops').fill('1200');
  await page.getByTestId('param-disk-iops').press('Enter');
  await savedParam(page, 'web', 'disk', { iops: 1200, ios_per_request: 1 });
  await page.getByTestId('param-disk').selectOption('');
  await page.waitForFunction(() => {
    const doc = JSON.parse(localStorage.getItem('strata.doc.' + localStorage.getItem('strata.current')));
    return doc.components.find((c) => c.id === 'web').disk == null;
  });
  // Undo brings the disk step back.
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+z');
  await savedParam(page, 'web', 'disk', { iops: 1200, ios_per_request: 1 });
  assert.deepEqual(errors, []);
  await context.close();
});

test('the template gallery shows a picture of each design, drawn from its file: one box per component', async () => {
  const context = await browser.newContext(VIEW);
  const { page, errors } = await openApp(context, server.url);
  await page.getByTestId('open-templates').click();
  const index = JSON.parse(readFileSync(new URL('../../public/scenarios/index.json', import.meta.url)));
  for (const { file } of index.scenarios) {
    const stem = file.replace(/\.json$/, '');
    const design = JSON.parse(readFileSync(new URL(`../../public/scenarios/${file}`, import.meta.url)));
    const thumb = page.getByTestId(`thumb-${stem}`);
    await thumb.locator('svg').waitFor();
    assert.equal(await thumb.locator('.thumb-node').count(), design.components.length, `${stem}: components`);
    assert.equal(await thumb.locator('.thumb-container').count(), (design.containers ?? []).length, `${stem}: containers`);
    assert.equal(await thumb.locator('.thumb-edge').count(), (design.connections ?? []).length, `${stem}: connections`);
    assert.equal(await thumb.locator('text').count(), 0);
  }
  await page.screenshot({ path: artifactPath('gallery.png') });
  assert.deepEqual(errors, []);
  await context.close();
});
