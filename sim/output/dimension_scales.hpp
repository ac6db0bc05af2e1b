// Named dimensions for the results file: HDF5 dimension scales, so netCDF-4
// readers (h5netcdf, xarray) see /ccg as variables over (ccg, quantile, ...)
// instead of anonymous axes, e.g.
//   xarray.open_dataset(path, group="ccg", engine="h5netcdf").p_red.sel(ccg="00V")
#pragma once

#include "output/hdf5.hpp"

namespace ccgrisk {

// Labels every axis of every dataset in `file` with a dimension scale, once
// the datasets are written (write_results_file calls it just before closing):
//  - labelled dimensions, whose coordinate is a dataset of labels: the rows
//    of /ccg, /pooled, /attribution, /breakeven `ccg` (CCG codes), /region
//    `region`, /area_team `area_team`, /pool `pool`, /hub `hub`, /targets
//    `target`, /sweep `value` (the parameter values), /breakeven
//    `grid_value`, /reverse_stress `direction`; the columns of
//    /attribution `component`, /sweep `ccg` and `region`, /reverse_stress
//    `driver` and `ccg` (kLabelledDimensions: one line per dimension);
//  - the last axis of other datasets is named from the dataset's name:
//    *count_red*quantiles* `count_quantile` and *quantiles* `quantile` (the
//    dataset's `levels`), *count*pmf* `count` (k = 0..n),
//    surplus_hist_counts `bin`, surplus_hist_edges* `edge`, tipping_*
//    `tipping_rank` (indices);
//  - any other axis gets its own dimension `<dataset>_dim<axis>` (indices).
// Dimensions are matched by length, in that order, so when two of a group
// have the same length (a 6-CCG table with 6 stress directions) the first
// listed wins. Each group gets its own scale datasets, named as the
// dimension. Axes that already have a scale are left alone, so a writer can
// attach its own.
void add_dimension_scales(const h5::File& file);

}  // namespace ccgrisk
