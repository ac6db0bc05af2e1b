// Named dimensions for the results file: HDF5 dimension scales, so netCDF-4
// readers (h5netcdf, xarray) see /ccg as variables over (ccg, quantile, ...)
// instead of anonymous axes, e.g.
//   xarray.open_dataset(path, group="ccg", engine="h5netcdf").p_red.sel(ccg="00V")
#pragma once

#include "output/hdf5.hpp"

namespace ccgrisk {

// Labels every axis of every dataset in `file` with a dimension scale, once
// the datasets are written (write_results_file calls it just before closing):
//  - the rows of a row group get the group's dimension, whose coordinate is
//    the row labels: /ccg and /pooled `ccg` (CCG codes), /region `region`,
//    /area_team `area_team`, /pool `pool`, /hub `hub`;
//  - the last axis of a dataset is named from the dataset's name:
//    *count_red_quantiles* `count_quantile` and *quantiles* `quantile` (the
//    dataset's `levels`), *count*pmf* `count` (k = 0..n),
//    surplus_hist_counts `bin`, surplus_hist_edges* `edge` (indices);
//  - any other axis gets its own dimension `<dataset>_dim<axis>` (indices).
// Each group gets its own scale datasets, named as the dimension. Axes that
// already have a scale are left alone, so a writer can attach its own.
void add_dimension_scales(const h5::File& file);

}  // namespace ccgrisk
