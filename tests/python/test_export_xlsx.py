"""`ccgrisk export`: the workbook opens in openpyxl with the expected sheets,
headers (with units) and the HDF5 file's values; the CSV files likewise.
Run by CTest with /usr/bin/python3."""

import argparse
import csv
import pathlib
import sys
import tempfile

import h5py
import numpy as np
import openpyxl

import support

SHEETS = ["ccg", "ccg_pooled", "region", "area_team", "pool", "national", "national_count",
          "hub", "targets", "attribution", "provenance"]


class Run:
    h5 = xlsx = csv_dir = ccgrisk = scenario = tmp = None


def sheet_columns(ws) -> dict:
    rows = list(ws.iter_rows(values_only=True))
    return {h: [r[j] for r in rows[1:]] for j, h in enumerate(rows[0])}


def csv_columns(path) -> dict:
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return {h: [r[j] for r in rows[1:]] for j, h in enumerate(rows[0])}


def close(cells, values) -> bool:
    """libxlsxwriter writes 16 significant digits (Excel keeps 15): equal to 1e-14."""
    return len(cells) == len(values) and np.allclose(np.asarray(cells, dtype=float), values,
                                                     rtol=1e-14, atol=0)


def expected_sheets():
    with h5py.File(Run.h5, "r") as f:
        present = {"hub": "hub/name" in f and len(f["hub/name"]) > 0, "targets": "targets" in f,
                   "attribution": "attribution" in f}
    return [s for s in SHEETS if present.get(s, True)]


def test_workbook_sheets_and_headers():
    wb = openpyxl.load_workbook(Run.xlsx, read_only=True)
    assert wb.sheetnames == expected_sheets(), wb.sheetnames
    ccg = sheet_columns(wb["ccg"])
    for header in ("code", "name", "region", "allocation (GBP k)", "p_red (probability)",
                   "p_red_se (probability)", "surplus_mean (GBP k)", "surplus_q05 (GBP k)",
                   "surplus_es05 (GBP k)", "underlying_mean (GBP k)"):
        assert header in ccg, header
    region = sheet_columns(wb["region"])
    assert "expected_red (CCGs)" in region and "p_deficit_pooled (probability)" in region


def test_workbook_values_are_the_files():
    wb = openpyxl.load_workbook(Run.xlsx, read_only=True)
    ccg, pooled = sheet_columns(wb["ccg"]), sheet_columns(wb["ccg_pooled"])
    with h5py.File(Run.h5, "r") as f:
        assert ccg["code"] == list(f["ccg/code"].asstr()[()])
        assert close(ccg["p_red (probability)"], f["ccg/p_red"][()])
        assert close(ccg["surplus_q05 (GBP k)"], f["ccg/surplus_quantiles_k"][:, 1])
        assert close(pooled["p_red (probability)"], f["pooled/p_red"][()])
        region = sheet_columns(wb["region"])
        assert region["name"] == list(f["region/name"].asstr()[()])
        assert close(region["expected_red (CCGs)"], f["region/expected_red"][()])
        national = sheet_columns(wb["national"])
        assert close(national["expected_red (CCGs)"], [f["national/expected_red"][()]])
        count = sheet_columns(wb["national_count"])
        assert close(count["p_exactly (probability)"], f["national/count_red_pmf"][()])
        pool = sheet_columns(wb["pool"])
        members = [" ".join(f["ccg/code"].asstr()[()][f["ccg/pool_index"][()] == p])
                   for p in range(len(f["pool/code"]))]
        assert pool["members"] == members
        provenance = dict(zip(*sheet_columns(wb["provenance"]).values()))
        assert provenance["seed"] == str(f.attrs["seed"])
        assert provenance["git_sha"] == f.attrs["git_sha"]
        assert provenance["scenario_toml"] == f.attrs["scenario_toml"]


def test_csv_files_match():
    names = sorted(p.name for p in Run.csv_dir.iterdir())
    assert names == sorted(s + ".csv" for s in expected_sheets()), names
    ccg = csv_columns(Run.csv_dir / "ccg.csv")
    with h5py.File(Run.h5, "r") as f:
        assert ccg["name"] == list(f["ccg/name"].asstr()[()])
        p = np.array([float(x) for x in ccg["p_red (probability)"]])
        assert np.array_equal(p, f["ccg/p_red"][()])  # shortest exact decimal form
        area = csv_columns(Run.csv_dir / "area_team.csv")
        assert area["name"] == list(f["area_team/name"].asstr()[()])
        q = np.array([float(x) for x in area["total_surplus_q50 (GBP k)"]])
        assert np.array_equal(q, f["area_team/total_surplus_quantiles_k"][:, 4])


def test_a_scenario_text_longer_than_a_cell():
    """Excel's cells hold 32,767 characters: a longer scenario text is cut in
    the workbook, saying so, and whole in the CSV (the workbook once failed)."""
    scenario = pathlib.Path(Run.scenario)
    long = Run.tmp / "commented.toml"
    note = "".join(f"# note {i}: a comment on a source or an assumption of the plan, é\n"
                   for i in range(600))
    long.write_text(scenario.read_text(encoding="utf-8") + note, encoding="utf-8")
    table = scenario.parent / "data" / "ccg_2013_14.csv"
    h5 = support.ccgrisk_run(Run.ccgrisk, long, Run.tmp / "long.h5", 200,
                             ["--set", f'data.ccgs="{table}"'])
    xlsx, csv_dir = Run.tmp / "long.xlsx", Run.tmp / "long-csv"
    r = support.run([Run.ccgrisk, "export", h5, "--xlsx", xlsx, "--csv", csv_dir])
    assert r.returncode == 0, r.stderr
    with h5py.File(h5, "r") as f:
        text = f.attrs["scenario_toml"]
    assert len(text) > 32767
    cell = dict(zip(*sheet_columns(openpyxl.load_workbook(xlsx, read_only=True)["provenance"])
                    .values()))["scenario_toml"]
    assert len(cell) <= 32767 and cell.endswith("the whole text is in the results file and the "
                                                "CSV export]"), cell[-200:]
    assert text.startswith(cell[:cell.index(" [cut here")])
    with open(csv_dir / "provenance.csv", newline="", encoding="utf-8") as handle:
        assert dict(csv.reader(handle))["scenario_toml"] == text


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ccgrisk", required=True)
    parser.add_argument("--scenario", required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        Run.ccgrisk, Run.scenario, Run.tmp = args.ccgrisk, args.scenario, tmp
        Run.h5 = support.ccgrisk_run(args.ccgrisk, args.scenario, tmp / "base.h5", 1000)
        Run.xlsx, Run.csv_dir = tmp / "tables.xlsx", tmp / "csv"
        r = support.run([args.ccgrisk, "export", Run.h5, "--xlsx", Run.xlsx, "--csv",
                         Run.csv_dir])
        assert r.returncode == 0, r.stderr
        return support.main([test_workbook_sheets_and_headers, test_workbook_values_are_the_files,
                             test_csv_files_match, test_a_scenario_text_longer_than_a_cell])


if __name__ == "__main__":
    sys.exit(main())
