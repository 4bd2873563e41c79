"""The HTML report's style sheet and Content-Security-Policy (inline: the page loads nothing)."""

from __future__ import annotations

# default-src 'none' forbids every load (scripts, fonts, images, frames, fetches); styles are
# inline in the page and in matplotlib's SVG (style attributes), hence 'unsafe-inline' for
# styles only. frame-ancestors and report-uri are ignored in a <meta> policy (and the browser
# complains), so the collector sends its own header with frame-ancestors.
CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

CSS = """
:root { --red: #c62828; --amber: #b26a00; --green: #2e7d32; --grey: #757575; --line: #e0e0e0; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  color: #212121; margin: 0; background: #fafafa; }
main { max-width: 1100px; margin: 0 auto; padding: 16px 24px 48px; }
header { background: #263238; color: #fff; padding: 14px 24px; }
header h1 { font-size: 20px; margin: 0 0 2px; }
header p { margin: 0; color: #cfd8dc; font-size: 12px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 2px solid #263238; padding-bottom: 3px; }
h3 { font-size: 15px; margin: 0 0 6px; display: flex; gap: 10px; align-items: baseline; }
h4 { font-size: 13px; margin: 14px 0 4px; color: #37474f; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 14px 0; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px;
  min-width: 150px; }
.card b { display: block; font-size: 24px; }
.card b .score { font-size: 20px; color: #fff; }
.card span { color: var(--grey); font-size: 12px; }
.attention { background: #fff3f3; border-left: 4px solid var(--red); padding: 8px 14px; }
.attention.calm { background: #f1f8f1; border-color: var(--green); }
.attention ul { margin: 4px 0; padding-left: 18px; }
.score { font-weight: 700; border-radius: 4px; padding: 0 6px; color: #fff; }
.score.red { background: var(--red); } .score.amber { background: var(--amber); }
.score.green { background: var(--green); } .score.none { background: var(--grey); }
table { border-collapse: collapse; width: 100%; background: #fff; margin: 4px 0 8px;
  font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 3px 7px; text-align: left; vertical-align: top; }
th { background: #eceff1; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td, li, p, summary { overflow-wrap: anywhere; }
td.num, td.nw { white-space: nowrap; overflow-wrap: normal; }
td.id { min-width: 8em; }
.agent { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px;
  margin: 14px 0; }
.muted { color: var(--grey); }
.warn { color: var(--red); font-weight: 600; }
.verdict-shift { color: var(--red); font-weight: 600; }
.verdict-fleet_wide { color: #1565c0; }
svg.plot { display: block; width: 100%; height: auto; max-width: 860px; }
code { font-size: 12px; background: #f5f5f5; padding: 0 3px; }
footer { color: var(--grey); font-size: 12px; margin-top: 32px; }
"""
