#!/usr/bin/env python3
"""Print the CCGs most likely to end the year in the red, from a results file.

    /usr/bin/python3 analysis/top_red.py results/baseline-2013-14.h5 [--count 15] [--pooled]
    /usr/bin/python3 analysis/top_red.py results/outlook-2013-16.h5 --year 2015-16

A run of several years shows one year: --year LABEL, by default the first.
"""

import argparse
import sys

from ccgrisk_analysis import ResultsFileError, open_results


def positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a whole number of at least 1")
    return value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results")
    parser.add_argument("--count", type=positive, default=15, help="how many CCGs (default 15)")
    parser.add_argument("--pooled", action="store_true", help="after risk sharing")
    parser.add_argument("--year", help="a run of several years: the year (default: the first)")
    args = parser.parse_args()
    try:
        results = open_results(args.results)
        labels = results.year_labels if results.horizon_years > 1 else []
        if args.year is not None and args.year not in labels:
            raise ResultsFileError(
                f"{args.results}: --year {args.year}: the file's years are {labels}"
                if labels else f"{args.results}: --year: the file holds a one-year run")
        if labels:
            year = labels.index(args.year) if args.year is not None else 0
            results = open_results(args.results, year=year)
    except ResultsFileError as err:
        print(f"top_red: error: {err}", file=sys.stderr)
        return 2
    in_year = f" in {labels[year]} (of {', '.join(labels)})" if labels else ""
    expected = results.national["expected_red_pooled" if args.pooled else "expected_red"]
    sharing = "after risk sharing" if args.pooled else "before risk sharing"
    print(f"{results.trials:,} trials; expected CCGs in the red{in_year} {sharing} "
          f"{float(expected):.2f}")
    estimated = dict(zip(results.ccg["code"], results.estimated_allocation()))
    rows = results.most_at_risk(args.count, args.pooled)
    for code, name, p, se in rows:
        mark = " *" if estimated[code] else ""
        print(f"{code:5} {name[:50 - len(mark)] + mark:50} {p:.4f} +- {se:.4f}")
    if any(estimated[row[0]] for row in rows):
        print("* allocation estimated from registered population, not published: its P(red) "
              "reflects our estimate (docs/data.md)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
