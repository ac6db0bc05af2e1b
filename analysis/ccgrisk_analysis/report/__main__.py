"""python3 -m ccgrisk_analysis.report RESULTS.h5 -o DIR: writes DIR/index.html.

Exit codes as ccgrisk's: 0 ok, 2 a file that is not a ccgrisk results file.
"""

import argparse
import sys

from ..results import ResultsFileError
from . import build_report


def main() -> int:
    parser = argparse.ArgumentParser(prog="ccgrisk_analysis.report",
                                     description="HTML report of a ccgrisk results file")
    parser.add_argument("results", help="results file (HDF5) written by ccgrisk run")
    parser.add_argument("-o", "--output", required=True, help="folder for index.html")
    args = parser.parse_args()
    try:
        build_report(args.results, args.output)
    except ResultsFileError as err:
        print(f"ccgrisk report: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
