"""The HTML report of a results file: `python3 -m ccgrisk_analysis.report
RESULTS.h5 -o DIR` writes DIR/index.html, one self-contained file.

Sections are functions Context -> Section | None, drawn in SECTIONS order;
one that returns None (its group is absent) is left out. A new section is
one more function in the list.

A run of several years (schema 1.1) gets the ACROSS_YEARS sections first;
the stress commands' sections (ANY_YEAR) count a CCG in the red when it is
in the red in any year; every other section draws its first year. Each
says which in its title.
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
import sys
import tempfile

from . import optional, sections, years
from .context import Context, open_context
from .html import Raw, Section, esc, page

ACROSS_YEARS = [years.years, years.ccgs_by_year]  # None for a one-year run
# Sections of the stress commands: in a run of several years, each of their
# runs counts a CCG in the red when it is in the red in at least one year.
ANY_YEAR = [optional.sweep, optional.breakeven, optional.reverse_stress]

SECTIONS = ACROSS_YEARS + [
    sections.headline,
    sections.count_distribution,
    optional.targets,
    sections.most_at_risk,
    optional.uncertainty,
    sections.regions,
    sections.pools,
    sections.surplus_by_region,
    optional.sweep,
    optional.breakeven,
    optional.reverse_stress,
    optional.attribution,
    optional.hubs,
]

REPORT_FILE = "index.html"


def _years_item(ctx: Context) -> list:
    return [("Years", f"{len(ctx.years)}: {ctx.span}")] if ctx.run is not None else []


def _wall_time(ctx: Context) -> str:
    """The run's wall time; with [uncertainty], every run's (the root
    attribute is the scenario's own share of the passes)."""
    u = ctx.results.uncertainty
    if u is not None and "runs" in u["attrs"] and "wall_seconds" in u["attrs"]:
        runs = int(u["attrs"]["runs"])
        return (f"{float(u['attrs']['wall_seconds']):.2f} s for {runs} runs (the scenario "
                "as given and its samples)")
    return f"{float(ctx.results.attrs.get('wall_seconds', 0)):.2f} s"


def _footer(ctx: Context) -> str:
    a = ctx.results.attrs
    version = ".".join(str(int(v)) for v in a.get("schema_version", []))
    items = [("Results file", str(ctx.results.path)), ("Created (UTC)", a.get("created_utc", "")),
             ("ccgrisk version", a.get("tool_version", "")), ("git SHA", a.get("git_sha", "")),
             ("Schema", version), *_years_item(ctx), ("Seed", a.get("seed", "")),
             ("Trials", f"{ctx.trials:,}"), ("Threads", a.get("threads", "")),
             ("Wall time", _wall_time(ctx)),
             ("Scenario", a.get("scenario_path", "")), ("CCG table", a.get("ccg_table_path", "")),
             ("CCG table SHA-256", a.get("ccg_table_sha256", "")),
             ("Random numbers", a.get("rng", ""))]
    if int(a.get("antithetic", 0)):
        items.append(("Antithetic pairs", "yes"))
    if float(a.get("target_se", 0)) > 0:
        items.append(("Trials until every P(red) standard error is at most",
                      f"{float(a['target_se']):g}"))
    rows = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in items)
    return ("<h2>Provenance</h2><p>Same scenario and seed give bit-identical results on any "
            "number of threads. Money in GBP (tables and axes say m or k).</p>"
            f"<dl>{rows}</dl><details><summary>Scenario (TOML) as run</summary>"
            f"<pre>{esc(a.get('scenario_toml', ''))}</pre></details>")


def _title(ctx: Context) -> tuple[str, str]:
    scenario = pathlib.Path(str(ctx.results.attrs.get("scenario_path", "run"))).stem
    a = ctx.results.attrs
    simulated = (f"simulated runs of {len(ctx.years)} years ({ctx.span})" if ctx.run is not None
                 else "simulated years")
    subtitle = (f"{ctx.trials:,} {simulated} of {ctx.n} CCGs · seed {a.get('seed', '')} · "
                f"ccgrisk {a.get('tool_version', '')} · {a.get('created_utc', '')}")
    return f"ccgrisk report: {scenario}", subtitle


def _draw(section, ctx: Context):
    """One section; a failure becomes a note in the report (and a warning), not a lost report.
    In a run of several years, a section says in its title which years it covers."""
    try:
        drawn = section(ctx)
    except Exception as err:  # noqa: BLE001 - keep the rest of the report
        print(f"ccgrisk report: warning: section {section.__name__} failed: {err!r}",
              file=sys.stderr)
        name = section.__name__.replace("_", "-")
        drawn = Section(name, section.__name__.replace("_", " ").capitalize(), "", [Raw(
            f'<p class="note-box">This section could not be drawn: {esc(repr(err))}</p>')])
    if drawn is None or ctx.run is None or section in ACROSS_YEARS:
        return drawn
    if section in ANY_YEAR:
        return dataclasses.replace(drawn, title=f"{drawn.title} (in the red in any year, "
                                                f"{ctx.span})")
    return dataclasses.replace(drawn, title=f"{drawn.title} (first year, {ctx.years[0]})")


def render(results_path, focus_ccg: str | None = None) -> str:
    """The report of `results_path` as one HTML page; `focus_ccg` (a code) is the CCG
    whose years are drawn for a run of several years (default: the most at risk)."""
    with open_context(results_path, focus_ccg) as ctx:
        drawn = [s for s in (_draw(section, ctx) for section in SECTIONS) if s is not None]
        title, subtitle = _title(ctx)
        return page(title, subtitle, drawn, _footer(ctx))


def build_report(results_path, out_dir, focus_ccg: str | None = None) -> pathlib.Path:
    """Writes out_dir/index.html (atomically) and returns its path."""
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    text = render(results_path, focus_ccg)
    target = out_dir / REPORT_FILE
    fd, temp = tempfile.mkstemp(dir=out_dir, prefix=".index-", suffix=".html")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.chmod(temp, 0o644)
    os.replace(temp, target)
    return target
