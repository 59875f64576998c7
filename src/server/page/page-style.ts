/**
 * The pages' one stylesheet. State colours pair with letters and words, and differ in lightness
 * too, so the pages still read in greyscale.
 */
export const PAGE_STYLE = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #f6f8fa; --error: #b00020; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #fff; }
header.top { display: flex; gap: 1.5em; align-items: baseline; padding: .6em 1.2em; background: #24292f; color: #fff; }
header.top a { color: #fff; text-decoration: none; }
header.top .brand { font-weight: 700; font-size: 1.15em; }
header.top .who { margin-left: auto; }
header.top a.sign-out { margin-left: .6em; }
.banner { margin: 0 0 .8em; padding: .5em .8em; border: 1px solid #bc4c00; border-radius: 4px; background: #fff1e5; color: #6f2b00; }
main { padding: 1em 1.2em 3em; max-width: 1400px; }
h1 { font-size: 1.4em; margin: .2em 0 .6em; word-break: break-all; }
h2 { font-size: 1.1em; margin: 1.6em 0 .5em; border-bottom: 1px solid var(--line); padding-bottom: .2em; }
a { color: #0550ae; }
code, pre, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12.5px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35em .6em; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--bg); font-weight: 600; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .8em 1em; background: var(--bg); }
.card dl { display: grid; grid-template-columns: max-content 1fr; gap: .25em 1.2em; margin: 0; }
.card dt { color: var(--muted); }
.card dd { margin: 0; word-break: break-word; }
table.syncs ul.files { margin: 0; padding-left: 1.1em; max-height: 16em; overflow-y: auto; }
table.syncs tr:target { background: #fff8c5; }
table.undeliverable td.num { text-align: right; }
.muted { color: var(--muted); }
.error, .error-text { color: var(--error); font-weight: 600; }
.message { padding: .5em .8em; border-radius: 4px; margin: .5em 0; border: 1px solid; }
.message.error { background: #ffebe9; border-color: var(--error); }
.message.ok { background: #dafbe1; border-color: #1a7f37; color: #1a7f37; }
.state { display: inline-block; padding: 0 .45em; border-radius: 3px; border: 1px solid; font-weight: 600; white-space: nowrap; }
.cell { display: inline-block; width: 1.55em; height: 1.55em; line-height: 1.45em; text-align: center; border: 1px solid; border-radius: 3px; font: 700 11px/1.45em ui-monospace, monospace; text-decoration: none; margin: 1px; }
.st-success { background: #d1f0d6; border-color: #1a7f37; color: #0f5323; }
.st-failed { background: #3d0a0a; border-color: #3d0a0a; color: #fff; }
.st-running { background: #0969da; border-color: #0550ae; color: #fff; }
.st-queued { background: #e8e8e8; border-color: #6e7781; color: #1b1f24; }
.st-scheduled { background: #fff; border-color: #8c959f; color: #57606a; border-style: dashed; }
.st-up_for_retry { background: #ffd8a8; border-color: #bc4c00; color: #6f2b00; }
.st-upstream_failed { background: #8c4a00; border-color: #5c3000; color: #fff; }
.st-skipped { background: #f3e8ff; border-color: #8250df; color: #5a32a3; border-style: dotted; }
svg .st-success { fill: #2da44e; stroke: #1a7f37; }
svg .st-failed { fill: #3d0a0a; stroke: #3d0a0a; }
svg .st-running { fill: #0969da; stroke: #0550ae; }
svg .st-queued { fill: #afb8c1; stroke: #6e7781; }
svg .st-scheduled { fill: #fff; stroke: #8c959f; stroke-dasharray: 3 2; }
svg .st-up_for_retry { fill: #fb8f44; stroke: #bc4c00; }
svg .st-upstream_failed { fill: #8c4a00; stroke: #5c3000; }
svg .st-skipped { fill: #e9d8fd; stroke: #8250df; stroke-dasharray: 1 2; }
svg text { font: 12px system-ui, sans-serif; fill: var(--ink); }
svg .axis { stroke: var(--line); }
svg .edge { stroke: #6e7781; fill: none; stroke-width: 1.4; }
svg .node { fill: #fff; stroke: #57606a; }
svg .bar-label { font-size: 11px; }
.chart { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
.legend { color: var(--muted); font-size: 12px; }
.legend-item { margin-right: 1em; white-space: nowrap; }
.tag { display: inline-block; padding: 0 .4em; border-radius: 3px; font-size: 12px; font-weight: 600; border: 1px solid; }
.tag.stale { color: var(--error); border-color: var(--error); }
.tag.paused { color: #6f2b00; border-color: #bc4c00; background: #fff1e5; }
.tag.missed { color: var(--error); border-color: var(--error); background: #ffebe9; }
.actions { display: flex; gap: .6em; flex-wrap: wrap; align-items: flex-start; margin: .6em 0; }
form.inline { display: inline; }
form.dag-filter { display: flex; gap: .6em; flex-wrap: wrap; align-items: center; margin: .6em 0; }
form.dag-filter input, form.dag-filter select { font: inherit; padding: .2em .3em; max-width: 12em; }
nav.dag-pages { display: flex; gap: 1.2em; margin: .6em 0; }
button { font: inherit; padding: .3em .9em; border-radius: 4px; border: 1px solid #57606a; background: #fff; cursor: pointer; }
button:disabled { cursor: not-allowed; opacity: .55; }
button.primary { background: #1f6feb; border-color: #0550ae; color: #fff; }
textarea { width: 100%; max-width: 40em; min-height: 6em; font-family: ui-monospace, monospace; }
pre.log { background: #0d1117; color: #e6edf3; padding: 1em; border-radius: 6px; overflow-x: auto; white-space: pre-wrap; word-break: break-all; min-height: 4em; }
pre.json { background: var(--bg); padding: .4em .6em; margin: 0; max-height: 12em; overflow: auto; white-space: pre-wrap; }
.follow { font-style: italic; color: var(--muted); }
dialog { border: 1px solid var(--line); border-radius: 8px; padding: 1.2em; max-width: 30em; }
dialog input { width: 100%; font: inherit; padding: .3em; margin: .4em 0 .8em; }
footer { color: var(--muted); font-size: 12px; padding: 1em 1.2em; border-top: 1px solid var(--line); }
`;
