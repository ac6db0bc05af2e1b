#!/usr/bin/env bash
# Are two ccgrisk results files the same results, bit for bit?
#
# Compares every dataset and attribute exactly with h5diff (hdf5-tools) and
# ignores only what every run has its own of: the root attributes
# created_utc and threads, and wall_seconds (root and stress groups).
# docs/scale-out.md uses it to check an mpirun run against `make run`.
#
# Usage: tools/same-results.sh A.h5 B.h5
# Exit 0 and "same results" when they match; exit 1 and the differences
# otherwise; exit 2 when h5diff cannot compare them.
set -u
if [[ $# -ne 2 ]]; then
  echo "usage: $0 A.h5 B.h5" >&2
  exit 2
fi
out=$(h5diff -v "$1" "$2" 2>&1)
code=$?
if [[ $code -gt 1 ]]; then
  printf '%s\n' "$out" | tail -5 >&2
  exit 2
fi
differences=$(printf '%s\n' "$out" | awk '
  /^attribute: |^dataset: |^group  : / { object = $0 }
  /differences found/ && $1 != "0" {
    if (object !~ /<created_utc of <\/>>|<threads of <\/>>|<wall_seconds of /) print object ": " $0
  }
  /[Nn]ot comparable/ && !/empty dataset/ && !/Some objects are not comparable/ { print object ": " $0 }
  /^    x           \// { print "only in the first file: " $NF }
  /^           x    \// { print "only in the second file: " $NF }')
if [[ -z $differences ]]; then
  echo "same results: $1 and $2 (created_utc, threads and wall_seconds aside)"
  exit 0
fi
printf '%s\n' "$differences"
exit 1
