#!/bin/sh
# Writes the results seed: a run of the every-section seed scenario on the
# seed CCG table, with the every-statistic targets, 200 trials. Generated,
# not checked in: even this small run is about 220 KB (HDF5 metadata for
# some 200 objects); one with a single CCG is still 150 KB.
#   fuzz/make_results_seed.sh CCGRISK OUTPUT.h5
set -eu
fuzz=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$(dirname "$2")"
"$1" run "$fuzz/corpus/scenario/every-section.toml" -q -o "$2" \
  --set data.ccgs="$fuzz/corpus/ccg_table/small-15-ccgs.csv" --trials 200 --set run.target_se=0 \
  --targets "$fuzz/corpus/targets/every-statistic.toml"
