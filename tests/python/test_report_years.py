"""The HTML report of a run of several years (schema 1.1, issue 14): the year
sections (England year by year, fan charts, the first year in the red, every
CCG's P(red) by year), the rest drawn for the first year, and a one-year
report without any of it. Run by CTest with /usr/bin/python3; the run of
several years is the outlook beside the baseline scenario given."""

import argparse
import os
import pathlib
import re
import sys
import tempfile

import h5py
import numpy as np

import support
from test_report import Page

from ccgrisk_analysis import open_results  # noqa: E402  (support puts analysis/ on the path)
from ccgrisk_analysis.results import year_view  # noqa: E402

OUTLOOK = "outlook-2013-16.toml"
YEAR_CHARTS = ["chart-years-national", "chart-first-red-year", "chart-years-ccg"]


class Run:
    """A small run of several years, a one-year run, and their reports."""
    ccgrisk = tmp = scenario = years_h5 = one_h5 = years_text = one_text = None


def report(h5, name, *extra):
    """The report of `h5` by the Python module, as `ccgrisk report` calls it."""
    env = dict(os.environ, PYTHONPATH=str(support.ROOT / "analysis"), MPLBACKEND="Agg")
    out = Run.tmp / name
    r = support.run([sys.executable, "-m", "ccgrisk_analysis.report", h5, "-o", out, *extra],
                    env=env)
    assert r.returncode == 0, r.stderr
    assert "warning" not in r.stderr, r.stderr  # no section failed
    return (out / "index.html").read_text(encoding="utf-8")


def make_reports(baseline):
    outlook = pathlib.Path(baseline).parent / OUTLOOK
    Run.years_h5 = support.ccgrisk_run(Run.ccgrisk, outlook, Run.tmp / "years.h5", 2000)
    Run.one_h5 = support.ccgrisk_run(Run.ccgrisk, baseline, Run.tmp / "one.h5", 2000)
    Run.years_text = report(Run.years_h5, "years-report")
    Run.one_text = report(Run.one_h5, "one-report")


def read(path, name):
    with h5py.File(path, "r") as f:
        data = f[name][()]
        return data if np.ndim(data) else data.item()


def labels():
    with h5py.File(Run.years_h5, "r") as f:
        return list(f["year/label"].asstr()[()])


def table_rows(text, table_id):
    table = re.search(rf'<table id="{table_id}">.*?</table>', text, re.S).group(0)
    head = re.findall(r"<th[^>]*>(.*?)</th>", table)
    return head, re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1])


def values(row):
    return [float(v) for v in re.findall(r'data-value="([^"]+)"', row)]


def test_year_sections_come_first_and_the_rest_is_the_first_year():
    page = Page(Run.years_text)
    assert page.sections[:3] == ["years", "years-ccgs", "headline"], page.sections
    assert page.charts[:3] == YEAR_CHARTS, page.charts
    assert len(page.images) == len(page.charts)
    titles = re.findall(r"<section id=\"([^\"]+)\"><h2>(.*?)</h2>", Run.years_text)
    first = labels()[0]
    for section_id, title in titles:
        assert (f"(first year, {first})" in title) == (section_id not in ("years", "years-ccgs")), \
            title
    assert f"{labels()[0]} to {labels()[-1]}" in titles[0][1]


def test_years_table_is_the_files():
    nat = {k: read(Run.years_h5, f"national/{k}") for k in (
        "expected_red", "expected_red_pooled", "p_sector_deficit", "total_surplus_quantiles_k",
        "underlying_total_quantiles_k", "expected_red_any_year", "expected_red_any_year_pooled")}
    levels = list(h5py.File(Run.years_h5, "r")["national/total_surplus_quantiles_k"].attrs[
        "levels"])
    median = levels.index(0.5)
    head, rows = table_rows(Run.years_text, "years-table")
    assert len(rows) == len(labels()) + 1
    for y, label in enumerate(labels()):
        assert f"<td>{label}</td>" in rows[y]
        assert values(rows[y]) == [nat["expected_red"][y], nat["expected_red_pooled"][y],
                                   nat["p_sector_deficit"][y],
                                   nat["total_surplus_quantiles_k"][y, median],
                                   nat["underlying_total_quantiles_k"][y, median]]
    assert values(rows[-1]) == [nat["expected_red_any_year"],
                                nat["expected_red_any_year_pooled"]]
    assert Page(Run.years_text).figures["expected_red_any_year"] == repr(
        nat["expected_red_any_year"])


def test_first_red_year_chart_adds_up_the_ccgs():
    pmf = read(Run.years_h5, "ccg/first_red_year_pmf").sum(axis=0)
    caption = re.search(r'<figure class="chart" id="chart-first-red-year">.*?<figcaption>(.*?)<',
                        Run.years_text, re.S).group(1)
    for y, label in enumerate(labels()):
        assert f"{pmf[y]:.1f} first in {label}" in caption, caption
    assert f"{pmf[-1]:.1f} never" in caption
    assert abs(pmf[:-1].sum() - read(Run.years_h5, "national/expected_red_any_year")) < 1e-9


def test_every_ccg_with_its_years():
    p_red, any_year, every = (read(Run.years_h5, f"ccg/{k}") for k in (
        "p_red", "p_red_any_year", "p_red_every_year"))
    any_pooled = read(Run.years_h5, "pooled/p_red_any_year")
    first = read(Run.years_h5, "ccg/first_red_year_pmf")
    codes = list(h5py.File(Run.years_h5, "r")["ccg/code"].asstr()[()])
    head, rows = table_rows(Run.years_text, "years-ccg-table")
    assert [f"P(red) {label}" for label in labels()] == head[4:4 + len(labels())], head
    assert "P(red in at least one year)" in head and "P(red every year)" in head
    assert "Most likely first year in the red" in head
    order = np.argsort(-any_year, kind="stable")
    assert len(rows) == len(codes)
    for row, i in zip(rows, order):
        assert f"<td>{codes[i]}</td>" in row
        assert values(row) == [*p_red[:, i], any_year[i], any_pooled[i], every[i]]
        likely = int(np.argmax(first[i, :-1]))
        if first[i, likely] > 0:
            assert f"<td>{labels()[likely]} (" in row, row
    # The fan chart follows the CCG most likely in the red in at least one year of
    # those that did not plan a first-year deficit.
    caption = re.search(r'id="chart-years-ccg">.*?<figcaption>(.*?)<', Run.years_text,
                        re.S).group(1)
    planned = h5py.File(Run.years_h5, "r")["ccg/planned_deficit"][0].astype(bool)
    assert planned.any() and not planned.all()
    assert f"({codes[int(np.argmax(np.where(planned, -1.0, any_year)))]})" in caption


def test_ccg_option_chooses_the_fan_chart():
    codes = list(h5py.File(Run.years_h5, "r")["ccg/code"].asstr()[()])
    chosen = codes[-1]
    text = report(Run.years_h5, "chosen-report", "--ccg", chosen)
    caption = re.search(r'id="chart-years-ccg">.*?<figcaption>(.*?)<', text, re.S).group(1)
    assert f"({chosen}), as chosen" in caption, caption
    env = dict(os.environ, PYTHONPATH=str(support.ROOT / "analysis"))
    r = support.run([sys.executable, "-m", "ccgrisk_analysis.report", Run.years_h5, "-o",
                     Run.tmp / "nope", "--ccg", "NOPE"], env=env)
    assert r.returncode == 2 and "no CCG with code 'NOPE'" in r.stderr, r


def test_first_year_sections_read_the_first_year():
    page = Page(Run.years_text)
    assert float(page.figures["expected_red"]) == read(Run.years_h5, "national/expected_red")[0]
    p = read(Run.years_h5, "ccg/p_red")[0]
    order = np.argsort(-p, kind="stable")[:30]
    assert values("".join(table_rows(Run.years_text, "top-table")[1]))[0::2] == [
        p[i] for i in order]


def test_year_view_slices_every_per_year_dataset():
    with h5py.File(Run.years_h5, "r") as f, year_view(f, 1) as view:
        assert view.attrs["year"] == labels()[1]
        per_year = []

        def check(name, ds):
            if isinstance(ds, h5py.Dataset):
                sliced = ds.attrs.get("leading_axis") in ("year", b"year")
                expected = ds[1] if sliced else ds[()]
                assert np.array_equal(view[name][()], expected), name
                per_year.extend([name] if sliced else [])
        f.visititems(check)
        assert "ccg/p_red" in per_year and "national/total_surplus_quantiles_k" in per_year
    second = open_results(Run.years_h5, year=1)
    assert second.ccg["p_red"].shape == (len(second.ccg["code"]),)
    assert np.array_equal(second.ccg["p_red"], read(Run.years_h5, "ccg/p_red")[1])


def test_a_sweep_of_several_years():
    """A sweep of the outlook: each value's runs count a CCG in the red when it is in the red
    in any year; the section says so, and has its chart by region (every region's count)."""
    outlook = Run.tmp / "sweep-years.h5"
    r = support.run([Run.ccgrisk, "sweep", pathlib.Path(Run.scenario).parent / OUTLOOK, "-o",
                     outlook, "--param", "drivers.cip_delivery.mean", "--from", "0.6", "--to",
                     "0.9", "--steps", "2", "--trials", "300", "--threads", "1", "--quiet"])
    assert r.returncode == 0, r.stderr
    with h5py.File(outlook, "r") as f:
        regions = f["sweep/region_name"].shape[0]
        assert regions > 0 and f["sweep/region_expected_red"].shape == (2, regions)
    text = report(outlook, "sweep-years-report")
    titles = dict(re.findall(r"<section id=\"([^\"]+)\"><h2>(.*?)</h2>", text))
    span = f"{labels()[0]} to {labels()[-1]}"
    assert titles["sweep"].endswith(f" (in the red in any year, {span})"), titles["sweep"]
    assert titles["headline"].endswith(f"(first year, {labels()[0]})"), titles["headline"]
    assert "chart-sweep-regions" in Page(text).charts


def test_one_year_report_has_no_years():
    page = Page(Run.one_text)
    assert "years" not in page.sections and "years-ccgs" not in page.sections
    assert not set(YEAR_CHARTS) & set(page.charts)
    assert "(first year," not in Run.one_text and "simulated years of" in Run.one_text


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ccgrisk", required=True)
    parser.add_argument("--scenario", required=True, help="the one-year baseline")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        Run.ccgrisk, Run.tmp, Run.scenario = args.ccgrisk, pathlib.Path(tmp), args.scenario
        make_reports(args.scenario)
        return support.main([test_year_sections_come_first_and_the_rest_is_the_first_year,
                             test_years_table_is_the_files,
                             test_first_red_year_chart_adds_up_the_ccgs,
                             test_every_ccg_with_its_years,
                             test_ccg_option_chooses_the_fan_chart,
                             test_first_year_sections_read_the_first_year,
                             test_year_view_slices_every_per_year_dataset,
                             test_a_sweep_of_several_years,
                             test_one_year_report_has_no_years])


if __name__ == "__main__":
    sys.exit(main())
