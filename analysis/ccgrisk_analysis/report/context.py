"""What every section reads: the run's tables (ccgrisk_analysis.open_results)
and the open HDF5 file for groups that only some runs have."""

from __future__ import annotations

import dataclasses

import h5py
import numpy as np

from ..results import Results

# 2013-14 as it happened (../shared/DOMAIN.md): CCGs reporting a deficit.
OUTTURN_2013_14 = {"total": 24, "unplanned": 16, "planned": 8}
BASELINE_SCENARIO = "baseline-2013-14.toml"


@dataclasses.dataclass
class Context:
    results: Results
    h5: h5py.File

    @property
    def n(self) -> int:
        return len(self.results.ccg["code"])

    @property
    def trials(self) -> int:
        return self.results.trials

    def has(self, path: str) -> bool:
        return path in self.h5

    def group(self, path: str):
        """An optional group, or None when this file does not have it."""
        obj = self.h5.get(path)
        return obj if isinstance(obj, h5py.Group) else None

    def outturn(self) -> dict | None:
        """The 2013-14 outturn to mark on the count chart: when the file says
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

    def planned_deficit(self) -> np.ndarray:
        """True for CCGs that plan a deficit (/ccg/planned_deficit when the
        file has it, else planned surplus below zero)."""
        if "planned_deficit" in self.results.ccg:
            return np.asarray(self.results.ccg["planned_deficit"]).astype(bool)
        return np.asarray(self.results.ccg["planned_surplus_k"]) < 0
