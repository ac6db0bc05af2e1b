"""Chart style and number formats shared by every section."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

BEFORE = "#005eb8"   # before risk sharing (NHS blue)
AFTER = "#ed8b00"    # after risk sharing (NHS orange)
OUTTURN = "#da291c"  # what happened in 2013-14
PLANNED = "#330072"  # CCGs that plan a deficit
UNDERLYING = "#7c2855"  # the recurrent (underlying) position, runs of several years
CUMULATIVE = "#009639"  # the cumulative outturn, runs of several years
UNPLANNED = "#00a499"  # deficits of CCGs that did not plan one (the count's own line)
# Groups drawn side by side (regions in a sweep): none of the colours above,
# whose meanings are fixed.
CATEGORIES = ["#00a499", "#7c2855", "#ffb81c", "#006747", "#425563", "#ae2573", "#8a1538"]
GREY = "#768692"
SHADE = "#dbe6f4"

plt.rcParams.update({
    "font.family": "DejaVu Sans",
    "font.size": 13,
    "axes.titlesize": 14,
    "axes.labelsize": 13.5,
    "xtick.labelsize": 12.5,
    "ytick.labelsize": 12.5,
    "legend.fontsize": 12.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#e3e7ee",
    "grid.linewidth": 0.8,
    "axes.axisbelow": True,
})


def figure(width: float = 11.0, height: float = 5.2, **kwargs):
    """A figure laid out so that its title, labels and legend never overlap."""
    return plt.subplots(figsize=(width, height), layout="constrained", **kwargs)


def pct(p: float, digits: int = 1) -> str:
    """0.3517 -> '35.2%'."""
    return f"{100 * p:.{digits}f}%"


def money_m(k: float, digits: int = 1) -> str:
    """GBP thousands -> '£12.3m' (negative: '-£12.3m')."""
    sign = "-" if k < 0 else ""
    return f"{sign}£{abs(k) / 1000:,.{digits}f}m"


def count_text(x: float) -> str:
    return f"{x:.1f}" if not float(x).is_integer() else f"{int(x)}"


def short_name(name: str) -> str:
    """'NHS Bury CCG' -> 'Bury'."""
    if name.startswith("NHS "):
        name = name[4:]
    if name.endswith(" CCG"):
        name = name[:-4]
    return name


def nice_ceiling(x: float) -> float:
    """A round number at or above x (axis limits)."""
    if x <= 0:
        return 1.0
    scale = 10 ** math.floor(math.log10(x))
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * scale >= x:
            return step * scale
    return 10 * scale
