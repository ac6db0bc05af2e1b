"""`ccgrisk template` round trip and the input bases (issue 13, part 3): the
shipped baseline run on its own template gives every dataset bit for bit;
the bases are in /ccg with units and descriptions; `export` has a basis
column. Run by CTest with /usr/bin/python3."""

import argparse
import csv
import pathlib
import sys
import tempfile

import h5py
import numpy as np

import support

TRIALS = 3000


class Run:
    ccgrisk = scenario = tmp = None


def datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                value = obj[()]
                out[name] = (value.tobytes() if isinstance(value, np.ndarray) and
                             value.dtype.kind != "O" else repr(value), obj.dtype.str, obj.shape)
        f.visititems(visit)
    return out


def test_template_round_trips_every_dataset():
    template = Run.tmp / "template.csv"
    r = support.run([Run.ccgrisk, "template", Run.scenario, "-o", template])
    assert r.returncode == 0, r.stderr
    assert template.read_text(encoding="utf-8").startswith("# ccgrisk CCG table")
    a = support.ccgrisk_run(Run.ccgrisk, Run.scenario, Run.tmp / "a.h5", TRIALS)
    b = support.ccgrisk_run(Run.ccgrisk, Run.scenario, Run.tmp / "b.h5", TRIALS,
                            ["--set", f'data.ccgs="{template}"'])
    da, db = datasets(a), datasets(b)
    assert sorted(da) == sorted(db)
    assert len(da) > 150
    differ = [name for name in da if da[name] != db[name]]
    assert not differ, differ
    with h5py.File(b, "r") as f:  # it did read the template
        assert f.attrs["ccg_table_path"] == str(template)


def test_outlook_template_round_trips_every_year():
    """The outlook's [year.2015-16] table raises the [plan] cip_pct default:
    its template leaves the cells that take the default blank (a figure
    there would hold in every year), so every year's results come back."""
    outlook = pathlib.Path(Run.scenario).parent / "outlook-2013-16.toml"
    template = Run.tmp / "outlook-template.csv"
    r = support.run([Run.ccgrisk, "template", outlook, "-o", template, "--quiet"])
    assert r.returncode == 0, r.stderr
    text = template.read_text(encoding="utf-8")
    assert "# cip_pct: the scenario's [year.LABEL] tables change its [plan] default" in text
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    blank = [row["ods_code"] for row in rows if row["cip_pct"] == ""]
    assert 0 < len(blank) < len(rows)  # the CCGs with their own figure keep it
    assert all(row["cip_pct_basis"] == "" for row in rows if row["cip_pct"] == "")
    assert all(row["contingency_pct"] != "" for row in rows)  # the same default every year
    a = support.ccgrisk_run(Run.ccgrisk, outlook, Run.tmp / "outlook-a.h5", TRIALS)
    b = support.ccgrisk_run(Run.ccgrisk, outlook, Run.tmp / "outlook-b.h5", TRIALS,
                            ["--set", f'data.ccgs="{template}"'])
    da, db = datasets(a), datasets(b)
    assert sorted(da) == sorted(db)
    differ = [name for name in da if da[name] != db[name]]
    assert not differ, differ


def test_bases_are_datasets_with_units_and_description():
    with h5py.File(Run.tmp / "a.h5", "r") as f:
        for name in ("allocation_basis", "population_basis", "planned_surplus_pct_basis",
                     "contingency_pct_basis", "nonrecurrent_pct_basis", "cip_pct_basis",
                     "spec_transfer_pct_basis", "target_distance_pct_basis",
                     "transfer_mismatch_k_basis"):
            ds = f["ccg/" + name]
            assert ds.shape == f["ccg/code"].shape, name
            assert ds.attrs["units"] == "1" and len(ds.attrs["description"]) > 20, name
        codes = list(f["ccg/code"].asstr()[()])
        alloc = f["ccg/allocation_basis"].asstr()[()]
        mismatch = f["ccg/transfer_mismatch_k_basis"].asstr()[()]
    estimated = sum(b.startswith("estimated") for b in alloc)
    assert 150 < estimated < 211, estimated
    assert alloc[codes.index("06H")].startswith("published (CCG annual report 2013-14")
    assert mismatch[codes.index("05Q")] == "scenario [ccg.05Q]"
    summary = support.run([Run.ccgrisk, "summary", Run.tmp / "a.h5"])
    assert f"allocation estimated, not published ({estimated} of the 211 CCGs)" in summary.stdout


def test_export_has_the_basis_columns():
    out = Run.tmp / "csv"
    r = support.run([Run.ccgrisk, "export", Run.tmp / "a.h5", "--csv", out])
    assert r.returncode == 0, r.stderr
    with open(out / "ccg.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert "allocation_basis" in rows[0] and "cip_pct_basis" in rows[0]
    by_code = {row["code"]: row for row in rows}
    assert by_code["05Q"]["transfer_mismatch_k_basis"] == "scenario [ccg.05Q]"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ccgrisk", required=True)
    parser.add_argument("--scenario", required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        Run.ccgrisk, Run.scenario, Run.tmp = args.ccgrisk, args.scenario, pathlib.Path(tmp)
        return support.main([test_template_round_trips_every_dataset,
                             test_outlook_template_round_trips_every_year,
                             test_bases_are_datasets_with_units_and_description,
                             test_export_has_the_basis_columns])


if __name__ == "__main__":
    sys.exit(main())
