"""python3 -m ccgrisk_analysis.report RESULTS.h5 (-o DIR | --stdout): writes
DIR/index.html, or the page to stdout (how `ccgrisk report` calls it: it
then writes the file itself, checked and atomically, as every output).

Exit codes as ccgrisk's: 0 ok, 2 a file that is not a ccgrisk results file.
"""

import argparse
import sys

from ..results import ResultsFileError
from . import build_report, render


def main() -> int:
    parser = argparse.ArgumentParser(prog="ccgrisk_analysis.report",
                                     description="HTML report of a ccgrisk results file")
    parser.add_argument("results", help="results file (HDF5) written by ccgrisk run")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("-o", "--output", help="folder for index.html")
    where.add_argument("--stdout", action="store_true", help="write the page to stdout")
    args = parser.parse_args()
    try:
        if args.stdout:
            sys.stdout.buffer.write(render(args.results).encode("utf-8"))
        else:
            build_report(args.results, args.output)
    except ResultsFileError as err:
        print(f"ccgrisk report: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
