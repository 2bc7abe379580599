// Diagrams that read right: in the templates as the app draws them, no connection runs through
// a component it does not connect, and no two connections leave or enter a box on one line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { serve, launch, openApp } from './harness.mjs';
import { openTemplate } from './editor-helpers.mjs';

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
