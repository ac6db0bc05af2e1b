"""The Python reader against a real run: values agree with the summary's
sources, and wrong files are refused. Run by CTest with /usr/bin/python3."""

import argparse
import pathlib
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "analysis"))
from ccgrisk_analysis import ResultsFileError, open_results  # noqa: E402


def check_several_years(args, tmp: pathlib.Path):
    """A run of several years: the whole file keeps its year axis and
    most_at_risk asks for a year; one year's view and top_red.py work."""
    outlook = pathlib.Path(args.scenario).parent / "outlook-2013-16.toml"
    out = tmp / "outlook.h5"
    subprocess.run([args.ccgrisk, "run", str(outlook), "-o", str(out), "--trials", "1000",
                    "--quiet"], check=True)
    whole = open_results(out)
    assert whole.horizon_years == 3 and whole.ccg["p_red"].shape == (3, 211)
    try:
        whole.most_at_risk(3)
    except ResultsFileError as err:
        assert "open_results(path, year=k)" in str(err), err
    else:
        raise AssertionError("most_at_risk of a run of several years gave an answer")
    last = open_results(out, year=2)
    by_label = open_results(out, year="2015-16")
    assert np.array_equal(by_label.ccg["p_red"], last.ccg["p_red"])
    for bad in (3, -1, "2016-17", 1.0):
        try:
            open_results(out, year=bad)
        except ResultsFileError as err:
            assert "the file's years are" in str(err), err
        else:
            raise AssertionError(f"open_results(year={bad!r}) gave an answer")
    top = last.most_at_risk(3)
    assert [t[2] for t in top] == sorted(whole.ccg["p_red"][2], reverse=True)[:3]
    script = pathlib.Path(__file__).resolve().parents[2] / "analysis" / "top_red.py"
    env = {"PYTHONPATH": str(script.parent)}

    def top_red(*extra):
        return subprocess.run([sys.executable, str(script), str(out), "--count", "3", *extra],
                              capture_output=True, text=True, env=env)
    for extra, year in (((), 0), (("--year", "2015-16"), 2)):
        r = top_red(*extra)
        assert r.returncode == 0, r.stderr
        label = whole.year_labels[year]
        expected = float(open_results(out, year=year).national["expected_red"])
        assert (f"in the red in {label} (of 2013-14, 2014-15, 2015-16) before risk sharing "
                f"{expected:.2f}") in r.stdout, r.stdout
    # --pooled: the header's expected count is the one after sharing, as its list.
    r = top_red("--pooled")
    pooled = float(open_results(out, year=0).national["expected_red_pooled"])
    assert r.returncode == 0 and f"after risk sharing {pooled:.2f}" in r.stdout, r.stdout
    r = top_red("--year", "2016-17")
    assert r.returncode == 2 and "--year 2016-17" in r.stderr, (r.returncode, r.stderr)
    for count in ("0", "-2", "x"):
        r = subprocess.run([sys.executable, str(script), str(out), "--count", count],
                           capture_output=True, text=True, env=env)
        assert r.returncode == 2 and "at least 1" in r.stderr, (count, r.returncode, r.stderr)
    # An outcome across years taken out: both readers refuse the file, naming it.
    import shutil
    import h5py
    cut = tmp / "outlook-cut.h5"
    shutil.copy(out, cut)
    with h5py.File(cut, "r+") as f:
        del f["ccg/p_red_any_year"]
    try:
        open_results(cut)
    except ResultsFileError as err:
        assert "/ccg/p_red_any_year is missing from a run of 3 years" in str(err), err
    else:
        raise AssertionError("a run of several years without p_red_any_year was read")
    r = subprocess.run([args.ccgrisk, "summary", str(cut), "--no-verify"], capture_output=True,
                       text=True)
    assert r.returncode == 2 and "p_red_any_year is missing" in r.stderr, (r.returncode, r.stderr)


def check_damaged_text(args, out: pathlib.Path, tmp: pathlib.Path):
    """Names that are not text (bytes that are not UTF-8, a terminal escape)
    and a trials attribute that is no count: refused by both readers, with
    exit 2 from summary and report, not a traceback or raw escapes."""
    import shutil
    import h5py
    cases = {
        "utf8.h5": lambda f: f["ccg/name"].__setitem__(0, b"\xff\xfe\x80"),
        "escape.h5": lambda f: f["ccg/code"].__setitem__(0, "\x1b[31mX"),
        "trials.h5": lambda f: f.attrs.modify("trials", np.float64("nan")),
    }
    for name, change in cases.items():
        path = tmp / name
        shutil.copy(out, path)
        with h5py.File(path, "r+") as f:
            change(f)
        try:
            open_results(path)
        except ResultsFileError:
            pass
        else:
            raise AssertionError(f"{name}: open_results accepted it")
        for command in (["summary", str(path)], ["report", str(path), "-o", str(tmp / "rep")]):
            r = subprocess.run([args.ccgrisk, *command, "--no-verify"], capture_output=True,
                               text=True, errors="replace")
            assert r.returncode == 2, (name, command[0], r.returncode, r.stderr)
            assert "Traceback" not in r.stderr and "\x1b" not in r.stderr + r.stdout, r.stderr
    # The report's optional sections read their groups' names with the same check.
    from ccgrisk_analysis.report.optional import _find
    path = tmp / "hub-escape.h5"
    shutil.copy(out, path)
    with h5py.File(path, "r+") as f:
        assert list(_find(f["hub"], "name"))[0] == f["hub/name"][0].decode()
        f["hub/name"][0] = "\x1b[31mHub"
    with h5py.File(path, "r") as f:
        try:
            _find(f["hub"], "name")
        except ResultsFileError as err:
            assert "/hub/name holds a control character" in str(err), err
        else:
            raise AssertionError("_find read a name with a terminal escape")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ccgrisk", required=True)
    parser.add_argument("--scenario", required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / "run.h5"
        subprocess.run([args.ccgrisk, "run", args.scenario, "-o", str(out), "--trials", "2000",
                        "--quiet"], check=True)
        r = open_results(out)
        n = len(r.ccg["code"])
        assert n == 211, n
        assert r.trials == 2000
        assert r.ccg["surplus_quantiles_k"].shape == (n, 9)
        pmf = r.national["count_red_pmf"]
        assert pmf.shape == (n + 1,) and abs(pmf.sum() - 1) < 1e-12
        expected = float((np.arange(n + 1) * pmf).sum())
        assert abs(expected - float(r.national["expected_red"])) < 1e-9
        assert abs(r.ccg["p_red"].sum() - expected) < 1e-9  # E[count] = sum of P(red)
        top = r.most_at_risk(3)
        assert top[0][2] >= top[1][2] >= top[2][2]
        # 191 of the shipped table's allocations are estimated; top_red marks them.
        estimated = r.estimated_allocation()
        assert estimated.shape == (n,) and int(estimated.sum()) == 191, int(estimated.sum())
        script = pathlib.Path(__file__).resolve().parents[2] / "analysis" / "top_red.py"
        shown = subprocess.run([sys.executable, str(script), str(out), "--count", "211"],
                               capture_output=True, text=True,
                               env={"PYTHONPATH": str(script.parent)}, check=True).stdout
        rows = shown.splitlines()[1:212]
        assert sum(row[6:56].rstrip().endswith(" *") for row in rows) == 191, shown
        assert "* allocation estimated from registered population" in shown
        for bad, why in ((pathlib.Path(tmp) / "missing.h5", "no such file"),
                         (pathlib.Path(args.scenario), "not an HDF5 file")):
            try:
                open_results(bad)
            except ResultsFileError as err:
                assert why in str(err), err
            else:
                raise AssertionError(f"{bad} was accepted")
        check_several_years(args, pathlib.Path(tmp))
        check_damaged_text(args, out, pathlib.Path(tmp))
    print("3 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
