// Getting diagrams in and out, like a person does: templates, JSON export and re-import (and
// clear refusals of bad or newer files), share links opened in a fresh browser (and broken
// links), SVG/PNG/CloudFormation export, several documents, and a warning when storage fails.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { serve, launch, openApp, artifactPath } from './harness.mjs';
import { download, nodeIds, openTemplate, savedDoc } from './editor-helpers.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const VIEW = { viewport: { width: 1440, height: 900 } };

test('export JSON and import it again; bad and newer files are refused without touching the document', async () => {
  const context = await browser.newContext({ ...VIEW, acceptDownloads: true });
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'three-tier');
  const ids = await nodeIds(page);
  await page.getByTestId('open-export').click();
  const json = await download(page, 'export-json');
  assert.match(json.name, /\.json$/);
  const doc = JSON.parse(json.bytes.toString('utf8'));
  assert.equal(doc.version, 1);
  assert.ok(doc.layout && doc.layout.containers, 'the editor layout travels with the document');
  await page.keyboard.press('Escape');

  const before = await page.getByTestId('doc-select').inputValue();
  const bad = artifactPath('bad.json');
  writeFileSync(bad, '{"version": 1, "components": [ {"id": "x", "kind": ');
  await page.getByTestId('import-file').setInputFiles(bad);
  await page.getByTestId('notice-text').filter({ hasText: 'bad.json' }).waitFor();
  assert.match(await page.getByTestId('notice-text').innerText(), /Could not import bad\.json: line 1.*unchanged/);
  const newer = artifactPath('newer.json');
  writeFileSync(newer, JSON.stringify({ ...doc, version: 2 }));
  await page.getByTestId('import-file').setInputFiles(newer);
  await page.getByTestId('notice-text').filter({ hasText: 'newer.json' }).waitFor();
  assert.match(await page.getByTestId('notice-text').innerText(), /version 2 is not supported.*unchanged/);
  assert.equal(await page.getByTestId('doc-select').inputValue(), before, 'still the same document');
  assert.deepEqual(await nodeIds(page), ids);

  const good = artifactPath('exported.json');
  writeFileSync(good, json.bytes);
  await page.getByTestId('import-file').setInputFiles(good);
  await page.waitForFunction((b) => document.querySelector('[data-testid=doc-select]').value !== b, before);
  assert.deepEqual(await nodeIds(page), ids, 'the imported copy has every component');
  const options = await page.getByTestId('doc-select').locator('option:not([disabled])').count();
  assert.equal(options, 2 + 2, 'two documents (plus New and Delete entries)');
  // Switching back to the first document.
  await page.getByTestId('doc-select').selectOption(before);
  assert.deepEqual(await nodeIds(page), ids);
  assert.deepEqual(errors, []);
  await context.close();
});

test('share by URL: the link opens the diagram in a fresh browser as a new document; broken links explain themselves', async () => {
  const context = await browser.newContext(VIEW);
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'multi-service');
  const ids = await nodeIds(page);
  await page.getByTestId('share').click();
  const url = await page.getByTestId('share-url').inputValue();
  assert.match(url, /#share=1\.[A-Za-z0-9_-]+$/);
  await context.close();

  const fresh = await browser.newContext(VIEW);
  const { page: p2, errors: e2 } = await openApp(fresh, url);
  await p2.locator('[data-testid^="node-"]').first().waitFor();
  assert.deepEqual(await nodeIds(p2), ids);
  assert.match(await p2.getByTestId('doc-select').locator('option:checked').innerText(), /\(shared\)/);
  assert.ok(!(await p2.evaluate(() => location.hash)), 'the fragment is cleared so a reload does not import twice');
  // The user's own work is never overwritten: a second link adds another document.
  await p2.goto(url);
  await p2.locator('[data-testid^="node-"]').first().waitFor();
  assert.equal(await p2.getByTestId('doc-select').locator('option:not([disabled])').count(), 2 + 2, 'two shared copies (the empty start document made room)');

  for (const [link, why] of [
    [url.slice(0, url.length - 40), /incomplete or damaged/],
    [url.replace(/#share=1\..*/, '#share=1.@@@'), /malformed/],
    [url.replace(/#share=1\..*/, '#share=1.' + 'A'.repeat(600 * 1024)), /too long/],
  ]) {
    const ctx = await browser.newContext(VIEW);
    const { page: p3, errors: e3 } = await openApp(ctx, link);
    await p3.getByTestId('notice-text').waitFor();
    assert.match(await p3.getByTestId('notice-text').innerText(), why);
    assert.match(await p3.getByTestId('notice-text').innerText(), /documents are unchanged/);
    assert.deepEqual(await nodeIds(p3), []);
    assert.deepEqual(e3, []);
    await ctx.close();
  }
  assert.deepEqual(errors, []);
  assert.deepEqual(e2, []);
  await fresh.close();
});

test('export SVG and PNG (scale, transparent or solid) and a CloudFormation template', async () => {
  const context = await browser.newContext({ ...VIEW, acceptDownloads: true });
  const { page, errors } = await openApp(context, server.url);
  await openTemplate(page, 'three-tier');
  // A label that looks like markup stays text.
  await page.getByTestId('node-alb').click();
  await page.getByTestId('param-label').fill('<b>edge</b> & "LB"');
  await page.getByTestId('param-label').press('Enter');
  assert.equal(await page.getByTestId('node-alb').locator('b').count(), 0, 'no markup on the canvas');
  await page.keyboard.press('Escape');
  await page.getByTestId('open-export').click();
  const svg = await download(page, 'export-svg');
  const text = svg.bytes.toString('utf8');
  assert.match(text, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(text, /&lt;b&gt;edge/);
  assert.ok(!text.includes('<b>'));
  writeFileSync(artifactPath('export.svg'), svg.bytes);

  await page.getByTestId('export-scale').selectOption('1');
  const png1 = await download(page, 'export-png');
  assert.deepEqual([...png1.bytes.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG');
  await page.getByTestId('export-scale').selectOption('2');
  await page.getByTestId('export-transparent').check();
  const png2 = await download(page, 'export-png');
  writeFileSync(artifactPath('export.png'), png2.bytes);
  const width = (b) => b.readUInt32BE(16);
  assert.ok(Math.abs(width(png2.bytes) - 2 * width(png1.bytes)) <= 2, 'scale 2 doubles the width');
  const colourType = png2.bytes[25];
  assert.equal(colourType, 6, 'RGBA');

  const cfn = await download(page, 'export-cfn');
  const tpl = JSON.parse(cfn.bytes.toString('utf8'));
  assert.equal(tpl.AWSTemplateFormatVersion, '2010-09-09');
  const types = Object.values(tpl.Resources).map((r) => r.Type);
  for (const t of ['AWS::EC2::VPC', 'AWS::EC2::Subnet', 'AWS::RDS::DBInstance', 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'AWS::S3::Bucket', 'AWS::EC2::SecurityGroup']) {
    assert.ok(types.includes(t), `${t} exported`);
  }
  // The load balancer spans two AZs' public subnets, behind its own security group.
  const lb = Object.values(tpl.Resources).find((r) => r.Type === 'AWS::ElasticLoadBalancingV2::LoadBalancer');
  assert.ok(lb.Properties.Subnets.length >= 2, 'two subnets for the load balancer');
  assert.ok(lb.Properties.SecurityGroups.length >= 1, 'a security group on the load balancer');

  // A design AWS would not deploy as drawn (its load balancer in one AZ) is refused with the
  // reason; no file is saved.
  await page.keyboard.press('Escape');
  await openTemplate(page, 'az-outage-single-az');
  await page.getByTestId('open-export').click();
  const downloads = [];
  page.on('download', (d) => downloads.push(d.suggestedFilename()));
  await page.getByTestId('export-cfn').click();
  const notice = page.getByTestId('notice-text').filter({ hasText: 'CloudFormation template not saved' });
  await notice.waitFor();
  assert.match(await notice.innerText(), /at least two Availability Zones/);
  assert.deepEqual(downloads, [], 'nothing saved');
  assert.deepEqual(errors, []);
  await context.close();
});

test('when storage fails, a warning offers a download and nothing is lost silently', async () => {
  const context = await browser.newContext({ ...VIEW, acceptDownloads: true });
  await context.addInitScript(() => {
    Storage.prototype.setItem = function () { throw new DOMException('full', 'QuotaExceededError'); };
  });
  const { page, errors } = await openApp(context, server.url);
  await page.getByTestId('storage-warning').waitFor();
  assert.match(await page.getByTestId('storage-warning').innerText(), /cannot be saved|not saved/);
  await page.getByTestId('palette-lambda').focus();
  await page.keyboard.press('Enter');
  const copy = await download(page, 'storage-download');
  assert.ok(JSON.parse(copy.bytes.toString('utf8')).components.some((c) => c.id === 'lambda-1'), 'the download holds the work');
  assert.deepEqual(errors, []);
  await context.close();
});
