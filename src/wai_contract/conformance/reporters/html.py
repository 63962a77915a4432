"""``report.html``: one self-contained page (inline CSS, SVG and a few lines of script; it
fetches nothing). Its first screen: the verdict, the top causes each linking to its first
case, that case's reproduction command with a copy button, the checks (filterable), and the
latency plot."""

from __future__ import annotations

import html
import json
import math

from ..results import CaseResult, CheckResult, Report
from .text import more_causes, summary_lines, verdict_line

_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;
color:#1b1f24}
h1{font-size:1.6rem}h1 .pass{color:#1a7f37}h1 .fail{color:#cf222e}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #d0d7de;
padding:.35rem .5rem;text-align:left;vertical-align:top}td.n{text-align:right}
.passed{color:#1a7f37}.warned{color:#9a6700}.failed{color:#cf222e;font-weight:600}.skipped{color:#6e7781}
pre{background:#f6f8fa;padding:.6rem;overflow-x:auto;white-space:pre-wrap;
word-break:break-all;max-height:18rem}
details{margin:.4rem 0 .8rem}summary{cursor:pointer}code{background:#f6f8fa;padding:0 .2rem}
.meta{color:#57606a}svg{max-width:100%}
.top li{margin:.2rem 0}.repro{position:relative}.repro pre{padding-right:5rem}
.repro button{position:absolute;right:.4rem;
top:.4rem}input[type=search]{margin:.5rem 0;padding:.25rem .4rem;width:16rem}
"""
_SCRIPT = """
function openTarget(){var t=document.getElementById(decodeURIComponent(location.hash.slice(1)));
if(t&&t.tagName==='DETAILS'){t.open=true;}}
addEventListener('hashchange',openTarget);openTarget();
document.querySelectorAll('button[data-copy]').forEach(function(b){b.addEventListener('click',
function(){var t=document.getElementById(b.dataset.copy).textContent;
if(navigator.clipboard){navigator.clipboard.writeText(t);}b.textContent='Copied';});});
var f=document.getElementById('filter');if(f){f.addEventListener('input',function(){
var q=f.value.trim().toLowerCase();document.querySelectorAll('[data-check]').forEach(
function(e){e.hidden=q!==''&&e.dataset.check.indexOf(q)<0;});});}
"""
"""Opens the case a link points at, copies the reproduction, filters by check; nothing else."""
TOP_CAUSES = 5


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _histogram(latencies: list[float]) -> str:
    if not latencies:
        return "<p class=meta>No requests were answered.</p>"
    top = max(latencies) or 1.0
    bins = 24
    edges = [top * (i + 1) / bins for i in range(bins)]
    counts = [0] * bins
    for value in latencies:
        counts[min(int(value / top * bins), bins - 1)] += 1
    peak = max(counts)
    width, height, bar = 720, 180, 720 / bins
    bars = []
    for i, count in enumerate(counts):
        h = 0 if peak == 0 else math.ceil(count / peak * (height - 30))
        bars.append(
            f'<rect x="{i * bar + 1:.1f}" y="{height - 20 - h}" width="{bar - 2:.1f}" '
            f'height="{h}" fill="#0969da"><title>{count} requests up to '
            f"{edges[i]:.1f} ms</title></rect>"
        )
    ordered = sorted(latencies)
    p50 = ordered[len(ordered) // 2]
    p99 = ordered[max(0, math.ceil(len(ordered) * 0.99) - 1)]
    axis = (
        f'<text x="0" y="{height - 4}" font-size="12">0 ms</text>'
        f'<text x="{width}" y="{height - 4}" font-size="12" text-anchor="end">'
        f"{top:.0f} ms</text>"
    )
    return (
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="latency histogram">'
        f"{''.join(bars)}{axis}</svg><p class=meta>{len(latencies):,} requests; "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {top:.1f} ms</p>"
    )


def _anchor(case: CaseResult) -> str:
    return f"case-{case.check}-{case.id}"


def _case(case: CaseResult, first: bool = False) -> str:
    times = f" <b>×{case.count}</b>" if case.count > 1 else ""
    parts = [
        f'<details id="{_e(_anchor(case))}"{" open" if first else ""}><summary>'
        f"<code>{_e(case.id)}</code> {_e(case.problem)}{times}</summary>"
    ]
    facts = [_e(fact) for fact in case.facts()]
    if facts:
        parts.append(f"<p class=meta>{' · '.join(facts)}</p>")
    if case.exchange is not None:
        body = json.dumps(case.exchange.body, ensure_ascii=False)
        if len(body) > 4000:
            body = body[:4000] + f"… ({len(body):,} characters)"
        status = case.exchange.status if case.exchange.status is not None else "no response"
        error = f" — {case.exchange.error}" if case.exchange.error else ""
        parts += [
            f"<p>Request body</p><pre>{_e(body)}</pre>",
            f"<p>Response: {_e(status)}{_e(error)}</p>"
            f"<pre>{_e(case.exchange.response_head or '(empty)')}</pre>",
            f"<p>The response's end</p><pre>…{_e(case.exchange.response_tail)}</pre>"
            if case.exchange.response_tail
            else "",
            f"<p>Reproduce</p><pre>{_e(case.curl())}</pre>",
        ]
    parts.append("</details>")
    return "".join(parts)


def _schema(report: Report) -> str:
    schema = report.schema
    if not schema:
        return ""
    return f"<br>schema {_e(schema['source'])}, sha256 <code>{_e(schema['sha256'])}</code>"


def _check_row(check: CheckResult) -> str:
    listed = check.failures or check.warnings or check.known
    name = f'<a href="#{_e(check.id)}">{_e(check.id)}</a>' if listed else _e(check.id)
    failures = str(check.failure_count)
    if check.failures:
        failures = f'<a href="#{_e(_anchor(check.failures[0]))}">{failures}</a>'
    return (
        f'<tr data-check="{_e(check.id)}"><td><code>{name}</code><br>{_e(check.title)}</td>'
        f'<td class="{check.status}">{check.status}</td><td class=n>{check.cases}</td>'
        f"<td class=n>{failures}</td><td class=n>{check.warning_count}</td>"
        f"<td class=n>{len(check.known)}</td>"
        f"<td>{_e(check.note)}</td></tr>"
    )


def _first_screen(report: Report) -> str:
    """The top causes of failure, each linking to its first case, and the first one's
    reproduction command with a copy button."""
    causes = sorted(
        (case for check in report.checks for case in check.failures),
        key=lambda case: -case.count,
    )[:TOP_CAUSES]
    if not causes:
        return ""
    items = "".join(
        f'<li><a href="#{_e(_anchor(c))}"><code>{_e(c.check)}</code> {_e(c.problem[:160])}</a>'
        f"{f' ×{c.count}' if c.count > 1 else ''}</li>"
        for c in causes
    )
    first = causes[0]
    repro = (
        f'<p>Reproduce <code>{_e(first.id)}</code>:</p><div class=repro><pre id="repro">'
        f'{_e(first.curl())}</pre><button type=button data-copy="repro">Copy</button></div>'
        if first.exchange is not None
        else ""
    )
    return f"<h2>Top causes</h2><ol class=top>{items}</ol>{repro}"


def render_html(report: Report) -> str:
    """The whole page."""
    verdict = (
        '<span class="pass">passed</span>' if report.passed else '<span class="fail">failed</span>'
    )
    sections = []
    for check in report.checks:
        if check.failures or check.warnings or check.known:
            listed = check.failures + check.warnings + check.known
            cases = "".join(_case(c, first=i == 0) for i, c in enumerate(listed))
            hidden = check.failure_count - sum(c.count for c in check.failures)
            causes = check.unlisted_causes
            more = (
                f"<p class=meta>{more_causes(causes)} ({hidden} failing cases): report.json</p>"
                if causes
                else f"<p class=meta>{hidden} more failing cases: report.json</p>"
                if hidden > 0
                else ""
            )
            sections.append(
                f'<section data-check="{_e(check.id)}"><h2 id="{_e(check.id)}">'
                f"{_e(check.id)}: {_e(check.title)}</h2>"
                f"<p>{_e(check.description)}</p>{cases}{more}</section>"
            )
    notes = "".join(f"<p class=meta>{_e(n)}</p>" for n in [*summary_lines(report), *report.notes])
    comparison = ""
    if report.comparison is not None:
        cmp = report.comparison
        comparison = (
            f"<h2>Compared with {_e(cmp.baseline)}</h2><p>New failures: "
            f"{len(cmp.new_failures)} causes ({cmp.new_cases} cases); fixed: "
            f"{len(cmp.fixed)} causes ({cmp.fixed_cases} cases)</p>"
            + "".join(f"<p><code>{_e(s)}</code></p>" for s in cmp.new_failures[:50])
        )
    rows = "".join(_check_row(c) for c in report.checks)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>wai-contract conformance report</title><style>{_STYLE}</style></head>
<body><h1>Conformance {verdict}</h1>
<p><b>{_e(verdict_line(report))}</b></p>{_first_screen(report)}
<p class=meta>{_e(report.target)}<br>{report.requests:,} requests in {report.seconds:.1f} s,
started {_e(report.started)}, seed {report.seed}, max examples {report.max_examples},
contract {_e(report.contract)}, wai-contract {_e(report.version)}{_schema(report)}</p>{notes}
<input type=search id=filter placeholder="Filter by check" aria-label="Filter by check">
<table><thead><tr><th>check</th><th>result</th><th>cases</th><th>failures</th><th>warnings</th>
<th>known</th><th>note</th></tr></thead><tbody>{rows}</tbody></table>
<h2>Latency</h2>{_histogram(report.latencies_ms)}{comparison}{"".join(sections)}
<script>{_SCRIPT}</script></body></html>
"""
