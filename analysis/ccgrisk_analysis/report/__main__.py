"""python3 -m ccgrisk_analysis.report RESULTS.h5 (-o DIR | --stdout) [--ccg CODE]:
writes DIR/index.html, or the page to stdout (how `ccgrisk report` calls it:
it then writes the file itself, checked and atomically, as every output).
--ccg chooses the CCG whose years a run of several years draws.

Exit codes as ccgrisk's: 0 ok, 2 a file that is not a ccgrisk results file
(or has no CCG --ccg).
"""

import argparse
import signal
import sys

from ..results import ResultsFileError
from . import build_report, render


def main() -> int:
    # Stopped as ccgrisk is (Ctrl-C, SIGTERM, a closed pipe): quietly, with
    # 128 + the signal, no traceback; ccgrisk says what was written.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        return _main()
    except KeyboardInterrupt:
        return 128 + signal.SIGINT


def _main() -> int:
    parser = argparse.ArgumentParser(prog="ccgrisk_analysis.report",
                                     description="HTML report of a ccgrisk results file")
    parser.add_argument("results", help="results file (HDF5) written by ccgrisk run")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("-o", "--output", help="folder for index.html")
    where.add_argument("--stdout", action="store_true", help="write the page to stdout")
    parser.add_argument("--ccg", metavar="CODE",
                        help="a run of several years: the CCG whose years are drawn "
                             "(default: the most likely to be in the red in at least one year)")
    args = parser.parse_args()
    try:
        if args.stdout:
            sys.stdout.buffer.write(render(args.results, args.ccg).encode("utf-8"))
        else:
            build_report(args.results, args.output, args.ccg)
    except ResultsFileError as err:
        print(f"ccgrisk report: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
