"""Shared by the Python tests (run by CTest with /usr/bin/python3): running
ccgrisk, a tiny scenario of our own, and a minimal test runner."""

import pathlib
import subprocess
import sys
import traceback

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "analysis"))

# Six CCGs in two regions and three area teams.
TINY_CSV = """ods_code,name,area_team_code,area_team,region,allocation_2013_14_k
A01,NHS Alpha CCG,Q01,"North One, Area",North,200000
A02,NHS Beta CCG,Q01,"North One, Area",North,150000
A03,NHS Gamma CCG,Q02,North Two,North,300000
B01,NHS Delta CCG,Q03,South Area,South,250000
B02,NHS Epsilon CCG,Q03,South Area,South,180000
B03,NHS Zeta CCG,Q03,South Area,South,220000
"""
TINY_TOML = """[run]
trials = 2000
seed = 7
[data]
ccgs = "ccgs.csv"
"""


def run(args, **kwargs):
    """Runs a command, returning the CompletedProcess (text, captured)."""
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)


def ccgrisk_run(ccgrisk, scenario, out, trials=2000, extra=()):
    r = run([ccgrisk, "run", scenario, "-o", out, "--trials", trials, "--quiet", *extra])
    assert r.returncode == 0, r.stderr
    return out


def tiny_scenario(folder: pathlib.Path, extra: str = "") -> pathlib.Path:
    (folder / "ccgs.csv").write_text(TINY_CSV)
    path = folder / "tiny.toml"
    path.write_text(TINY_TOML + extra)
    return path


def main(tests) -> int:
    """Runs each test function; prints a line per failure and a count."""
    failed = 0
    for test in tests:
        try:
            test()
        except Exception:  # noqa: BLE001 - report every failure, keep going
            failed += 1
            print(f"FAILED {test.__name__}")
            traceback.print_exc()
    print(f"{len(tests) - failed} passed, {failed} failed")
    return 1 if failed else 0
