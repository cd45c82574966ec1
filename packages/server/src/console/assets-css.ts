/** The console's stylesheet: no framework, no web fonts, nothing loaded from elsewhere. */
export const CONSOLE_CSS = `
:root { --fg: #1b1f24; --muted: #57606a; --bg: #f6f8fa; --card: #fff; --line: #d0d7de; --accent: #0a58ca; --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --focus: #ffbf47; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 8px; top: 8px; background: #fff; padding: 6px; z-index: 10; }
.top { display: flex; flex-wrap: wrap; gap: 16px; align-items: center; padding: 10px 24px; background: #24292f; color: #fff; }
.top a { color: #fff; text-decoration: none; } .top nav { display: flex; gap: 16px; flex: 1; }
.brand { font-weight: 700; letter-spacing: .02em; }
.sign-out { display: flex; gap: 10px; align-items: center; } .who { color: #d0d7de; font-size: 13px; }
button.link { background: none; border: 0; color: #fff; text-decoration: underline; cursor: pointer; font: inherit; }
main { max-width: 1040px; margin: 0 auto; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 0 0 12px; } .lead { color: var(--muted); margin: 0 0 20px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 20px; margin: 0 0 16px; overflow-x: auto; }
td code, dd, td { overflow-wrap: anywhere; }
.step-no { display: inline-grid; place-items: center; width: 26px; height: 26px; border-radius: 50%; background: var(--accent); color: #fff; font-size: 13px; margin-right: 8px; }
.value { display: flex; gap: 8px; align-items: center; margin: 6px 0 12px; flex-wrap: wrap; }
.value code, pre { background: #f0f3f6; border: 1px solid var(--line); border-radius: 6px; font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.value code { padding: 6px 10px; word-break: break-all; }
pre { padding: 12px; overflow: auto; max-height: 360px; margin: 6px 0 12px; }
label { display: block; font-weight: 600; margin: 12px 0 4px; }
input[type=text], input[type=password], select { width: 100%; max-width: 640px; padding: 8px 10px; border: 1px solid var(--line); border-radius: 6px; font: inherit; }
input[aria-invalid=true] { border-color: var(--bad); }
.hint { color: var(--muted); font-size: 13px; margin: 4px 0; } .error { color: var(--bad); font-size: 13px; margin: 4px 0; min-height: 1em; }
.btn { display: inline-block; padding: 8px 14px; border-radius: 6px; border: 1px solid var(--line); background: #f6f8fa; color: var(--fg); font: inherit; cursor: pointer; text-decoration: none; }
.btn.primary { background: var(--accent); border-color: var(--accent); color: #fff; } .btn.danger { background: var(--bad); border-color: var(--bad); color: #fff; }
.btn[disabled] { opacity: .5; cursor: not-allowed; } .btn.small { padding: 3px 10px; font-size: 13px; }
.row { display: flex; gap: 10px; flex-wrap: wrap; align-items: center; margin-top: 12px; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 999px; font-size: 13px; font-weight: 600; border: 1px solid currentColor; }
.badge.ok { color: var(--ok); } .badge.warn { color: var(--warn); } .badge.bad { color: var(--bad); } .badge.idle { color: var(--muted); }
.checks { list-style: none; padding: 0; margin: 12px 0 0; } .checks li { border-left: 4px solid var(--line); padding: 8px 12px; margin: 0 0 8px; background: #fafbfc; }
.checks li.pass { border-color: var(--ok); } .checks li.fail { border-color: var(--bad); } .checks li.warn { border-color: var(--warn); } .checks li.running { border-color: var(--accent); }
.checks .status { font-weight: 700; text-transform: uppercase; font-size: 12px; margin-right: 8px; }
table { width: 100%; border-collapse: collapse; } th, td { text-align: left; padding: 8px; border-bottom: 1px solid var(--line); vertical-align: top; } th { font-size: 13px; color: var(--muted); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 6px 16px; margin: 0; } dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; word-break: break-all; }
dialog { border: 1px solid var(--line); border-radius: 8px; max-width: 560px; padding: 20px; } dialog::backdrop { background: rgb(0 0 0 / .4); }
.notice { padding: 12px; border-radius: 6px; border: 1px solid var(--line); background: #fff8c5; margin: 0 0 16px; }
.notice.bad { background: #ffebe9; border-color: #ff818266; }
.empty { color: var(--muted); font-style: italic; }
progress { width: 200px; }
@media (max-width: 640px) { main { padding: 12px; } .top { padding: 10px 12px; } dl.facts { grid-template-columns: 1fr; } }
`;
