"""What every section reads: the run's tables (ccgrisk_analysis.open_results)
and the open HDF5 file for groups that only some runs have.

A run of several years (schema 1.1) is read as its first year (year_view),
so that every one-year section draws that year unchanged; the whole run is
in Context.run for the sections about the years."""

from __future__ import annotations

import contextlib
import dataclasses

import h5py
import numpy as np

from ..results import QUANTILE_LEVELS, Results, ResultsFileError, open_results, read_results, \
    year_view

# 2013-14 as NHS England's month-9 report forecast it (docs/calibration.md row
# 1): CCGs forecasting a deficit. Not the audited outturn, which came later.
OUTTURN_2013_14 = {"total": 24, "unplanned": 16, "planned": 8}
BASELINE_SCENARIO = "baseline-2013-14.toml"
# Marks a CCG whose allocation is an estimate, in tables and chart labels.
ESTIMATED_MARK = "*"


@dataclasses.dataclass
class Context:
    results: Results  # one year: the run's, or the first of several
    h5: h5py.File     # the file, or its first year's view
    run: Results | None = None  # the whole run, when it covers several years
    focus_ccg: str | None = None  # the CCG whose years are drawn (code); None: the most at risk

    @property
    def years(self) -> list:
        """The financial years of a run of several years; [] for one year."""
        return self.run.year_labels if self.run is not None else []

    @property
    def span(self) -> str:
        """'2013-14 to 2015-16': the years of a run of several years."""
        return f"{self.years[0]} to {self.years[-1]}" if self.years else ""

    @property
    def n(self) -> int:
        return len(self.results.ccg["code"])

    @property
    def trials(self) -> int:
        return self.results.trials

    def has(self, path: str) -> bool:
        return path in self.h5

    def levels(self, path: str) -> np.ndarray:
        """The quantile levels of a quantiles dataset (its `levels` attribute)."""
        ds = self.h5.get(path)
        levels = ds.attrs.get("levels") if ds is not None else None
        return np.asarray(QUANTILE_LEVELS if levels is None else levels, dtype=float)

    def group(self, path: str):
        """An optional group, or None when this file does not have it."""
        obj = self.h5.get(path)
        return obj if isinstance(obj, h5py.Group) else None

    def outturn(self) -> dict | None:
        """The 2013-14 month-9 forecast to mark on the count chart: when the file says
        so (root attribute outturn_red_2013_14) or the run is the baseline."""
        attrs = self.results.attrs
        if "outturn_red_2013_14" in attrs:
            total = int(np.asarray(attrs["outturn_red_2013_14"]).ravel()[0])
            if total == OUTTURN_2013_14["total"]:
                return dict(OUTTURN_2013_14)
            return {"total": total}
        if str(attrs.get("scenario_path", "")).endswith(BASELINE_SCENARIO):
            return dict(OUTTURN_2013_14)
        return None

    def estimated(self) -> np.ndarray:
        """True for CCGs whose allocation is an estimate (/ccg/allocation_basis
        starts with "estimated"); all False when the file does not say."""
        return self.results.estimated_allocation()

    def marked(self, i: int, label: str) -> str:
        """`label` with the estimated-allocation marker when CCG i has one."""
        return f"{label} {ESTIMATED_MARK}" if self.estimated()[i] else label

    def estimated_note(self, shown=None) -> str:
        """One sentence on the marker, or "" when no CCG (of `shown`) is marked."""
        est = self.estimated()
        if not est.any() or (shown is not None and not est[np.asarray(shown)].any()):
            return ""
        return (f"{ESTIMATED_MARK} Allocation estimated from registered population, not "
                f"published: {int(est.sum())} of the {self.n} CCGs. Their P(red), and their "
                "place in any ranking, reflect our estimate of the allocation, not their own "
                "finances (docs/data.md).")

    def planned_deficit(self) -> np.ndarray:
        """True for CCGs that plan a deficit (/ccg/planned_deficit when the
        file has it, else planned surplus below zero)."""
        if "planned_deficit" in self.results.ccg:
            return np.asarray(self.results.ccg["planned_deficit"]).astype(bool)
        return np.asarray(self.results.ccg["planned_surplus_k"]) < 0


@contextlib.contextmanager
def open_context(results_path, focus_ccg: str | None = None):
    """The Context of a results file, open inside the `with` block. A run of
    several years is seen as its first year, with the whole run in ctx.run.
    Raises ResultsFileError for a file that is not a results file, or one
    without the CCG `focus_ccg`."""
    results = open_results(results_path)
    if focus_ccg is not None and focus_ccg not in results.ccg["code"]:
        raise ResultsFileError(f"{results.path}: no CCG with code {focus_ccg!r}")
    with h5py.File(results.path, "r") as f:
        if results.horizon_years == 1:
            yield Context(results, f, focus_ccg=focus_ccg)
            return
        with year_view(f, 0) as first:
            yield Context(read_results(first, results.path), first, results, focus_ccg)
