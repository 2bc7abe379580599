// Diagrams that read right: in the templates as the app draws them, no connection runs through
// a component it does not connect, and no two connections leave or enter a box on one line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { serve, launch, openApp } from './harness.mjs';
import { openTemplate, savedDoc, drag, centre } from './editor-helpers.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

/** Every drawn connection, sampled every 2 px along its line, against every component's box
 * (in screen pixels); and the points where connections touch boxes. */
function measure() {
  const boxes = [...document.querySelectorAll('[data-testid^="node-"]')].map((n) => {
    const r = n.querySelector('rect').getBoundingClientRect();
    return { id: n.dataset.testid.slice(5), r };
  });
  const through = [];
  const ends = [];
  for (const g of document.querySelectorAll('[data-edge]')) {
    const [, from, to] = g.getAttribute('aria-label').match(/^Connection from (.+) to (.+)$/);
    const path = g.querySelector('.edge-line');
    const ctm = path.getScreenCTM();
    const len = path.getTotalLength();
    const at = (l) => { const p = path.getPointAtLength(l); return { x: p.x * ctm.a + ctm.e, y: p.y * ctm.d + ctm.f }; };
    ends.push(at(0), at(len));
    for (let l = 0; l <= len; l += 2) {
      const p = at(l);
      for (const { id, r } of boxes) {
        if (id === from || id === to) continue;
        if (p.x > r.left + 2 && p.x < r.right - 2 && p.y > r.top + 2 && p.y < r.bottom - 2) {
          through.push(`${from} -> ${to} through ${id}`);
        }
      }
    }
  }
  const key = (p) => `${Math.round(p.x)},${Math.round(p.y)}`;
  const seen = new Map();
  for (const p of ends) seen.set(key(p), (seen.get(key(p)) ?? 0) + 1);
  return { edges: document.querySelectorAll('[data-edge]').length, through: [...new Set(through)], sharedEnds: [...seen.values()].filter((n) => n > 1).length };
}

test('the templates draw no connection through a component it does not connect, and give each connection its own point on a box', async () => {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const { page, errors } = await openApp(context, server.url);
  for (const t of ['multi-service', 'three-tier', 'dr-warm-standby', 'config-push-canary']) {
    await openTemplate(page, t);
    await page.getByTestId('zoom-fit').click();
    const m = await page.evaluate(measure);
    assert.ok(m.edges >= 5, `${t}: ${m.edges} connections drawn`);
    assert.deepEqual(m.through, [], `${t}: connections through components`);
    assert.equal(m.sharedEnds, 0, `${t}: connections sharing a point on a box`);
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test('titles fit their boxes: container headings and their CIDRs stay inside, long component names wrap instead of being cut', async () => {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const { page, errors } = await openApp(context, server.url);
  for (const t of ['three-tier', 'multi-service', 'peering-routes-before']) {
    await openTemplate(page, t);
    await page.getByTestId('zoom-fit').click();
    const spill = await page.evaluate(() => {
      const out = [];
      for (const g of document.querySelectorAll('[data-testid^="container-"]')) {
        const box = g.querySelector('.container-box').getBoundingClientRect();
        const text = g.querySelector('.container-title').getBoundingClientRect();
        if (text.right > box.right + 0.5) out.push(`${g.dataset.testid}: title ends ${(text.right - box.right).toFixed(1)} px outside`);
      }
      for (const g of document.querySelectorAll('[data-testid^="node-"]')) {
        const box = g.querySelector('.node-box').getBoundingClientRect();
        for (const text of g.querySelectorAll('text')) {
          const r = text.getBoundingClientRect();
          if (r.right > box.right + 0.5 || r.bottom > box.bottom + 0.5) out.push(`${g.dataset.testid}: "${text.textContent}" outside its box`);
        }
      }
      return out;
    });
    assert.deepEqual(spill, [], t);
  }
  // A label longer than a line reads whole, on two lines (it was cut to "Application L…").
  await openTemplate(page, 'three-tier');
  const label = JSON.parse(readFileSync(new URL('../../public/scenarios/three-tier.json', import.meta.url))).components.find((c) => c.id === 'alb').label;
  assert.ok(label.length > 13, label);
  const lines = await page.getByTestId('node-alb').locator('.node-label').allTextContents();
  assert.equal(lines.length, 2);
  assert.equal(lines.join(' '), label);
  assert.deepEqual(errors, []);
  await context.close();
});

/** Where connection `testid`'s line is: a point `t` of the way along it in page pixels, and
 * the smallest distance (world units) from world point `w` to the line. */
async function onLine(page, testid, { t = 0.5, w = null } = {}) {
  return page.getByTestId(testid).evaluate((g, { t, w }) => {
    const path = g.querySelector('.edge-line');
    const ctm = path.getScreenCTM();
    const len = path.getTotalLength();
    const p = path.getPointAtLength(len * t);
    let dist = null;
    if (w) {
      dist = Infinity;
      for (let l = 0; l <= len; l += 0.5) {
        const q = path.getPointAtLength(l);
        dist = Math.min(dist, Math.hypot(q.x - w.x, q.y - w.y));
      }
    }
    return { x: p.x * ctm.a + ctm.e, y: p.y * ctm.d + ctm.f, dist, d: path.getAttribute('d') };
  }, { t, w });
}

test('a person bends a connection: drag its line to add a bend, drag the bend, undo and redo, keep it across a reload, remove it', async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'three-tier');
  await page.getByTestId('zoom-fit').click();
  const edge = 'edge-dns-cdn';
  const key = 'dns->cdn';
  const bends = async () => (await savedDoc(page)).layout?.bends?.find((b) => b.from + '->' + b.to === key)?.points ?? [];
  const routed = (await onLine(page, edge)).d;

  // A click selects the connection; a click on the selected line adds nothing.
  const mid = await onLine(page, edge);
  await page.mouse.click(mid.x, mid.y);
  await page.getByTestId('inspector-connection').waitFor();
  await page.mouse.click(mid.x, mid.y);
  assert.equal(await page.locator('[data-testid^="waypoint-dns-cdn-"]').count(), 0);
  assert.equal((await onLine(page, edge)).d, routed);

  // Dragging the line down puts a bend where it was dropped; the line goes through it.
  await drag(page, mid, { x: mid.x, y: mid.y + 120 });
  await page.getByTestId('waypoint-dns-cdn-0').waitFor();
  await page.waitForFunction((k) => JSON.parse(localStorage.getItem('strata.doc.' + localStorage.getItem('strata.current'))).layout?.bends?.find((b) => b.from + '->' + b.to === k)?.points?.length === 1, key);
  const [first] = await bends();
  assert.equal((await onLine(page, edge, { w: first })).dist, 0, 'the line passes through the bend');
  const handle = await centre(page, 'waypoint-dns-cdn-0');
  assert.ok(Math.abs(handle.y - (mid.y + 120)) < 12, `bend drawn where dropped: ${handle.y} vs ${mid.y + 120}`);
  assert.notEqual((await onLine(page, edge)).d, routed);
  assert.match(await page.getByTestId('bends').textContent(), /1 bend you placed/);

  // Dragging the bend moves it (one undo step).
  await drag(page, handle, { x: handle.x + 40, y: handle.y + 60 });
  await page.waitForFunction(({ k, y }) => JSON.parse(localStorage.getItem('strata.doc.' + localStorage.getItem('strata.current'))).layout.bends.find((b) => b.from + '->' + b.to === k).points[0].y > y, { k: key, y: first.y });
  const [moved] = await bends();
  assert.ok(moved.x > first.x && moved.y > first.y, JSON.stringify({ first, moved }));
  assert.equal((await onLine(page, edge, { w: moved })).dist, 0);

  // Undo: back to where it was dropped, then no bend; redo brings both back in turn.
  await page.keyboard.press('Control+z');
  await page.waitForFunction(({ k, y }) => JSON.parse(localStorage.getItem('strata.doc.' + localStorage.getItem('strata.current'))).layout?.bends?.find((b) => b.from + '->' + b.to === k)?.points?.[0]?.y === y, { k: key, y: first.y });
  await page.keyboard.press('Control+z');
  await page.waitForFunction((k) => !JSON.parse(localStorage.getItem('strata.doc.' + localStorage.getItem('strata.current'))).layout?.bends?.find((b) => b.from + '->' + b.to === k)?.points, key);
  assert.equal((await onLine(page, edge)).d, routed, 'routed as before');
  await page.keyboard.press('Control+Shift+z');
  await page.keyboard.press('Control+Shift+z');
  await page.waitForFunction(({ k, y }) => JSON.parse(localStorage.getItem('strata.doc.' + localStorage.getItem('strata.current'))).layout?.bends?.find((b) => b.from + '->' + b.to === k)?.points?.[0]?.y === y, { k: key, y: moved.y });

  // A reload keeps it.
  await page.reload();
  await page.getByTestId('node-dns').waitFor();
  assert.deepEqual(await bends(), [moved]);
  assert.equal((await onLine(page, edge, { w: moved })).dist, 0, 'drawn through the bend after a reload');

  // A double-click on the bend removes it; "Route automatically" removes them all.
  const again = await onLine(page, edge, { t: 0.2 });
  await page.mouse.click(again.x, again.y);
  const bend = await centre(page, 'waypoint-dns-cdn-0');
  await page.mouse.dblclick(bend.x, bend.y);
  await page.waitForFunction((k) => !JSON.parse(localStorage.getItem('strata.doc.' + localStorage.getItem('strata.current'))).layout?.bends?.find((b) => b.from + '->' + b.to === k)?.points, key);
  assert.equal((await onLine(page, edge)).d, routed);
  const line = await onLine(page, edge);
  await drag(page, line, { x: line.x, y: line.y - 100 });
  await page.getByTestId('waypoint-dns-cdn-0').waitFor();
  await page.getByTestId('clear-bends').click();
  await page.waitForFunction((k) => !JSON.parse(localStorage.getItem('strata.doc.' + localStorage.getItem('strata.current'))).layout?.bends?.find((b) => b.from + '->' + b.to === k)?.points, key);
  assert.equal((await onLine(page, edge)).d, routed);
  assert.deepEqual(errors, []);
  await context.close();
});

test('templates read like AWS diagrams: groups over the subnets they launch into, tiers in rows across AZs, an AZ round whole VPCs', async () => {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const { page, errors } = await openApp(context, server.url);
  const rect = (testid, sel) => page.getByTestId(testid).evaluate((g, sel) => {
    const r = (sel ? g.querySelector(sel) : g).getBoundingClientRect();
    return { x: r.left, y: r.top, r: r.right, b: r.bottom };
  }, sel);
  const inside = (a, b) => a.x >= b.x - 0.5 && a.y >= b.y - 0.5 && a.r <= b.r + 0.5 && a.b <= b.b + 0.5;
  for (const t of ['three-tier', 'retry-storm-after']) {
    await openTemplate(page, t);
    await page.getByTestId('zoom-fit').click();
    // The group's box is drawn within the outline round its subnets, not beside them.
    const group = await rect('node-web', '.node-box');
    const span = await rect('group-span-web', 'rect');
    assert.ok(inside(group, span), `${t}: ${JSON.stringify({ group, span })}`);
    // The app tier's two subnets are side by side, tops level.
    const [a, b] = [await rect('container-app-a', '.container-box'), await rect('container-app-b', '.container-box')];
    assert.ok(Math.abs(a.y - b.y) < 0.5 && Math.abs(a.b - b.b) < 0.5, `${t}: ${JSON.stringify({ a, b })}`);
    assert.ok(b.x > a.r, `${t}: app b to the right of app a`);
  }
  await openTemplate(page, 'peering-routes-before');
  await page.getByTestId('zoom-fit').click();
  const az = await rect('container-ap-northeast-2a', '.container-box');
  for (const v of ['vpc-a', 'vpc-b']) assert.ok(inside(await rect(`container-${v}`, '.container-box'), az), `${v} inside the AZ`);
  assert.deepEqual(errors, []);
  await context.close();
});
