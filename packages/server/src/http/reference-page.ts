/**
 * The browsable API reference at /docs: one self-contained page (no CDN, no network beyond this
 * server) that reads /openapi.json and lists every operation by tag, with who may call it, its
 * parameters, body and responses.
 */
export const REFERENCE_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Keyward API reference</title>
<style>
  :root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --accent: #0b5cad; }
  body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); margin: 0; background: #f6f8fa; }
  header { background: #0d1b2a; color: #fff; padding: 20px 32px; }
  header h1 { margin: 0; font-size: 22px; }
  header p { margin: 4px 0 0; color: #c9d1d9; max-width: 70em; }
  main { max-width: 1100px; margin: 0 auto; padding: 16px 32px 48px; }
  h2 { margin: 32px 0 8px; font-size: 18px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
  details { background: #fff; border: 1px solid var(--line); border-radius: 6px; margin: 8px 0; }
  summary { cursor: pointer; padding: 10px 14px; display: flex; gap: 12px; align-items: baseline; }
  summary:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
  .method { font: 700 12px/1 ui-monospace, monospace; padding: 4px 8px; border-radius: 4px; color: #fff; min-width: 52px; text-align: center; }
  .GET { background: #1a7f37; } .POST { background: #0b5cad; } .PUT { background: #9a6700; } .DELETE { background: #cf222e; }
  .path { font: 600 14px ui-monospace, monospace; }
  .sum { color: var(--muted); }
  .body { padding: 0 14px 14px; }
  .access { display: inline-block; font-size: 12px; border: 1px solid var(--line); border-radius: 10px; padding: 1px 8px; color: var(--muted); }
  pre { background: #f6f8fa; border: 1px solid var(--line); border-radius: 4px; padding: 8px; overflow: auto; font-size: 12px; max-height: 320px; }
  table { border-collapse: collapse; width: 100%; font-size: 14px; }
  td, th { text-align: left; border-bottom: 1px solid var(--line); padding: 4px 8px; vertical-align: top; }
  code { font-family: ui-monospace, monospace; }
</style>
</head>
<body>
<header><h1>Keyward API reference</h1><p id="intro">Loading /openapi.json…</p></header>
<main id="main" aria-live="polite"></main>
<script>
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const pretty = (v) => '<pre>' + esc(JSON.stringify(v, null, 2)) + '</pre>';
fetch('/openapi.json').then((r) => r.json()).then((doc) => {
  document.getElementById('intro').textContent = doc.info.description;
  const byTag = new Map();
  for (const [path, ops] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(ops)) {
    const tag = op.tags[0]; if (!byTag.has(tag)) byTag.set(tag, []); byTag.get(tag).push({ path, method: method.toUpperCase(), op });
  }
  let html = '<p><a href="/openapi.json">openapi.json</a> (OpenAPI ' + esc(doc.openapi) + ')</p>';
  for (const [tag, ops] of byTag) {
    html += '<h2>' + esc(tag) + '</h2>';
    for (const { path, method, op } of ops) {
      html += '<details><summary><span class="method ' + method + '">' + method + '</span><span class="path">' + esc(path) + '</span><span class="sum">' + esc(op.summary) + '</span></summary><div class="body">';
      html += '<p><span class="access">access: ' + esc(op['x-keyward-access']) + '</span></p>';
      if (op.description) html += '<p>' + esc(op.description) + '</p>';
      if (op.parameters.length) html += '<table><tr><th>Parameter</th><th>In</th><th>Required</th><th>Description</th></tr>' + op.parameters.map((p) => '<tr><td><code>' + esc(p.name) + '</code></td><td>' + esc(p.in) + '</td><td>' + (p.required ? 'yes' : 'no') + '</td><td>' + esc(p.description || '') + '</td></tr>').join('') + '</table>';
      if (op.requestBody) html += '<h3>Request body</h3>' + pretty(op.requestBody.content['application/json'].schema);
      html += '<h3>Responses</h3><table>' + Object.entries(op.responses).map(([status, r]) => '<tr><td><code>' + esc(status) + '</code></td><td>' + esc(r.description) + '</td></tr>').join('') + '</table>';
      const ok = Object.entries(op.responses).find(([s]) => s.startsWith('2'));
      const schema = ok && ok[1].content && ok[1].content['application/json'] && ok[1].content['application/json'].schema;
      if (schema && Object.keys(schema).length) html += pretty(schema);
      html += '</div></details>';
    }
  }
  document.getElementById('main').innerHTML = html;
}).catch((error) => { document.getElementById('intro').textContent = 'Could not load /openapi.json: ' + error.message; });
</script>
</body>
</html>
`;
