// Trunk post-build hook (release builds only): minifies wasm-bindgen's JavaScript glue with
// terser, since Trunk's own minifier cannot parse it (`import * as`, `export { x as default }`)
// and ships it as written, and updates the integrity hashes index.html gives those files.
//
// Runs in Trunk's staging directory (TRUNK_STAGING_DIR) before it becomes dist/. The page's glue
// and its snippets are ES modules; the worker's glue is a classic script whose top-level names
// (`wasm_bindgen`) its loader calls, so top-level names are kept.
import { readFileSync, writeFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import { minify } from 'terser';

if (process.env.TRUNK_PROFILE !== 'release') process.exit(0);
const dir = process.env.TRUNK_STAGING_DIR;
if (!dir || !existsSync(join(dir, 'index.html'))) {
  console.error('minify-glue: no staged index.html (TRUNK_STAGING_DIR unset?)');
  process.exit(1);
}

const integrity = (bytes) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
const scripts = (d) => readdirSync(d).flatMap((name) => {
  const path = join(d, name);
  if (statSync(path).isDirectory()) return scripts(path);
  return name.endsWith('.js') ? [path] : [];
});

const htmlPath = join(dir, 'index.html');
let html = readFileSync(htmlPath, 'utf8');
let before = 0, after = 0;
for (const path of scripts(dir)) {
  const source = readFileSync(path, 'utf8');
  const module = /^\s*(import|export)\b/m.test(source);
  const out = await minify(source, { module, compress: true, mangle: true, format: { comments: false } });
  if (!out.code || out.code.length >= source.length) continue;
  writeFileSync(path, out.code);
  html = html.replaceAll(integrity(source), integrity(out.code));
  before += source.length;
  after += out.code.length;
  console.log(`minify-glue: ${relative(dir, path)} ${source.length} -> ${out.code.length} bytes`);
}
writeFileSync(htmlPath, html);
console.log(`minify-glue: ${(before / 1024).toFixed(1)} KB of glue -> ${(after / 1024).toFixed(1)} KB`);
