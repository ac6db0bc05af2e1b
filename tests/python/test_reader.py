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
        for bad, why in ((pathlib.Path(tmp) / "missing.h5", "no such file"),
                         (pathlib.Path(args.scenario), "not an HDF5 file")):
            try:
                open_results(bad)
            except ResultsFileError as err:
                assert why in str(err), err
            else:
                raise AssertionError(f"{bad} was accepted")
    print("1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
