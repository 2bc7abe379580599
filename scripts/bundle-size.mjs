// Prints the gzipped size of the release build (wasm + JS + CSS in dist/, snippets included) for each bundle the
// browser loads: the page (the editor and the live view's drawing), the simulation worker (the
// engine, loaded when a run starts), the embeddable viewer (dist/viewer/: one module for its page and
// its engine's worker), embed.js and the GIF export's worker (loaded only for an export). Fails when one exceeds its budget in
// tests/bundle-budget.json; a bundle's `target_gzip_bytes`, when it has one, is reported beside.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve, extname } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = resolve(import.meta.dirname, '..');
const dist = join(root, 'dist');
const budget = JSON.parse(readFileSync(join(root, 'tests', 'bundle-budget.json'), 'utf8'));
const counted = new Set(['.wasm', '.js', '.css']);
// Which bundle a file belongs to.
const bundleOf = (name) => {
  if (name.startsWith('viewer/strata-gif-worker')) return 'gif';
  if (name.startsWith('viewer/')) return 'viewer';
  if (name === 'embed.js') return 'embed';
  return name.startsWith('strata-worker') ? 'worker' : 'page';
};

// Every file under dist/ that the browser loads, with its path from dist/ (wasm-bindgen puts the
// page's inline JavaScript snippets in snippets/).
const files = (dir) =>
  readdirSync(join(dist, dir)).flatMap((name) => {
    const rel = dir ? `${dir}/${name}` : name;
    if (statSync(join(dist, rel)).isDirectory()) return rel === 'scenarios' ? [] : files(rel);
    return counted.has(extname(name)) ? [rel] : [];
  });
const rows = [];
for (const name of files('')) {
  const raw = readFileSync(join(dist, name));
  rows.push({ name, bundle: bundleOf(name), raw: raw.length, gz: gzipSync(raw, { level: 9 }).length });
}
if (!['page', 'worker', 'viewer', 'embed', 'gif'].every((b) => rows.some((r) => r.bundle === b))) {
  console.error('bundle-size: dist/ lacks the page, the worker, the viewer or embed.js: build them first (scripts/build-viewer.sh, then trunk build --release)');
  process.exit(1);
}
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
let over = false;
for (const bundle of ['page', 'worker', 'viewer', 'embed', 'gif']) {
  const mine = rows.filter((r) => r.bundle === bundle).sort((a, b) => b.gz - a.gz);
  console.log(`${bundle}:`);
  for (const r of mine) console.log(`  ${r.name.padEnd(48)} ${kb(r.raw).padStart(10)} raw ${kb(r.gz).padStart(10)} gzip`);
  const total = mine.reduce((s, r) => s + r.gz, 0);
  const limit = budget[bundle].gzip_bytes;
  console.log(`  ${bundle} total gzipped: ${kb(total)} (${total} bytes), budget ${kb(limit)} (${limit} bytes), ${(100 * total / limit).toFixed(0)}% used`);
  const target = budget[bundle].target_gzip_bytes;
  if (target) {
    const verdict = total <= target ? 'met' : `not met: over by ${kb(total - target)}`;
    console.log(`  ${bundle} target ${kb(target)}: ${verdict}`);
  }
  if (total > limit) {
    console.error(`bundle-size: the ${bundle} is over budget by ${kb(total - limit)}`);
    over = true;
  }
}
const all = rows.reduce((s, r) => s + r.gz, 0);
console.log(`everything gzipped: ${kb(all)} (${all} bytes)`);
if (over) process.exit(1);
