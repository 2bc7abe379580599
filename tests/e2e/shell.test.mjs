// The release bundle loads in Chromium, shows every area of the shell, and logs no errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openApp, artifactPath } from './harness.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

test('the shell renders every area with no console errors', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const { page, errors } = await openApp(context, server.url);
  for (const id of ['header', 'palette', 'canvas', 'inspector', 'timeline']) {
    assert.ok(await page.getByTestId(id).isVisible(), `${id} is visible`);
  }
  assert.match(await page.getByTestId('header').innerText(), /Strata/);
  assert.match(await page.getByTestId('canvas-empty').innerText(), /Drag a component here or open a template/);
  await page.screenshot({ path: artifactPath('shell-light.png') });
  assert.deepEqual(errors, [], 'no console errors');
  await context.close();
});

test('the theme follows the system setting, and the toggle pins it across reloads', async () => {
  const context = await browser.newContext({ colorScheme: 'dark', viewport: { width: 1280, height: 800 } });
  const { page, errors } = await openApp(context, server.url);
  const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const darkBg = await bg();
  assert.equal(darkBg, 'rgb(17, 20, 24)', 'dark system setting gives the dark theme');
  await page.screenshot({ path: artifactPath('shell-dark.png') });
  // system -> light
  await page.getByTestId('theme-toggle').click();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');
  assert.equal(await bg(), 'rgb(246, 247, 249)', 'light pinned over a dark system');
  await page.reload();
  await page.getByTestId('app').waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light', 'choice survives reload');
  assert.deepEqual(errors, []);
  await context.close();
});
