// Trunk post-build hook (release builds only), run in Trunk's staging directory
// (TRUNK_STAGING_DIR) before it becomes dist/:
// - minifies wasm-bindgen's JavaScript glue with terser, since Trunk's own minifier cannot parse
//   it (`import * as`, `export { x as default }`) and ships it as written, and updates the
//   integrity hashes index.html gives those files. The page's glue and its snippets are ES
//   modules; the worker's glue is a classic script whose top-level names (`wasm_bindgen`) its
//   loader calls, so top-level names are kept;
// - writes the app's WebAssembly size into the loading page (`data-wasm-bytes` on #boot), for
//   its progress bar, and takes in the embeddable viewer built before into target/viewer-dist
//   (as viewer/);
// - writes a gzip (`.gz`) and a Brotli (`.br`) copy beside every text and WebAssembly file, so a
//   static host that serves pre-compressed files (nginx's gzip_static, most CDNs) sends them
//   compressed without compressing on each request.
import { readFileSync, writeFileSync, readdirSync, statSync, existsSync, cpSync } from 'node:fs';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';
import { join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import { minify } from 'terser';

if (process.env.TRUNK_PROFILE !== 'release') process.exit(0);
const dir = process.env.TRUNK_STAGING_DIR;
if (!dir || !existsSync(join(dir, 'index.html'))) {
  console.error('post-build: no staged index.html (TRUNK_STAGING_DIR unset?)');
  process.exit(1);
}

const integrity = (bytes) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
const under = (d, keep) => readdirSync(d).flatMap((name) => {
  const path = join(d, name);
  if (statSync(path).isDirectory()) return under(path, keep);
  return keep(name) ? [path] : [];
});
const scripts = (d) => under(d, (name) => name.endsWith('.js'));

const htmlPath = join(dir, 'index.html');
let html = readFileSync(htmlPath, 'utf8');
let before = 0, after = 0;
for (const path of scripts(dir)) {
  const source = readFileSync(path, 'utf8');
  const module = /^\s*(import|export)\b/m.test(source);
  const out = await minify(source, { module, ecma: 2020, compress: { passes: 3 }, mangle: true, format: { comments: false } });
  if (!out.code || out.code.length >= source.length) continue;
  writeFileSync(path, out.code);
  html = html.replaceAll(integrity(source), integrity(out.code));
  before += source.length;
  after += out.code.length;
  console.log(`post-build: ${relative(dir, path)} ${source.length} -> ${out.code.length} bytes`);
}
console.log(`post-build: ${(before / 1024).toFixed(1)} KB of glue -> ${(after / 1024).toFixed(1)} KB`);

// The embeddable viewer (viewer.html, built first into target/viewer-dist) has no loading page;
// the app's build takes it in as viewer/.
const viewer = readdirSync(dir).some((name) => /^strata-viewer(-[0-9a-f]+)?_bg\.wasm$/.test(name));
if (viewer) {
  writeFileSync(htmlPath, html);
} else {
  const wasm = readdirSync(dir).find((name) => /^strata-web-.*_bg\.wasm$/.test(name));
  const bootId = /\bid=("boot"|boot)(?=[\s>])/;
  if (!wasm || !bootId.test(html)) {
    console.error('post-build: the app\'s WebAssembly or the loading page (#boot) is missing');
    process.exit(1);
  }
  const bytes = statSync(join(dir, wasm)).size;
  html = html.replace(bootId, `data-wasm-bytes=${bytes} id=boot`);
  writeFileSync(htmlPath, html);
  console.log(`post-build: loading page told the app is ${bytes} bytes`);
  const built = join(process.env.TRUNK_SOURCE_DIR ?? process.cwd(), 'target', 'viewer-dist');
  if (!existsSync(join(built, 'index.html'))) {
    console.error('post-build: the viewer is not built (scripts/build-viewer.sh builds it into target/viewer-dist)');
    process.exit(1);
  }
  cpSync(built, join(dir, 'viewer'), { recursive: true, filter: (src) => !/\.(gz|br)$/.test(src) });
  console.log('post-build: the viewer copied in as viewer/');
}

let files = 0, raw = 0, gz = 0, br = 0;
for (const path of under(dir, (name) => /\.(wasm|js|css|html|svg|json)$/.test(name))) {
  const body = readFileSync(path);
  const g = gzipSync(body, { level: 9 });
  const b = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } });
  writeFileSync(`${path}.gz`, g);
  writeFileSync(`${path}.br`, b);
  files += 1; raw += body.length; gz += g.length; br += b.length;
}
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`post-build: ${files} files pre-compressed: ${kb(raw)} -> gzip ${kb(gz)}, brotli ${kb(br)}`);
