"""The sections of a run of several years (schema 1.1; docs/results-format.md,
"Several years"): the chance of being in the red in each year and in any
year, for England and for every CCG, with the recurrent position behind it.
They read the whole run (ctx.run) and return None for a one-year run; every
other section draws the run's first year."""

from __future__ import annotations

import numpy as np

from .context import Context
from .html import Raw, Section, Table, chart, figure_card
from .sections import ccg_label, grouped_bars, note
from .style import BEFORE, CUMULATIVE, OUTTURN, UNDERLYING, figure, money_m, pct, short_name

BANDS = ((0.05, 0.95), (0.25, 0.75))  # the fan charts' bands, widest first
NEVER = "never in the red"  # the last column of first_red_year_pmf

# The fan charts' panels: heading, colour, and the quantiles of England's and of each CCG's
# position (/national and /ccg datasets, [years, (CCGs,) levels]).
PANELS = (("Outturn of the year", BEFORE, "total_surplus_quantiles_k", "surplus_quantiles_k"),
          ("Recurrent (underlying)", UNDERLYING, "underlying_total_quantiles_k",
           "underlying_quantiles_k"),
          ("Cumulative outturn", CUMULATIVE, "cumulative_total_quantiles_k",
           "cumulative_surplus_quantiles_k"))


def _column(levels: np.ndarray, level: float) -> int:
    """The column of the `level` quantile in a dataset with these `levels`."""
    found = np.flatnonzero(np.isclose(levels, level))
    if not len(found):
        raise ValueError(f"no {level:g} quantile (levels {list(levels)})")
    return int(found[0])


def _quantiles(ctx: Context, group: str, name: str):
    """A quantiles dataset of the whole run, [years, ..., levels], and its levels."""
    table = getattr(ctx.run, group)
    return np.asarray(table[name], dtype=float), ctx.levels(f"{group}/{name}")


# ---- England year by year ------------------------------------------------------------

def _cards(ctx: Context) -> str:
    nat, last = ctx.run.national, ctx.years[-1]
    e, ep = float(nat["expected_red_any_year"]), float(nat["expected_red_any_year_pooled"])
    e_last, ep_last = float(nat["expected_red"][-1]), float(nat["expected_red_pooled"][-1])
    p_last = float(nat["p_sector_deficit"][-1])
    under_last = float(_median(_panels(ctx)[1])[-1])
    cards = [
        figure_card("expected_red_any_year", f"Expected CCGs in the red in at least one year "
                    f"(of {ctx.n})", f"{e:.1f}", e,
                    f"{ep:.1f} after risk sharing; {ctx.span}"),
        figure_card("expected_red_last_year", f"Expected CCGs in the red in {last}",
                    f"{e_last:.1f}", e_last, f"{ep_last:.1f} after risk sharing"),
        figure_card("p_sector_deficit_last_year", f"P(CCG sector in deficit) in {last}",
                    pct(p_last, 2), p_last, "the CCGs' outturns add up to less than zero"),
        figure_card("underlying_median_last_year_k", f"Median recurrent position, {last}",
                    money_m(under_last, 0), under_last,
                    "all CCGs together, without one-off money"),
    ]
    return '<div class="cards">' + "".join(cards) + "</div>"


def _median_and_range(q: np.ndarray, levels: np.ndarray) -> list:
    low, mid, high = (float(q[_column(levels, level)]) for level in (0.05, 0.5, 0.95))
    return [(money_m(mid, 0), mid), f"{money_m(low, 0)} – {money_m(high, 0)}"]


def _national_table(ctx: Context) -> Table:
    nat = ctx.run.national
    total, total_levels = _quantiles(ctx, "national", "total_surplus_quantiles_k")
    under, under_levels = _quantiles(ctx, "national", "underlying_total_quantiles_k")
    rows = []
    for y, label in enumerate(ctx.years):
        e, ep = float(nat["expected_red"][y]), float(nat["expected_red_pooled"][y])
        p = float(nat["p_sector_deficit"][y])
        rows.append([label, (f"{e:.1f}", e), (f"{ep:.1f}", ep), (pct(p, 2), p),
                     *_median_and_range(total[y], total_levels),
                     *_median_and_range(under[y], under_levels)])
    e, ep = float(nat["expected_red_any_year"]), float(nat["expected_red_any_year_pooled"])
    rows.append([f"In at least one year, {ctx.span}", (f"{e:.1f}", e), (f"{ep:.1f}", ep),
                 "–", "–", "–", "–", "–"])
    headers = ["Year", "Expected CCGs in the red", "after pooling", "P(CCG sector in deficit)",
               "Total outturn: median", "5–95%", "Recurrent position: median", "5–95%"]
    return Table("years-table", f"England year by year: {ctx.n} CCGs (money in GBP m, outturns "
                 "before risk sharing)", headers, rows, numeric=set(range(1, 8)))


def _panels(ctx: Context, i: int | None = None) -> list:
    """England's fan chart panels (i None) or CCG i's: (heading, quantiles [years, levels]
    in GBP k, levels, colour)."""
    panels = []
    for heading, colour, national, per_ccg in PANELS:
        if i is None:
            q, levels = _quantiles(ctx, "national", national)
        else:
            q, levels = _quantiles(ctx, "ccg", per_ccg)
            q = q[:, i, :]
        panels.append((heading, q, levels, colour))
    return panels


def _median(panel) -> np.ndarray:
    """A panel's median, year by year (GBP k)."""
    _, q, levels, _ = panel
    return q[:, _column(levels, 0.5)]


def _fan(ax, years: list, q_k: np.ndarray, levels: np.ndarray, colour: str):
    """Quantile bands (5-95%, 25-75%) and the median of a position, year by year."""
    x = np.arange(len(years))
    q = q_k / 1000
    for (low, high), alpha in zip(BANDS, (0.22, 0.45)):
        ax.fill_between(x, q[:, _column(levels, low)], q[:, _column(levels, high)], color=colour,
                        alpha=alpha, lw=0, label=f"{100 * low:.0f}–{100 * high:.0f}% of runs")
    ax.plot(x, q[:, _column(levels, 0.5)], "o-", color=colour, lw=2.4, ms=6, label="median")
    ax.axhline(0, color=OUTTURN, ls="--", lw=1.6, label="break-even")
    ax.set_xticks(x, years)
    ax.set_xlim(-0.25, len(years) - 0.75)
    ax.grid(axis="x", visible=False)


def _fan_chart(ctx: Context, chart_id: str, title: str, panels: list, reading: str):
    """The panels' fans side by side, on one scale."""
    fig, axes = figure(11, 5.0, ncols=len(panels), sharey=True)
    for ax, (heading, q, levels, colour) in zip(axes, panels):
        _fan(ax, ctx.years, q, levels, colour)
        ax.set_title(heading, fontsize=13.5)
    axes[0].set_ylabel("GBP m")
    axes[0].legend(loc="best", frameon=True, framealpha=0.95, fontsize=11)
    return chart(chart_id, fig, title, reading)


def _national_fan(ctx: Context):
    panels = _panels(ctx)
    outturn, recurrent = _median(panels[0]), _median(panels[1])
    reading = (f"All {ctx.n} CCGs together, before risk sharing. The median outturn goes from "
               f"{money_m(outturn[0], 0)} in {ctx.years[0]} to {money_m(outturn[-1], 0)} in "
               f"{ctx.years[-1]}; the median recurrent position, without one-off money, from "
               f"{money_m(recurrent[0], 0)} to {money_m(recurrent[-1], 0)}.")
    return _fan_chart(ctx, "chart-years-national",
                      "England: outturn and recurrent position by year", panels, reading)


def _first_red_chart(ctx: Context):
    before = np.asarray(ctx.run.ccg["first_red_year_pmf"], dtype=float).sum(axis=0)
    after = np.asarray(ctx.run.pooled["first_red_year_pmf"], dtype=float).sum(axis=0)
    labels = [*ctx.years, NEVER]
    fig, ax = figure(11, 4.8)
    grouped_bars(ax, labels, before, after, horizontal=False, value_format="%.1f")
    ax.set_ylim(0, max(before.max(), after.max()) * 1.15 + 0.1)
    ax.set_xlabel("First year in the red")
    ax.set_ylabel(f"Expected number of CCGs (of {ctx.n})")
    ax.legend(frameon=False, loc="upper left")
    firsts = "; ".join(f"{before[y]:.1f} first in {label}" for y, label in enumerate(ctx.years))
    reading = (f"Expected CCGs by the first year they end in the red, before risk sharing: "
               f"{firsts}; {before[-1]:.1f} never in the {len(ctx.years)} years "
               f"({after[-1]:.1f} after risk sharing). All bars but the last add up to the "
               f"expected number in the red in at least one year, "
               f"{float(ctx.run.national['expected_red_any_year']):.1f}.")
    return chart("chart-first-red-year", fig, "When CCGs first end a year in the red", reading)


def years(ctx: Context) -> Section | None:
    if ctx.run is None:
        return None
    intro = (f"ccgrisk simulated the {len(ctx.years)} financial years {ctx.span} "
             f"{ctx.trials:,} times for each of the {ctx.n} CCGs, each year carrying into the "
             "next its recurrent (underlying) gap, the repayment of deficits and persistent "
             "shocks (docs/model.md, 'Several years'). A CCG is in the red in a year when its "
             "outturn for that year is below zero; its recurrent position is that outturn "
             "without the year's one-off money. The sections marked 'first year' show "
             f"{ctx.years[0]} alone, as the report of a one-year run does.")
    return Section("years", f"Year by year, {ctx.span}", intro, [
        Raw(_cards(ctx)), _national_table(ctx), _national_fan(ctx), _first_red_chart(ctx)])


# ---- Every CCG year by year ------------------------------------------------------------

def _focus(ctx: Context) -> int:
    """The CCG whose years are drawn: as chosen (--ccg), else the one most likely to be
    in the red in at least one year (before risk sharing) among those that did not plan
    a deficit in the first year (a planned deficit is red by design), if any."""
    codes = list(ctx.run.ccg["code"])
    if ctx.focus_ccg is not None:
        return codes.index(ctx.focus_ccg)
    p_any = np.asarray(ctx.run.ccg["p_red_any_year"], dtype=float)
    unplanned = ~ctx.planned_deficit()
    if unplanned.any():
        p_any = np.where(unplanned, p_any, -1.0)
    return int(np.argmax(p_any))


def _ccg_fan(ctx: Context):
    ccg, i = ctx.run.ccg, _focus(ctx)
    panels = _panels(ctx, i)
    recurrent = _median(panels[1])
    why = ("as chosen" if ctx.focus_ccg is not None else
           "the CCG that did not plan a deficit most likely to be in the red in at least "
           "one year")
    by_year = ", ".join(f"{label} {pct(float(ccg['p_red'][y, i]))}"
                        for y, label in enumerate(ctx.years))
    reading = (f"{ccg_label(ctx, i)} ({ccg['code'][i]}), {why}, before risk sharing. P(red) by "
               f"year: {by_year}; in at least one year {pct(float(ccg['p_red_any_year'][i]))}, "
               f"in every year {pct(float(ccg['p_red_every_year'][i]))}. Its median recurrent "
               f"position goes from {money_m(recurrent[0])} to {money_m(recurrent[-1])}.")
    note_text = ctx.estimated_note([i])
    if note_text:
        reading += " " + note_text
    title = (f"{short_name(ccg['name'][i])[:50]} ({ccg['code'][i]}): outturn and recurrent "
             "position, before risk sharing")
    return _fan_chart(ctx, "chart-years-ccg", title, panels, reading)


def _ccg_table(ctx: Context) -> Table:
    ccg, pooled = ctx.run.ccg, ctx.run.pooled
    p_red = np.asarray(ccg["p_red"], dtype=float)
    columns = [np.asarray(table[name], dtype=float) for table, name in (
        (ccg, "p_red_any_year"), (pooled, "p_red_any_year"), (ccg, "p_red_every_year"))]
    first = np.asarray(ccg["first_red_year_pmf"], dtype=float)[:, :-1]
    rows = []
    for rank, i in enumerate(np.argsort(-columns[0], kind="stable"), 1):
        likely = int(np.argmax(first[i]))
        first_text = (f"{ctx.years[likely]} ({pct(first[i, likely], 0)})"
                      if first[i, likely] > 0 else "–")
        rows.append([rank, ccg["code"][i], ccg_label(ctx, i), ccg["region"][i],
                     *[(pct(p), float(p)) for p in p_red[:, i]],
                     *[(pct(c[i]), float(c[i])) for c in columns], first_text])
    headers = ["#", "Code", "CCG", "Region", *[f"P(red) {label}" for label in ctx.years],
               "P(red in at least one year)", "after pooling", "P(red every year)",
               "Most likely first year in the red"]
    return Table("years-ccg-table", "Every CCG year by year, most likely to be in the red in at "
                 "least one year first (before risk sharing unless said)", headers, rows,
                 numeric={0, *range(4, 7 + len(ctx.years))})


def ccgs_by_year(ctx: Context) -> Section | None:
    if ctx.run is None:
        return None
    intro = ("Each CCG's chance of ending each year in the red, in at least one year and in "
             "every year; the most likely first year in the red, with its probability. The "
             "chart follows one CCG's outturn and recurrent position through the years.")
    blocks = [_ccg_fan(ctx), _ccg_table(ctx)]
    if ctx.estimated_note():
        blocks.append(note(ctx.estimated_note()))
    return Section("years-ccgs", "Every CCG year by year", intro, blocks)
