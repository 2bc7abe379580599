// Prints the gzipped size of the release bundle (wasm + JS + CSS in dist/) and fails when the
// total exceeds the budget recorded in tests/bundle-budget.json.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve, extname } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = resolve(import.meta.dirname, '..');
const dist = join(root, 'dist');
const budget = JSON.parse(readFileSync(join(root, 'tests', 'bundle-budget.json'), 'utf8'));
const counted = new Set(['.wasm', '.js', '.css']);

const rows = [];
for (const name of readdirSync(dist)) {
  const path = join(dist, name);
  if (!statSync(path).isFile() || !counted.has(extname(name))) continue;
  const raw = readFileSync(path);
  rows.push({ name, raw: raw.length, gz: gzipSync(raw, { level: 9 }).length });
}
if (rows.length === 0) {
  console.error('bundle-size: dist/ has no wasm, JS or CSS: build it first (trunk build --release)');
  process.exit(1);
}
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
rows.sort((a, b) => b.gz - a.gz);
for (const r of rows) console.log(`  ${r.name.padEnd(40)} ${kb(r.raw).padStart(10)} raw ${kb(r.gz).padStart(10)} gzip`);
const total = rows.reduce((s, r) => s + r.gz, 0);
const limit = budget.gzip_total_bytes;
console.log(`  total gzipped: ${kb(total)} (${total} bytes), budget ${kb(limit)} (${limit} bytes), ${(100 * total / limit).toFixed(0)}% used`);
if (total > limit) {
  console.error(`bundle-size: over budget by ${kb(total - limit)}`);
  process.exit(1);
}
