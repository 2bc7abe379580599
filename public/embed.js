/* Strata embed: turns <strata-diagram src="..."> and <div data-strata="..."> into live diagrams.
   Include with <script src=".../embed.js" defer></script>. Creates no globals. */
(() => {
  'use strict';

  // The viewer sits next to this script.
  const me = document.currentScript || document.querySelector('script[src$="embed.js"]');
  if (!me || !me.src) return;
  const VIEWER = new URL('viewer/index.html', me.src).href;
  const ORIGIN = new URL(VIEWER).origin;
  const NS = 'http://www.w3.org/2000/svg';
  const seen = new WeakSet();
  const byId = new Map(); // embed id -> state
  const byEl = new WeakMap(); // element -> state
  let count = 0;

  const io = window.IntersectionObserver && new IntersectionObserver(
    (es) => es.forEach((e) => e.isIntersecting && load(byEl.get(e.target))), { rootMargin: '200px' });
  const ro = window.ResizeObserver && new ResizeObserver((es) => es.forEach((e) => fit(byEl.get(e.target))));

  // Attribute `name` on the custom element, `data-name` on a div.
  const attr = (el, name) => el.getAttribute(el.localName === 'strata-diagram' ? name : 'data-' + name);
  const mark = (st, state) => st.el.setAttribute('data-strata-state', state);
  const fire = (st, name, detail) => st.el.dispatchEvent(new CustomEvent(name, { detail }));
  const post = (st, m) => st.frame.contentWindow.postMessage(m, ORIGIN);

  function init(el) {
    if (document.readyState === 'loading') { // children (inline JSON) not parsed yet
      document.addEventListener('DOMContentLoaded', () => init(el), { once: true });
      return;
    }
    if (seen.has(el) || el.hasAttribute('data-strata-state')) return;
    seen.add(el);
    try { setup(el); } catch (e) { console.error('strata embed:', e); }
  }

  function setup(el) {
    const id = 's' + ++count;
    const src = attr(el, el.localName === 'strata-diagram' ? 'src' : 'strata');
    const script = el.querySelector('script[type="application/json"]');
    let theme = attr(el, 'theme');
    if (!/^(light|dark|auto)$/.test(theme)) {
      theme = getComputedStyle(document.documentElement).colorScheme;
      if (theme !== 'dark' && theme !== 'light') theme = 'auto';
    }
    const auto = attr(el, 'autoplay');
    const h = parseFloat(attr(el, 'height'));
    const st = {
      el, id, theme, frame: null, ok: false, want: false, ready: false, failed: false, queue: [], aspect: 0, time: 0, state: '', step: null,
      inline: script ? script.textContent : null, url: null,
      experiment: attr(el, 'experiment'), seed: attr(el, 'seed'), first: attr(el, 'step'),
      autoplay: auto !== null && auto !== 'false' && auto !== '0',
      height: h > 0 ? h : 0,
    };
    byId.set(id, st);
    byEl.set(el, st);

    // The JavaScript API: own properties on the element.
    const cmd = (strata) => (ms) => send(st, strata === 'seek' ? { strata, id, ms: Math.max(0, +ms || 0) } : { strata, id });
    Object.defineProperties(el, {
      play: { value: cmd('play'), configurable: true },
      pause: { value: cmd('pause'), configurable: true },
      restart: { value: cmd('restart'), configurable: true },
      seek: { value: cmd('seek'), configurable: true },
      next: { value: cmd('next'), configurable: true },
      prev: { value: cmd('prev'), configurable: true },
      strataTime: { get: () => st.time, configurable: true },
      strataState: { get: () => st.state, configurable: true },
      strataStep: { get: () => st.step, configurable: true },
    });
    if (getComputedStyle(el).display === 'inline') el.style.display = 'block';

    try {
      if (src) st.url = new URL(src, document.baseURI).href;
    } catch (e) {
      return fail(st, 'bad document URL ' + JSON.stringify(src));
    }
    if (!st.url && st.inline === null) return fail(st, 'no document: set src or add a <script type="application/json">');
    preview(st);
    const doc = st.inline !== null
      ? Promise.resolve(st.inline).then(JSON.parse)
      : fetch(st.url).then((r) => {
        if (!r.ok) throw new Error('HTTP ' + r.status + ' for ' + st.url);
        return r.json();
      });
    // The viewer is only created once the document has been read (see load()).
    doc.then((d) => {
      if (!d || !Array.isArray(d.components)) throw new Error('not a Strata document');
      st.ok = true;
      if (st.want) load(st); else draw(st, d);
    }).catch((e) => fail(st, 'could not read the diagram (' + e.message + ')'));
    if (io) io.observe(el); else load(st);
  }

  function fail(st, message) {
    if (io) io.unobserve(st.el);
    st.failed = true;
    st.queue = [];
    const box = document.createElement('div');
    box.setAttribute('role', 'alert');
    box.style.cssText = 'padding:12px 14px;border:1px solid #c62828;border-radius:8px;color:#c62828;font:14px/1.4 system-ui,sans-serif';
    box.textContent = 'Strata diagram: ' + message;
    st.el.replaceChildren(box);
    mark(st, 'error');
    fire(st, 'strata-error', { message });
  }

  const dark = (st) => st.theme === 'dark' || (st.theme === 'auto' && matchMedia('(prefers-color-scheme: dark)').matches);

  function svg(tag, attrs, parent) {
    const n = document.createElementNS(NS, tag);
    for (const k in attrs) n.setAttribute(k, attrs[k]);
    return parent.appendChild(n);
  }

  // The static preview: a box of the iframe's initial height with a "load" button; draw() fills it.
  function preview(st) {
    const box = (st.box = document.createElement('div'));
    box.style.cssText = 'position:relative;overflow:hidden;border-radius:8px;height:' + (st.height || 420) +
      'px;background:' + (dark(st) ? '#111418' : '#f6f7f9');
    const b = document.createElement('button');
    b.type = 'button';
    b.title = 'Load live diagram';
    b.setAttribute('aria-label', 'Load live diagram');
    b.style.cssText = 'position:absolute;left:50%;top:50%;transform:translate(-50%,-50%);width:64px;height:64px;' +
      'padding:0;border:0;border-radius:50%;background:#2f6fdb;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.3)';
    svg('path', { d: 'M26 20v24l20-12z', fill: '#fff' }, svg('svg', { viewBox: '0 0 64 64', width: 64, height: 64 }, b));
    b.addEventListener('click', () => load(st));
    box.appendChild(b);
    st.el.replaceChildren(box);
    mark(st, 'preview');
  }

  // Components are 160x64 boxes (position = top-left); connections join box centres.
  function draw(st, doc) {
    const d = dark(st), at = {}, line = d ? '#5b6571' : '#9aa5b1';
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const c of doc.components) {
      const p = c && c.position;
      if (!p || !isFinite(p.x) || !isFinite(p.y)) continue;
      at[c.id] = p;
      x0 = Math.min(x0, p.x); y0 = Math.min(y0, p.y);
      x1 = Math.max(x1, p.x + 160); y1 = Math.max(y1, p.y + 64);
    }
    if (x0 === Infinity) return;
    const s = svg('svg', {
      viewBox: [x0 - 20, y0 - 20, x1 - x0 + 40, y1 - y0 + 40].join(' '), role: 'img',
      'aria-label': 'Preview of ' + (doc.name || 'a Strata diagram'), style: 'display:block;width:100%;height:100%',
    }, st.box);
    st.box.prepend(s); // under the button
    for (const c of doc.connections || []) {
      const a = c && at[c.from], b = c && at[c.to];
      if (a && b) svg('line', { x1: a.x + 80, y1: a.y + 32, x2: b.x + 80, y2: b.y + 32, stroke: line, 'stroke-width': 2 }, s);
    }
    for (const c of doc.components) {
      const p = c && at[c.id];
      if (!p) continue;
      svg('rect', { x: p.x, y: p.y, width: 160, height: 64, rx: 8, fill: d ? '#1c2128' : '#fff', stroke: line }, s);
      const t = String(c.label || c.id);
      svg('text', {
        x: p.x + 80, y: p.y + 36, 'text-anchor': 'middle', 'font-size': 13,
        'font-family': 'system-ui,sans-serif', fill: d ? '#e6e9ed' : '#1b1f24',
      }, s).textContent = t.length > 19 ? t.slice(0, 18) + '…' : t;
    }
  }

  // Replace the preview by the live viewer, as soon as the document is known to be readable.
  function load(st) {
    if (!st || st.frame || st.failed) return;
    st.want = true;
    if (io) io.unobserve(st.el);
    if (!st.ok) return;
    const u = new URL(VIEWER), q = u.searchParams;
    q.set('embed', st.id);
    q.set('theme', st.theme);
    if (st.url && st.inline === null) q.set('src', st.url);
    if (st.experiment) q.set('experiment', st.experiment);
    if (st.seed) q.set('seed', st.seed);
    if (st.first) q.set('step', st.first);
    if (st.autoplay) q.set('autoplay', '1');
    const f = (st.frame = document.createElement('iframe'));
    f.title = 'Strata live diagram';
    // Its own scripts and storage, its exports saved, and full screen for presenter mode.
    f.setAttribute('sandbox', 'allow-scripts allow-same-origin allow-downloads');
    f.setAttribute('allow', 'fullscreen');
    f.allowFullscreen = true;
    f.style.cssText = 'border:0;width:100%;display:block;height:' + (st.height || 420) + 'px';
    f.src = u.href;
    st.el.replaceChildren(f);
    mark(st, 'loading');
  }

  // Commands load the viewer if needed and wait for its 'ready'.
  function send(st, m) {
    if (st.failed) return;
    load(st);
    if (st.ready) post(st, m); else st.queue.push(m);
  }

  function fit(st) {
    if (st && st.frame && st.aspect && !st.height) {
      st.frame.style.height = Math.round(st.frame.clientWidth * st.aspect) + 'px';
    }
  }

  window.addEventListener('message', (ev) => {
    const m = ev.data, st = m && typeof m === 'object' && byId.get(m.id);
    if (!st || !st.frame || ev.source !== st.frame.contentWindow || ev.origin !== ORIGIN || st.failed) return;
    try {
      if (m.strata === 'ready') {
        st.ready = true;
        if (st.inline !== null) post(st, { strata: 'load', id: st.id, doc: st.inline });
        st.queue.splice(0).forEach((q) => post(st, q));
        mark(st, 'ready');
        fire(st, 'strata-ready');
      } else if (m.strata === 'frame') {
        st.time = Number(m.timeNs) || 0;
        st.state = String(m.state);
        st.step = typeof m.step === 'number' ? m.step : null;
        fire(st, 'strata-frame', { timeNs: m.timeNs, durationNs: m.durationNs, state: m.state, step: st.step });
      } else if (m.strata === 'size') {
        const a = Number(m.aspect);
        if (a > 0 && isFinite(a)) {
          st.aspect = a;
          fit(st);
          if (ro && !st.height) ro.observe(st.el);
        }
      } else if (m.strata === 'error') {
        fail(st, String(m.message || 'the viewer failed'));
      }
    } catch (e) { console.error('strata embed:', e); }
  });

  if (window.customElements && !customElements.get('strata-diagram')) {
    customElements.define('strata-diagram', class extends HTMLElement {
      connectedCallback() { init(this); }
    });
  }
  const scan = () => document.querySelectorAll('div[data-strata]').forEach(init);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', scan, { once: true });
  else scan();
})();
