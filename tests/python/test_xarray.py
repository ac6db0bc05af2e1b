"""The results file as labelled arrays: every group opens in xarray
(h5netcdf engine) with named dimensions and coordinates, and h5py reads the
schema 1.0 datasets as before. Run by CTest with /usr/bin/python3."""

import argparse
import pathlib
import sys
import tempfile

import h5py
import numpy as np
import xarray as xr

import support

from ccgrisk_analysis import open_results  # noqa: E402

LEVELS = [0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99]
DIMS = {
    "ccg": {"ccg", "quantile", "bin", "edge"},
    "pooled": {"ccg", "quantile", "bin", "edge"},
    "national": {"count", "count_quantile", "quantile"},
    "region": {"region", "count", "count_quantile", "quantile"},
    "area_team": {"area_team", "count", "count_quantile", "quantile"},
    "pool": {"pool", "count", "count_quantile", "quantile"},
    "hub": {"hub", "quantile"},
    "targets": {"target"},
    "attribution": {"ccg", "component"},
}


class Run:
    baseline = tiny = years = eight_years = uncertain = four_samples = None


def groups(path):
    with h5py.File(path, "r") as f:
        present = [g for g in DIMS if g in f and (g != "hub" or len(f["hub/name"]))]
    assert "targets" in present or path == Run.tiny, "the baseline run should have /targets"
    return present


def check_groups(path):
    for group in groups(path):
        with xr.open_dataset(path, group=group, engine="h5netcdf") as ds:
            assert set(ds.dims) == DIMS[group], (group, dict(ds.dims))
            assert not any(d.startswith("phony") for d in ds.dims)
            for name, var in ds.data_vars.items():
                assert "units" in var.attrs and "description" in var.attrs, (group, name)


def test_every_group_has_named_dimensions():
    check_groups(Run.baseline)
    check_groups(Run.tiny)


def test_coordinates_are_the_labels():
    with h5py.File(Run.baseline, "r") as f, \
            xr.open_dataset(Run.baseline, group="ccg", engine="h5netcdf") as ccg:
        codes = f["ccg/code"].asstr()[()]
        assert list(ccg["ccg"].values) == list(codes)
        assert ccg["p_red"].dims == ("ccg",)
        assert ccg["surplus_quantiles_k"].dims == ("ccg", "quantile")
        assert ccg["surplus_hist_counts"].dims == ("ccg", "bin")
        assert ccg["surplus_hist_edges_k"].dims == ("ccg", "edge")
        assert np.allclose(ccg["quantile"].values, LEVELS)
        code = codes[3]
        assert float(ccg["p_red"].sel(ccg=code)) == f["ccg/p_red"][3]
        assert float(ccg["surplus_quantiles_k"].sel(ccg=code, quantile=0.5)) == \
            f["ccg/surplus_quantiles_k"][3, 4]
        assert ccg["p_red"].attrs["units"] == "probability"
    with h5py.File(Run.baseline, "r") as f:
        has_attribution = "attribution" in f
    if has_attribution:
        with xr.open_dataset(Run.baseline, group="attribution", engine="h5netcdf") as att:
            assert att["mean_in_red_k"].dims == ("ccg", "component")
            assert att["es_contribution_k"].dims == ("ccg",)
            assert len(att["component"]) == att.sizes["component"] > 0
    with xr.open_dataset(Run.baseline, group="region", engine="h5netcdf") as region:
        assert region["count_red_pmf"].dims == ("region", "count")
        assert list(region["count"].values) == list(range(region.sizes["count"]))
        assert list(region["count_quantile"].values) == [0.05, 0.5, 0.95]
        north = region["expected_red"].sel(region="North")
        assert float(north) == float(region["expected_red"][0])


def test_a_run_without_pools_has_an_empty_pool_dimension():
    with xr.open_dataset(Run.tiny, group="pool", engine="h5netcdf") as pool:
        assert pool.sizes["pool"] == 0
        assert pool["count_red_pmf"].shape == (0, 7)


def test_a_run_of_several_years_is_labelled():
    """Schema 1.1: every group opens with named dimensions (the leading
    `year`, and the first year in the red or never), none an unlabelled
    index, and the coordinates select what h5py reads."""
    with h5py.File(Run.years, "r") as f:
        labels = list(f["year/label"].asstr()[()])
        for group in DIMS:
            if group not in f:
                continue
            with xr.open_dataset(Run.years, group=group, engine="h5netcdf") as ds:
                extra = {"first_red_year"} if group in ("ccg", "pooled") else set()
                assert set(ds.dims) == DIMS[group] | {"year"} | extra, (group, dict(ds.dims))
                assert list(ds["year"].values) == labels
        for group in ("ccg", "pooled"):
            with xr.open_dataset(Run.years, group=group, engine="h5netcdf") as ds:
                code = str(ds["ccg"].values[5])
                assert ds["p_red"].dims == ("year", "ccg")
                assert float(ds["p_red"].sel(year=labels[1], ccg=code)) == f[group + "/p_red"][1, 5]
                assert ds["cumulative_surplus_quantiles_k"].dims == ("year", "ccg", "quantile")
                assert ds["p_red_any_year"].dims == ("ccg",)
                assert ds["first_red_year_pmf"].dims == ("ccg", "first_red_year")
                assert list(ds["first_red_year"].values) == labels + ["never"]
                for k, first in enumerate(labels + ["never"]):
                    assert float(ds["first_red_year_pmf"].sel(ccg=code, first_red_year=first)) == \
                        f[group + "/first_red_year_pmf"][5, k]
        with xr.open_dataset(Run.years, group="national", engine="h5netcdf") as nat:
            assert nat["count_red_pmf"].dims == ("year", "count")
            assert nat["count_red_any_year_pmf"].dims == ("count",)
            assert nat["total_surplus_quantiles_k"].dims == ("year", "quantile")


def test_eight_years_keep_the_quantile_axis():
    """In a run of 8 years the first year in the red has 9 entries, as many
    as the quantile levels: each axis still gets its own dimension."""
    with xr.open_dataset(Run.eight_years, group="ccg", engine="h5netcdf") as ccg:
        assert ccg.sizes["first_red_year"] == ccg.sizes["quantile"] == 9
        assert ccg["surplus_quantiles_k"].dims == ("year", "ccg", "quantile")
        assert ccg["underlying_quantiles_k"].dims == ("year", "ccg", "quantile")
        assert ccg["first_red_year_pmf"].dims == ("ccg", "first_red_year")
        assert list(ccg["first_red_year"].values)[-1] == "never"


def test_uncertainty_samples_share_one_dimension():
    """/uncertainty's per-sample datasets line up on one `sample` dimension."""
    with xr.open_dataset(Run.uncertain, group="uncertainty", engine="h5netcdf") as u:
        assert u["p_red"].dims == ("sample", "ccg")
        assert u["values"].dims == ("sample", "parameter")
        for name in ("expected_red", "expected_red_pooled", "count_red_variance"):
            assert u[name].dims == ("sample",), name
        assert list(u["sample"].values) == list(range(u.sizes["sample"]))
        assert u["expected_red_summary"].dims == ("statistic",)
        assert list(u["statistic"].values) == ["mean", "5%", "50%", "95%"]
        # With 4 samples, the summary still takes `statistic`, not `sample`.
    # open_results reads the group too; a run without it has none.
    u = open_results(Run.uncertain).uncertainty
    assert u["attrs"]["sampler"] == "lhs" and u["attrs"]["samples"] == 64
    assert u["p_red_q95"].shape == (211,) and len(u["parameter"]) == u["values"].shape[1]
    assert open_results(Run.baseline).uncertainty is None
    with xr.open_dataset(Run.four_samples, group="uncertainty", engine="h5netcdf") as u:
        assert u.sizes["sample"] == 4
        assert u["expected_red_summary"].dims == ("statistic",)
        assert u["expected_red"].dims == ("sample",)


def test_h5py_reads_the_schema_as_before():
    r = open_results(Run.baseline)
    n = len(r.ccg["code"])
    assert r.ccg["p_red"].shape == (n,)
    assert r.ccg["surplus_quantiles_k"].shape == (n, 9)
    assert r.national["count_red_pmf"].shape == (n + 1,)
    with h5py.File(Run.baseline, "r") as f:
        assert f["ccg/p_red"].attrs["units"] == "probability"
        assert list(f["ccg/surplus_quantiles_k"].attrs["levels"]) == LEVELS
        assert f["ccg/code"].dtype.kind == "O" and f["national/expected_red"].shape == ()
        assert [d.label for d in f["ccg/p_red"].dims] == [""]  # scales, not labels
        assert list(f["ccg/p_red"].dims[0].keys()) == ["ccg"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ccgrisk", required=True)
    parser.add_argument("--scenario", required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        targets = pathlib.Path(args.scenario).parent / "targets-2013-14.toml"
        Run.baseline = support.ccgrisk_run(args.ccgrisk, args.scenario, tmp / "base.h5", 500,
                                           ["--targets", targets] if targets.is_file() else [])
        Run.tiny = support.ccgrisk_run(args.ccgrisk, support.tiny_scenario(tmp), tmp / "tiny.h5",
                                       500)
        outlook = pathlib.Path(args.scenario).parent / "outlook-2013-16.toml"
        Run.years = support.ccgrisk_run(args.ccgrisk, outlook, tmp / "years.h5", 500)
        (tmp / "eight").mkdir()
        eight = support.tiny_scenario(tmp / "eight", "[horizon]\nyears = 8\n")
        Run.eight_years = support.ccgrisk_run(args.ccgrisk, eight, tmp / "eight.h5", 500)
        uncertain = pathlib.Path(args.scenario).parent / "baseline-2013-14-uncertain.toml"
        Run.uncertain = support.ccgrisk_run(args.ccgrisk, uncertain, tmp / "uncertain.h5", 200)
        (tmp / "four").mkdir()
        four = support.tiny_scenario(
            tmp / "four", "[uncertainty]\nsamples = 4\n[[uncertainty.parameter]]\n"
            "key = \"drivers.cip_delivery.mean\"\ndistribution = \"uniform\"\n"
            "min = 0.6\nmax = 0.9\n")
        Run.four_samples = support.ccgrisk_run(args.ccgrisk, four, tmp / "four.h5", 200)
        return support.main([test_every_group_has_named_dimensions,
                             test_coordinates_are_the_labels,
                             test_a_run_without_pools_has_an_empty_pool_dimension,
                             test_a_run_of_several_years_is_labelled,
                             test_eight_years_keep_the_quantile_axis,
                             test_uncertainty_samples_share_one_dimension,
                             test_h5py_reads_the_schema_as_before])


if __name__ == "__main__":
    sys.exit(main())
