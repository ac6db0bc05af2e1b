#!/usr/bin/python3
"""Re-scale the estimated allocations of ccg_2013_14.csv (SOURCES.md).

Every row whose allocation_basis starts with "estimated" gets
population x (national total - the other rows' allocations) / (the
estimated rows' population), in GBP thousands, rounded to whole thousands
by largest remainder so that the 211 allocations add up to exactly the
published national CCG total of GBP 63.4bn. Run it after replacing an
estimate with a published or reported figure:

    /usr/bin/python3 scenarios/data/rescale_estimates.py scenarios/data/ccg_2013_14.csv

It prints the per-head figure used and rewrites the file in place (same
columns, same quoting style and line ends).
"""

import csv
import math
import sys

NATIONAL_TOTAL_K = 63_400_000  # england.nhs.uk/allocations-2013-14: GBP 63.4bn to CCGs


def rescale(rows):
    estimated = [r for r in rows if r["allocation_basis"].lower().startswith("estimated")]
    fixed_k = sum(float(r["allocation_2013_14_k"]) for r in rows if r not in estimated)
    population = sum(int(r["population"]) for r in estimated)
    per_head_k = (NATIONAL_TOTAL_K - fixed_k) / population
    exact = [int(r["population"]) * per_head_k for r in estimated]
    whole = [math.floor(x) for x in exact]
    short = round(NATIONAL_TOTAL_K - fixed_k - sum(whole))
    # Largest remainders first (ties by table order) take the missing thousands.
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - whole[i]), i))
    for i in order[:short]:
        whole[i] += 1
    for r, k in zip(estimated, whole):
        r["allocation_2013_14_k"] = str(k)
    return per_head_k, len(estimated), fixed_k


def main(path):
    with open(path, newline="", encoding="utf-8") as f:
        text = f.read()
    line_end = "\r\n" if "\r\n" in text else "\n"
    reader = csv.DictReader(text.splitlines(keepends=True))
    fields, rows = reader.fieldnames, list(reader)
    per_head_k, count, fixed_k = rescale(rows)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator=line_end)
        writer.writeheader()
        writer.writerows(rows)
    total = sum(int(float(r["allocation_2013_14_k"])) for r in rows)
    print(f"{count} estimated rows at GBP {1000 * per_head_k:.2f} a head; "
          f"{len(rows) - count} others GBP {fixed_k:,.0f}k; total GBP {total:,}k")


if __name__ == "__main__":
    main(sys.argv[1])
