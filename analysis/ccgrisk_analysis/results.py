"""Open a ccgrisk results file and get its tables as numpy arrays."""

from __future__ import annotations

import dataclasses
import pathlib

import h5py
import numpy as np

FILE_TYPE = "ccgrisk-results"
SCHEMA_MAJOR = 1
QUANTILE_LEVELS = (0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99)


class ResultsFileError(ValueError):
    """The file is missing, not a ccgrisk results file, or of another schema."""


def _text(values) -> list[str]:
    return [v.decode() if isinstance(v, bytes) else str(v) for v in values]


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

    @property
    def trials(self) -> int:
        return int(self.attrs["trials"])

    def most_at_risk(self, count: int = 15, pooled: bool = False) -> list[tuple]:
        """(code, name, P(red), standard error) of the CCGs most likely in the red."""
        table = self.pooled if pooled else self.ccg
        order = np.argsort(-table["p_red"], kind="stable")[:count]
        return [(self.ccg["code"][i], self.ccg["name"][i], float(table["p_red"][i]),
                 float(table["p_red_se"][i])) for i in order]


def _group(f: h5py.File, name: str) -> dict:
    out = {}
    for key, ds in f[name].items():
        if ds.dtype.kind in ("O", "S", "U"):
            out[key] = _text(ds[()] if ds.shape else [ds[()]])
        else:
            out[key] = ds[()]
    return out


def open_results(path) -> Results:
    """Reads a whole results file; raises ResultsFileError if it is not one."""
    path = pathlib.Path(path)
    if not path.is_file():
        raise ResultsFileError(f"{path}: no such file")
    try:
        f = h5py.File(path, "r")
    except OSError as err:
        raise ResultsFileError(f"{path}: not an HDF5 file ({err})") from None
    with f:
        attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
        if attrs.get("file_type") != FILE_TYPE:
            raise ResultsFileError(f"{path}: file_type is {attrs.get('file_type')!r}, "
                                   f"expected {FILE_TYPE!r}")
        version = tuple(int(v) for v in attrs.get("schema_version", ()))
        if not version or version[0] != SCHEMA_MAJOR:
            raise ResultsFileError(f"{path}: schema version {version} is not {SCHEMA_MAJOR}.x")
        groups = {name: _group(f, name) for name in
                  ("ccg", "pooled", "national", "region", "area_team", "pool")}
    return Results(path=path, attrs=attrs, **groups)
