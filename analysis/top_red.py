#!/usr/bin/env python3
"""Print the CCGs most likely to end the year in the red, from a results file.

    /usr/bin/python3 analysis/top_red.py results/baseline-2013-14.h5 [--count 15] [--pooled]
"""

import argparse
import sys

from ccgrisk_analysis import ResultsFileError, open_results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results")
    parser.add_argument("--count", type=int, default=15)
    parser.add_argument("--pooled", action="store_true", help="after risk sharing")
    args = parser.parse_args()
    try:
        results = open_results(args.results)
    except ResultsFileError as err:
        print(f"top_red: error: {err}", file=sys.stderr)
        return 2
    print(f"{results.trials:,} trials; expected CCGs in the red "
          f"{float(results.national['expected_red']):.2f}")
    for code, name, p, se in results.most_at_risk(args.count, args.pooled):
        print(f"{code:5} {name:50} {p:.4f} +- {se:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
