"""Open a ccgrisk results file and get its tables as numpy arrays."""

from __future__ import annotations

import dataclasses
import io
import pathlib

import h5py
import numpy as np

FILE_TYPE = "ccgrisk-results"
SCHEMA_MAJOR = 1
QUANTILE_LEVELS = (0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99)
# Attributes of HDF5 dimension scales: references into their own file.
_SCALE_ATTRS = {"DIMENSION_LIST", "REFERENCE_LIST", "CLASS", "NAME"}


class ResultsFileError(ValueError):
    """The file is missing, not a ccgrisk results file, or of another schema."""


def _text(values) -> list[str]:
    return [v.decode() if isinstance(v, bytes) else str(v) for v in values]


def checked_text(ds: h5py.Dataset) -> list[str]:
    """A string dataset's values as text, flattened. Names and codes are text, as
    ccgrisk writes them: a control character (a terminal escape) means the
    file was made elsewhere, and is a ResultsFileError."""
    values = _text(np.asarray(ds[()]).ravel() if ds.shape else [ds[()]])
    if any(ch < " " or ch == "\x7f" for text in values for ch in text):
        raise ResultsFileError(f"{ds.file.filename}: {ds.name} holds a control character")
    return values


@dataclasses.dataclass
class Results:
    """One run's results. Tables are dicts of column name -> numpy array."""

    path: pathlib.Path
    attrs: dict
    ccg: dict          # per CCG, before risk sharing (/ccg)
    pooled: dict       # per CCG, after risk sharing (/pooled)
    national: dict
    region: dict
    area_team: dict
    pool: dict
    year_labels: list = dataclasses.field(default_factory=list)  # /year/label, several years
    # /uncertainty (a scenario with [uncertainty]): its datasets by name,
    # with the group's attributes (sampler, samples, seed, ...) under "attrs";
    # None without it.
    uncertainty: dict | None = None

    @property
    def trials(self) -> int:
        return int(self.attrs["trials"])

    @property
    def horizon_years(self) -> int:
        """The number of years the run covers (1 for a schema 1.0 file)."""
        return horizon_years(self.attrs)

    def estimated_allocation(self) -> np.ndarray:
        """True for CCGs whose allocation is an estimate (/ccg/allocation_basis
        starts with "estimated"); all False when the file does not say."""
        basis = self.ccg.get("allocation_basis")
        if basis is None:
            return np.zeros(len(self.ccg["code"]), dtype=bool)
        return np.array([str(b).strip().lower().startswith("estimated") for b in basis])

    def most_at_risk(self, count: int = 15, pooled: bool = False) -> list[tuple]:
        """(code, name, P(red), standard error) of the CCGs most likely in the red."""
        table = self.pooled if pooled else self.ccg
        if np.ndim(table["p_red"]) != 1:
            raise ResultsFileError(
                f"{self.path}: a run of {self.horizon_years} years: open one year with "
                f"open_results(path, year=k), k an index into {self.year_labels}")
        order = np.argsort(-table["p_red"], kind="stable")[:count]
        return [(self.ccg["code"][i], self.ccg["name"][i], float(table["p_red"][i]),
                 float(table["p_red_se"][i])) for i in order]


def _group(f: h5py.File, name: str) -> dict:
    out = {}
    for key, ds in f[name].items():
        if ds.dtype.kind in ("O", "S", "U"):
            out[key] = checked_text(ds)
        else:
            out[key] = ds[()]
    return out


def horizon_years(attrs) -> int:
    """The number of years of a run, from the file's root attributes."""
    return int(np.asarray(attrs.get("horizon_years", 1)).ravel()[0])


def _per_year(ds: h5py.Dataset) -> bool:
    """True for a dataset of one year's outturn in a run of several years (schema
    1.1): it has a leading year axis, marked by its attribute leading_axis = "year"."""
    value = ds.attrs.get("leading_axis")
    return (value.decode() if isinstance(value, bytes) else value) == "year"


def year_view(f: h5py.File, year: int) -> h5py.File:
    """One year of a run of several years (schema 1.1) in the one-year layout:
    an in-memory HDF5 file in which every dataset with a leading year axis
    holds that year's row (and loses the axis), everything else as in `f`.
    The root attribute `year` names the year. Close it after use."""
    view = h5py.File(io.BytesIO(), "w")

    def copy_attrs(source, target, drop=()):
        for key, value in source.attrs.items():
            if key not in _SCALE_ATTRS and key not in drop:
                target.attrs[key] = value

    def copy(name, obj):
        if isinstance(obj, h5py.Group):
            copy_attrs(obj, view.require_group(name))
        elif _per_year(obj):
            copy_attrs(obj, view.create_dataset(name, data=obj[year], dtype=obj.dtype),
                       drop=("leading_axis",))
        else:
            copy_attrs(obj, view.create_dataset(name, data=obj[()], dtype=obj.dtype))

    copy_attrs(f, view)
    f.visititems(copy)
    view.attrs["year"] = _text(f["year/label"][()])[year]
    return view


# The outcomes across years that every file of several years holds.
HORIZON_DATASETS = ("ccg/p_red_any_year", "ccg/p_red_every_year", "ccg/first_red_year_pmf",
                    "ccg/cumulative_surplus_quantiles_k", "ccg/underlying_quantiles_k",
                    "national/count_red_any_year_pmf")


def read_results(f: h5py.File, path) -> Results:
    """The tables of an open results file (see open_results)."""
    attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
    if attrs.get("file_type") != FILE_TYPE:
        raise ResultsFileError(f"{path}: file_type is {attrs.get('file_type')!r}, "
                               f"expected {FILE_TYPE!r}")
    version = tuple(int(v) for v in attrs.get("schema_version", ()))
    if not version or version[0] != SCHEMA_MAJOR:
        raise ResultsFileError(f"{path}: schema version {version} is not {SCHEMA_MAJOR}.x")
    trials = attrs.get("trials")
    if not isinstance(trials, (int, np.integer)) or trials < 1:
        raise ResultsFileError(f"{path}: root attribute 'trials' is {trials!r}, not a count of "
                               "trials")
    groups = {name: _group(f, name) for name in
              ("ccg", "pooled", "national", "region", "area_team", "pool")}
    labels = _text(f["year/label"][()]) if "year/label" in f else []
    years = horizon_years(attrs)
    if years > 1:  # a run of several years always has its years and outcomes across them
        if len(labels) != years:
            raise ResultsFileError(f"{path}: /year/label has {len(labels)} labels for a run of "
                                   f"{years} years")
        for name in HORIZON_DATASETS:
            if name not in f:
                raise ResultsFileError(f"{path}: /{name} is missing from a run of {years} years")
    uncertainty = None
    if "uncertainty" in f:
        uncertainty = _group(f, "uncertainty")
        uncertainty["attrs"] = {k: (v.decode() if isinstance(v, bytes) else v)
                                for k, v in f["uncertainty"].attrs.items()}
    return Results(path=pathlib.Path(path), attrs=attrs, year_labels=labels,
                   uncertainty=uncertainty, **groups)


def open_results(path, year: int | str | None = None) -> Results:
    """Reads a whole results file; raises ResultsFileError if it is not one.

    A run of several years (schema 1.1) keeps the leading year axis of its
    per-year datasets; with `year` (an index into /year/label, or one of its
    labels, e.g. "2014-15") the tables are that year's, in the one-year
    layout (year_view). A year the file does not have is a ResultsFileError."""
    path = pathlib.Path(path)
    if not path.is_file():
        raise ResultsFileError(f"{path}: no such file")
    try:
        f = h5py.File(path, "r")
    except OSError as err:
        raise ResultsFileError(f"{path}: not an HDF5 file ({err})") from None
    with f:
        try:
            results = read_results(f, path)
        except UnicodeDecodeError as err:
            raise ResultsFileError(f"{path}: a name or label is not UTF-8 text ({err})") from None
        if year is None or results.horizon_years == 1:
            return results
        labels = results.year_labels
        if isinstance(year, str) and year in labels:
            year = labels.index(year)
        if isinstance(year, bool) or not isinstance(year, (int, np.integer)) \
                or not 0 <= year < len(labels):
            raise ResultsFileError(f"{path}: year={year!r}: the file's years are {labels} "
                                   f"(give a label or an index 0..{len(labels) - 1})")
        with year_view(f, int(year)) as view:
            return read_results(view, path)  # the same data: decoded above
