"""`ccgrisk report` end to end: the HTML report of a small baseline run is one
self-contained file with every expected chart and section, its headline
numbers are the HDF5 file's, optional groups get their sections, and missing
Python modules get a clear message. Run by CTest with /usr/bin/python3."""

import argparse
import base64
import html
import html.parser
import os
import pathlib
import re
import shutil
import sys
import tempfile

import h5py
import numpy as np

import support

from ccgrisk_analysis import open_results  # noqa: E402  (support puts analysis/ on the path)
from ccgrisk_analysis import report  # noqa: E402
from ccgrisk_analysis.report import optional, sections  # noqa: E402
from ccgrisk_analysis.report.context import Context  # noqa: E402

CORE_CHARTS = ["chart-count", "chart-top", "chart-regions", "chart-area-teams",
               "chart-region-surplus", "chart-ccg-risk"]


class Page(html.parser.HTMLParser):
    """What the tests look at in a report: images, ids, headline figures, cells."""

    def __init__(self, text):
        super().__init__()
        self.images, self.sections, self.charts, self.figures = [], [], [], {}
        self.cells = {}  # table id -> list of data-value strings in order
        self._table = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img":
            self.images.append(a.get("src", ""))
        elif tag == "section":
            self.sections.append(a["id"])
        elif tag == "figure":
            self.charts.append(a["id"])
        elif tag == "table":
            self._table = a.get("id")
        elif "data-key" in a:
            self.figures[a["data-key"]] = a["data-value"]
        elif tag == "td" and "data-value" in a and self._table:
            self.cells.setdefault(self._table, []).append(a["data-value"])


def expected_charts(path) -> list:
    with h5py.File(path, "r") as f:
        pools = len(f["pool/code"])
        hubs = len(f["hub/name"]) if "hub/name" in f else 0
        targets = ["chart-targets"] if "targets" in f else []
        attribution = ["chart-attribution", "chart-euler"] if "attribution" in f else []
    return (CORE_CHARTS[:1] + targets + CORE_CHARTS[1:4] +
            [f"chart-pool-{p}" for p in range(pools)] + CORE_CHARTS[4:] + attribution +
            (["chart-hubs"] if hubs else []))


class Run:
    """One small baseline run and its report, shared by the tests."""
    ccgrisk = scenario = tmp = h5 = page_text = None


def make_report():
    """The baseline as `make run` runs it: with the published 2013-14 figures when shipped."""
    targets = pathlib.Path(Run.scenario).parent / "targets-2013-14.toml"
    extra = ["--targets", targets] if targets.is_file() else []
    Run.h5 = support.ccgrisk_run(Run.ccgrisk, Run.scenario, Run.tmp / "base.h5", 2000, extra)
    r = support.run([Run.ccgrisk, "report", Run.h5, "-o", Run.tmp / "report"])
    assert r.returncode == 0, r.stderr
    index = Run.tmp / "report" / "index.html"
    assert r.stdout.strip() == f"Report written to {index}", r.stdout
    Run.page_text = index.read_text(encoding="utf-8")


def test_one_self_contained_file():
    assert sorted(p.name for p in (Run.tmp / "report").iterdir()) == ["index.html"]
    text = Run.page_text
    assert not re.search(r"""(src|href)=["']?(https?:|//|file:)""", text), "external reference"
    assert "<script" not in text and "<link" not in text
    page = Page(text)
    assert page.images and all(src.startswith("data:image/png;base64,") for src in page.images)
    for src in page.images:
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"


def test_every_expected_chart_and_section():
    page = Page(Run.page_text)
    charts = expected_charts(Run.h5)
    assert page.charts == charts, page.charts
    assert len(page.images) == len(charts)
    sections = ["headline", "count", "targets", "top", "regions", "pools", "surplus"]
    with h5py.File(Run.h5, "r") as f:
        if len(f["pool/code"]) == 0:
            sections.remove("pools")
        if "targets" not in f:
            sections.remove("targets")
        if "attribution" in f:
            sections.append("attribution")
        if "hub/name" in f and len(f["hub/name"]):
            sections.append("hubs")
    assert page.sections == sections, page.sections
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", Run.page_text)
    assert len(captions) == len(charts) and all(len(c) > 40 for c in captions)


def test_headline_numbers_are_the_files():
    page = Page(Run.page_text)
    with h5py.File(Run.h5, "r") as f:
        nat = f["national"]
        assert float(page.figures["expected_red"]) == float(nat["expected_red"][()])
        assert float(page.figures["p_sector_deficit"]) == float(nat["p_sector_deficit"][()])
        assert float(page.figures["total_surplus_mean_k"]) == float(
            nat["total_surplus_mean_k"][()])
        q = nat["count_red_quantiles"][()]
        assert page.figures["count_red_range"] == repr([float(q[0]), float(q[2])])
        headline = [float(v) for v in page.cells["headline-table"]]
        assert headline[:2] == [float(nat["expected_red"][()]),
                                float(nat["expected_red_pooled"][()])]
        expected_text = f"{float(nat['expected_red'][()]):.1f}"
        assert f">{expected_text}<" in Run.page_text
    assert page.figures["outturn"] == "24"  # the baseline marks 2013-14


def test_top_table_is_the_30_most_at_risk():
    page = Page(Run.page_text)
    with h5py.File(Run.h5, "r") as f:
        p, pooled = f["ccg/p_red"][()], f["pooled/p_red"][()]
        codes = f["ccg/code"].asstr()[()]
    order = np.argsort(-p, kind="stable")[:30]
    cells = [float(v) for v in page.cells["top-table"]]
    assert cells[0::2] == [float(p[i]) for i in order]   # P(red)
    assert cells[1::2] == [float(pooled[i]) for i in order]  # after pooling
    first_row = re.search(r'<table id="top-table">.*?<tbody><tr>(.*?)</tr>', Run.page_text).group(1)
    assert f"<td>{codes[order[0]]}</td>" in first_row
    # "every interval is within ±h": h covers the widest of the list's intervals.
    with h5py.File(Run.h5, "r") as f:
        widest = 100 * 1.959963984540054 * f["ccg/p_red_se"][()][order].max()
    h = float(re.search(r"every interval is within ±([0-9.]+) percentage", Run.page_text).group(1))
    assert widest <= h < widest + 0.01, (h, widest)


def test_estimated_allocations_are_marked():
    """Estimated allocations: a marker on the top table and chart, and the note."""
    with h5py.File(Run.h5, "r") as f:
        p = f["ccg/p_red"][()]
        basis = f["ccg/allocation_basis"].asstr()[()]
    order = np.argsort(-p, kind="stable")[:30]
    table = re.search(r'<table id="top-table">.*?</table>', Run.page_text, re.S).group(0)
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1])
    assert len(rows) == len(order)
    for row, i in zip(rows, order):
        assert (" *</td>" in row) == basis[i].startswith("estimated"), row
    count = sum(b.startswith("estimated") for b in basis)
    assert f"not published: {count} of the {len(basis)} CCGs" in Run.page_text


def test_open_targets_missed_show_as_open():
    """A missed target the model is not expected to reproduce (/targets/reproduced
    = 0) reads "open", as `summary` prints it; a kept one missed reads "NO"."""
    with h5py.File(Run.h5, "r") as f:
        if "targets" not in f:
            return
        value, tolerance, model = (f["targets/" + k][()] for k in ("value", "tolerance", "model"))
        kept = f["targets/reproduced"][()].astype(bool)
    met = np.abs(model - value) <= tolerance
    table = re.search(r'<table id="targets-table">.*?</table>', Run.page_text, re.S).group(0)
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S)
    assert len(rows) == len(met)
    for row, m, k in zip(rows, met, kept):
        verdict = "yes" if m else "NO" if k else "open"
        assert f"<td>{verdict}</td>" in row, (row, verdict)
    assert (~met & ~kept).any(), "the shipped targets have open ones the model misses"
    # Money is shown in GBP m, and so named (the targets file says GBP k).
    assert "GBP k" not in table and "total surplus, GBP m</td>" in table, table


def test_attribution_names_the_largest_pressure_in_deficit_years():
    """South East Staffs' deficits come from its transfer mismatch, there every
    year (docs/calibration.md): the reading names it, not only what rises most."""
    with h5py.File(Run.h5, "r") as f:
        if "attribution" not in f:
            return
        codes = list(f["ccg/code"].asstr()[()])
        names = [n.decode() if isinstance(n, bytes) else n for n in f["attribution/component"][()]]
        given = f["attribution/mean_in_red_k"][codes.index("05Q")]
    largest = names[int(np.argmax(given))].replace("_", " ")
    assert largest == "transfer mismatch", largest
    text = html.unescape(Run.page_text)
    assert f"the largest pressure in its deficit years is {largest}" in text


def test_footer_has_provenance():
    footer = Run.page_text[Run.page_text.index('<footer id="provenance">'):]
    with h5py.File(Run.h5, "r") as f:
        a = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
    for key in ("git_sha", "tool_version", "ccg_table_sha256", "created_utc"):
        assert f"<dd>{a[key]}</dd>" in footer, key
    assert f"<dd>{a['seed']}</dd>" in footer and "<dd>2,000</dd>" in footer
    scenario = re.search(r"<details>.*?<pre>(.*?)</pre>", footer, re.S).group(1)
    assert html.unescape(scenario) == a["scenario_toml"]


def test_wall_time_of_an_uncertainty_run_is_every_runs():
    """With [uncertainty] the root's wall time is the scenario's share of the
    passes; the footer gives every run's, as `summary` does."""
    def add(f):
        g = f.create_group("uncertainty")
        g.attrs["runs"] = np.int64(65)
        g.attrs["wall_seconds"] = 12.345
    path = copy_with("uncertain.h5", add)
    with h5py.File(path, "r") as f:
        footer = report._footer(Context(open_results(path), f))
    assert "<dd>12.35 s for 65 runs (the scenario as given and its samples)</dd>" in footer, footer


def render_sections(path, *functions) -> str:
    """The HTML of some of the report's sections for `path` (faster than a whole report)."""
    with h5py.File(path, "r") as f:
        ctx = Context(open_results(path), f)
        return "".join(s.html() for s in (fn(ctx) for fn in functions) if s is not None)


def copy_with(name, change) -> pathlib.Path:
    path = Run.tmp / name
    shutil.copy(Run.h5, path)
    with h5py.File(path, "r+") as f:
        change(f)
    return path


def test_outturn_marked_only_for_the_baseline():
    other = copy_with("other.h5", lambda f: f.attrs.modify("scenario_path", "mine.toml"))
    assert "outturn" not in Page(render_sections(other, sections.headline)).figures

    def flagged(f):
        f.attrs.modify("scenario_path", "mine.toml")
        f.attrs["outturn_red_2013_14"] = np.int64(24)
    flagged_path = copy_with("flagged.h5", flagged)
    assert Page(render_sections(flagged_path, sections.headline)).figures["outturn"] == "24"


def add_stress_groups(f):
    """/breakeven and /reverse_stress as `ccgrisk breakeven` and `reverse-stress` write them
    (those commands take too long for this test to run them)."""
    n = len(f["ccg/code"])
    be = f.create_group("breakeven")
    be["param"] = "drivers.cip_delivery.mean"
    be["p"] = 0.5
    values = np.linspace(0.5, 0.9, n)
    values[:3] = np.nan
    be["values"] = values
    be["status"] = np.array([1, 2, 3] + [0] * (n - 3), dtype=np.int64)
    be["max_red"], be["system_value"] = 30.0, 0.77
    rs = f.create_group("reverse_stress")
    directions = ["acute_growth", "specialist_growth", "combined"]
    rs["direction"] = np.array([d.encode() for d in directions])
    rs["shock"] = np.array([2.5, np.nan, 1.75])
    rs["red_k"] = 60.0
    codes = f["ccg/code"][:4]
    rs["tipping_code"] = np.array([codes, codes, codes])
    # The first CCG of each direction is already in the red without the shock.
    rs["tipping_p_red_base"] = np.array([[1.0, 0.1, 0.2, 0.3]] * 3)
    rs["tipping_p_red_stress"] = np.full((3, 4), 0.6)


def test_stress_groups_get_their_sections():
    page = Page(render_sections(copy_with("stress.h5", add_stress_groups), optional.breakeven,
                                optional.reverse_stress, optional.attribution))
    assert page.sections == ["breakeven", "reverse-stress", "attribution"], page.sections
    assert page.charts == ["chart-breakeven", "chart-reverse-stress", "chart-attribution",
                           "chart-euler"], page.charts
    assert len(page.images) == len(page.charts)


def test_tipping_table_leaves_out_ccgs_already_in_the_red():
    """As `ccgrisk reverse-stress` prints them: per direction, the first three of the file's
    list whose P(red) without the shock is under 0.5."""
    text = render_sections(copy_with("tipping.h5", add_stress_groups), optional.reverse_stress)
    with h5py.File(Run.h5, "r") as f:
        codes = [c.decode() for c in f["ccg/code"][:4]]
    table = re.search(r'<table id="tipping-table">.*?</table>', text, re.S).group(0)
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S)
    shown = [re.findall(r"<td[^>]*>(.*?)</td>", row)[1] for row in rows]
    assert shown == codes[1:4] * 3, shown


def test_a_real_sweep_gets_its_section():
    scenario = support.tiny_scenario(Run.tmp)
    out = Run.tmp / "sweep.h5"
    r = support.run([Run.ccgrisk, "sweep", scenario, "-o", out, "--param",
                     "drivers.cip_delivery.mean", "--from", "0.6", "--to", "0.9", "--steps", "3",
                     "--trials", "300", "--quiet"])
    assert r.returncode == 0, r.stderr
    text = render_sections(out, optional.sweep, optional.hubs)
    page = Page(text)
    assert page.sections == ["sweep"]  # the tiny scenario has no hubs: no hub section
    assert page.charts == ["chart-sweep-count", "chart-sweep-ccgs", "chart-sweep-regions"]
    assert "drivers.cip_delivery.mean" in text


def test_an_unknown_layout_gets_a_note_not_a_crash():
    def odd(f):
        f.create_group("sweep")["something_else"] = np.arange(3)
    text = render_sections(copy_with("odd.h5", odd), optional.sweep, optional.breakeven)
    assert 'id="sweep"' in text and "does not recognise its layout" in text
    assert "something_else" in text


def test_missing_modules_are_named_with_the_package_to_install():
    wrapper = Run.tmp / "python-without-packages"
    wrapper.write_text('#!/bin/sh\nexec /usr/bin/python3 -S "$@"\n')  # -S: no dist-packages
    wrapper.chmod(0o755)
    env = dict(os.environ, CCGRISK_PYTHON=str(wrapper))
    r = support.run([Run.ccgrisk, "report", Run.h5, "-o", Run.tmp / "r2"], env=env)
    assert r.returncode == 2, r
    assert "apt-get install -y --no-install-recommends" in r.stderr, r.stderr
    for package in ("python3-h5py", "python3-numpy", "python3-matplotlib"):
        assert package in r.stderr
    assert not (Run.tmp / "r2").exists()
    env["CCGRISK_PYTHON"] = str(Run.tmp / "no-such-python")
    r = support.run([Run.ccgrisk, "report", Run.h5, "-o", Run.tmp / "r3"], env=env)
    assert r.returncode == 2 and "apt-get install" in r.stderr, r


def test_the_python_module_refuses_a_wrong_file():
    from ccgrisk_analysis.report.__main__ import main as report_main
    argv, sys.argv = sys.argv, ["report", str(Run.tmp / "nope.h5"), "-o", str(Run.tmp / "r4")]
    try:
        assert report_main() == 2
    finally:
        sys.argv = argv
    assert not (Run.tmp / "r4" / "index.html").exists()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ccgrisk", required=True)
    parser.add_argument("--scenario", required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        Run.ccgrisk, Run.scenario, Run.tmp = args.ccgrisk, args.scenario, pathlib.Path(tmp)
        make_report()
        return support.main([test_one_self_contained_file, test_every_expected_chart_and_section,
                             test_headline_numbers_are_the_files,
                             test_top_table_is_the_30_most_at_risk,
                             test_estimated_allocations_are_marked,
                             test_open_targets_missed_show_as_open,
                             test_attribution_names_the_largest_pressure_in_deficit_years,
                             test_footer_has_provenance,
                             test_wall_time_of_an_uncertainty_run_is_every_runs,
                             test_outturn_marked_only_for_the_baseline,
                             test_stress_groups_get_their_sections,
                             test_tipping_table_leaves_out_ccgs_already_in_the_red,
                             test_a_real_sweep_gets_its_section,
                             test_an_unknown_layout_gets_a_note_not_a_crash,
                             test_missing_modules_are_named_with_the_package_to_install,
                             test_the_python_module_refuses_a_wrong_file])


if __name__ == "__main__":
    sys.exit(main())
