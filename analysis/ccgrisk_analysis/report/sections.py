"""The sections every results file has: headline, the count of CCGs in the
red, the CCGs most at risk, regions and area teams, pools, and surplus
distributions. Each is one function Context -> Section (or None to skip)."""

from __future__ import annotations

import math

import numpy as np

from .context import Context
from .html import Raw, Section, Table, chart, esc, figure_card
from .style import (AFTER, BEFORE, GREY, OUTTURN, PLANNED, SHADE, UNPLANNED, count_text, figure,
                    money_m, pct, short_name)

TOP_COUNT = 30
Z95 = 1.959964  # two-sided 95% normal quantile


def _legend_above(ax, columns: int = 2):
    """The legend in one row between the title and the plot."""
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=columns, frameon=False,
              borderaxespad=0.3)


# ---- Headline -------------------------------------------------------------------

def _stage(nat: dict, pooled: bool) -> dict:
    sfx = "_pooled" if pooled else ""
    q = np.asarray(nat["count_red_quantiles" + sfx], dtype=float)
    return {"expected": float(nat["expected_red" + sfx]), "q05": q[0], "q50": q[1], "q95": q[2],
            "p_deficit": float(nat["p_sector_deficit" + sfx]),
            "total_mean_k": float(nat["total_surplus_mean" + sfx + "_k"])}


def _headline_cards(ctx: Context, before: dict, after: dict) -> str:
    cards = [
        figure_card("expected_red", f"Expected CCGs in the red (of {ctx.n})",
                    f"{before['expected']:.1f}", before["expected"],
                    f"{after['expected']:.1f} after risk sharing"),
        figure_card("count_red_range", "In 90% of simulated years, between",
                    f"{count_text(before['q05'])} – {count_text(before['q95'])}",
                    [before["q05"], before["q95"]], "CCGs in the red (5–95% range)"),
        figure_card("p_sector_deficit", "P(CCG sector as a whole in deficit)",
                    pct(before["p_deficit"], 2), before["p_deficit"],
                    "the 211 surpluses add up to less than zero"),
        figure_card("total_surplus_mean_k", "Mean total surplus of all CCGs",
                    money_m(before["total_mean_k"], 0), before["total_mean_k"],
                    "sum of year-end surpluses"),
    ]
    outturn = ctx.outturn()
    if outturn:
        split = (f"{outturn['unplanned']} unplanned + {outturn['planned']} planned"
                 if "unplanned" in outturn else "as reported")
        cards.append(figure_card("outturn", "2013-14, forecast at month 9: CCGs in deficit",
                                 str(outturn["total"]), outturn["total"], split))
    return '<div class="cards">' + "".join(cards) + "</div>"


def _headline_table(before: dict, after: dict) -> Table:
    def row(label, key, fmt):
        return [label, (fmt(before[key]), before[key]), (fmt(after[key]), after[key])]
    rows = [row("Expected number of CCGs in the red", "expected", lambda x: f"{x:.2f}"),
            row("5% quantile of the number", "q05", count_text),
            row("Median number", "q50", count_text),
            row("95% quantile of the number", "q95", count_text),
            row("P(CCG sector as a whole in deficit)", "p_deficit", lambda x: pct(x, 2)),
            row("Mean total surplus (GBP m)", "total_mean_k", lambda x: money_m(x))]
    return Table("headline-table", "The national picture", ["", "Before risk sharing",
                 "After risk sharing"], rows, numeric={1, 2})


def headline(ctx: Context) -> Section:
    nat = ctx.results.national
    before, after = _stage(nat, False), _stage(nat, True)
    intro = (f"ccgrisk simulated the financial year {ctx.trials:,} times for each of the "
             f"{ctx.n} clinical commissioning groups (CCGs), with shocks to demand growth, "
             "efficiency (CIP) delivery and the specialised-services transfer that are shared "
             "nationally, by region and by area team. A CCG is in the red when its year-end "
             "surplus is below zero. Money is in pounds; probabilities are shares of simulated "
             "years.")
    return Section("headline", "Headline", intro,
                   [Raw(_headline_cards(ctx, before, after)), _headline_table(before, after)])


# ---- The number of CCGs in the red ----------------------------------------------------

def _count_limit(pmfs, floor: int) -> int:
    """The largest count worth drawing: all but 0.05% of the probability."""
    limit = floor
    for pmf in pmfs:
        cdf = np.cumsum(pmf)
        limit = max(limit, int(np.searchsorted(cdf, 0.9995)) + 2)
    return min(limit, len(pmfs[0]) - 1)


def _unplanned_pmf(ctx: Context):
    pmf = ctx.results.national.get("count_unplanned_red_pmf")
    return None if pmf is None else np.asarray(pmf, dtype=float)


def _planned_sentence(ctx: Context) -> str:
    planned = ctx.planned_deficit()
    if not planned.any():
        return "No CCG plans a deficit here, so every deficit is unplanned."
    p = np.asarray(ctx.results.ccg["p_red"])
    return (f"{int(planned.sum())} CCGs plan a deficit: expected {p[planned].sum():.1f} planned "
            f"and {p[~planned].sum():.1f} unplanned CCGs in the red.")


def _outturn_sentence(outturn: dict | None, pmf: np.ndarray) -> str:
    if not outturn:
        return ""
    total = outturn["total"]
    at_least = float(pmf[total:].sum()) if total < len(pmf) else 0.0
    return (f" {total} or more, as NHS England's month-9 forecast for 2013-14 had it, happen in "
            f"{pct(at_least, 0)} of simulated years.")


def _draw_count(ax, ctx: Context, pmf, pmf_pooled, stage: dict, outturn):
    k = np.arange(len(pmf))
    ax.bar(k, 100 * pmf, width=0.82, color=BEFORE, label="before risk sharing")
    ax.step(k, 100 * pmf_pooled, where="mid", color=AFTER, lw=2.2, label="after risk sharing")
    unplanned = _unplanned_pmf(ctx)
    if unplanned is not None and ctx.planned_deficit().any():
        ax.step(k, 100 * unplanned[:len(k)], where="mid", color=UNPLANNED, lw=1.8, ls="-.",
                label="unplanned deficits only, before risk sharing")
        if outturn and "unplanned" in outturn and outturn["unplanned"] < len(k):
            u = outturn["unplanned"]
            ax.plot([u], [100 * unplanned[u]], marker="v", ms=11, color=OUTTURN, ls="none",
                    label=f"2013-14 unplanned deficits: {u}")
    ax.axvspan(stage["q05"] - 0.5, stage["q95"] + 0.5, facecolor=SHADE, edgecolor="#9fb7d9",
               zorder=0, label="5–95% range, before risk sharing")
    ax.axvline(stage["expected"], color="black", ls=":", lw=1.8,
               label=f"expected number: {stage['expected']:.1f}")
    if outturn:
        split = (f" ({outturn['unplanned']} unplanned + {outturn['planned']} planned)"
                 if "unplanned" in outturn else "")
        ax.axvline(outturn["total"], color=OUTTURN, ls="--", lw=2.4,
                   label=f"2013-14, forecast at month 9: {outturn['total']} CCGs in deficit{split}")


def count_distribution(ctx: Context) -> Section:
    nat = ctx.results.national
    pmf = np.asarray(nat["count_red_pmf"], dtype=float)
    pmf_pooled = np.asarray(nat["count_red_pmf_pooled"], dtype=float)
    stage, outturn = _stage(nat, False), ctx.outturn()
    limit = _count_limit([pmf, pmf_pooled], (outturn or {"total": 0})["total"] + 5)
    fig, ax = figure(11, 5.4)
    _draw_count(ax, ctx, pmf[:limit + 1], pmf_pooled[:limit + 1], stage, outturn)
    ax.set_xlim(-0.8, limit + 0.8)
    ax.set_xlabel(f"Number of CCGs in the red in a simulated year (of {ctx.n})")
    ax.set_ylabel("Share of simulated years (%)")
    handles, labels = ax.get_legend_handles_labels()
    first = labels.index("before risk sharing")  # bars are listed after lines: put them first
    order = [first] + [i for i in range(len(labels)) if i != first]
    ax.legend([handles[i] for i in order], [labels[i] for i in order], loc="upper right",
              frameon=False)
    reading = (f"Expected {stage['expected']:.1f} CCGs in the red; in 90% of years between "
               f"{count_text(stage['q05'])} and {count_text(stage['q95'])}."
               f"{_outturn_sentence(outturn, pmf)} {_planned_sentence(ctx)}")
    intro = ("Shocks shared nationally and locally push many CCGs into the red in the same "
             "year, so the number in the red varies far more than independent coin flips "
             "would: in bad years many CCGs are in the red together.")
    return Section("count", "How many CCGs end the year in the red", intro, [chart(
        "chart-count", fig, "How many CCGs end the year in the red?", reading)])


# ---- The CCGs most likely to be in the red ------------------------------------------

def _top_order(p: np.ndarray, count: int) -> np.ndarray:
    return np.argsort(-p, kind="stable")[:count]


def _draw_top(ax, ctx: Context, order: np.ndarray):
    ccg, pooled = ctx.results.ccg, ctx.results.pooled
    p, se, pp = (np.asarray(a)[order] for a in (ccg["p_red"], ccg["p_red_se"], pooled["p_red"]))
    planned = ctx.planned_deficit()[order]
    y = np.arange(len(order))[::-1]
    for mask, colour, label in ((~planned, BEFORE, "before risk sharing (95% CI)"),
                                (planned, PLANNED, "CCG that plans a deficit (95% CI)")):
        if mask.any():
            ax.errorbar(100 * p[mask], y[mask], xerr=100 * Z95 * se[mask], fmt="o", color=colour,
                        ms=6, capsize=3, label=label)
    moved = np.abs(pp - p) > 1e-12
    if moved.any():
        ax.scatter(100 * pp[moved], y[moved], marker="D", s=42, color=AFTER, zorder=3,
                   label="after risk sharing")
    labels = [ctx.marked(i, f"{ccg['code'][i]}  {short_name(ccg['name'][i])[:38]}")
              for i in order]
    ax.set_yticks(y, labels)
    ax.set_ylim(-0.8, len(order) - 0.2)
    ax.set_xlim(0, max(100 * (p + Z95 * se).max(), 1) * 1.08)
    ax.set_xlabel("Probability of ending the year in the red (%)")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right", frameon=True, framealpha=0.95)  # the lowest P(red) are there


def _top_reading(ctx: Context, order: np.ndarray) -> str:
    ccg = ctx.results.ccg
    p, se = np.asarray(ccg["p_red"]), np.asarray(ccg["p_red_se"])
    first, last = order[0], order[-1]
    # Rounded up, so "within" holds for the widest interval too.
    half = math.ceil(100 * 100 * Z95 * se[order].max()) / 100
    note = ctx.estimated_note(order)
    # CCGs off the list whose intervals overlap the last one's: the cut at
    # the list's length falls among CCGs the trials cannot order.
    inside = set(int(i) for i in order)
    overlap = sum(1 for i in range(len(p)) if i not in inside
                  and p[i] + Z95 * se[i] >= p[last] - Z95 * se[last])
    tied = (f" {overlap} CCGs off the list have intervals that overlap the last one's: the "
            "order among CCGs with overlapping intervals is not settled by the trials."
            if overlap else "")
    return (f"{short_name(ccg['name'][first])} is the most likely to end in the red: "
            f"{pct(p[first])} (95% CI {pct(p[first] - Z95 * se[first])}–"
            f"{pct(p[first] + Z95 * se[first])}); number {len(order)} on the list is at "
            f"{pct(p[last])}. With {ctx.trials:,} trials every interval is within "
            f"±{half:.2f} percentage points.{tied}" + (f" {note}" if note else ""))


def ccg_label(ctx: Context, i: int) -> str:
    """CCG i's short name for a table, marked when it plans a deficit or its
    allocation is an estimate."""
    planned = " (plans a deficit)" if ctx.planned_deficit()[i] else ""
    return ctx.marked(i, short_name(ctx.results.ccg["name"][i]) + planned)


def _top_table(ctx: Context, order: np.ndarray) -> Table:
    ccg, pooled = ctx.results.ccg, ctx.results.pooled
    rows = []
    for rank, i in enumerate(order, 1):
        p, se = float(ccg["p_red"][i]), float(ccg["p_red_se"][i])
        q05 = float(ccg["surplus_quantiles_k"][i][1])
        rows.append([rank, ccg["code"][i], ccg_label(ctx, i), ccg["region"][i],
                     ccg["pool"][i] or "–",
                     (pct(p), p), f"{pct(max(p - Z95 * se, 0))} – {pct(p + Z95 * se)}",
                     (pct(float(pooled["p_red"][i])), float(pooled["p_red"][i])),
                     pct(float(ccg["p_miss_control"][i])),
                     money_m(float(ccg["surplus_mean_k"][i]), 2), money_m(q05, 2),
                     money_m(float(ccg["allocation_k"][i]), 0)])
    headers = ["#", "Code", "CCG", "Region", "Pool", "P(red)", "95% CI", "P(red) after pooling",
               "P(miss control total)", "Mean surplus", "Surplus in a 1-in-20 bad year",
               "Allocation"]
    return Table("top-table", f"The {len(order)} CCGs most likely to end the year in the red "
                 "(money in GBP m)", headers, rows, numeric={0, 5, 6, 7, 8, 9, 10, 11})


def most_at_risk(ctx: Context) -> Section:
    order = _top_order(np.asarray(ctx.results.ccg["p_red"]), min(TOP_COUNT, ctx.n))
    fig, ax = figure(11, 0.32 * len(order) + 2.0)
    _draw_top(ax, ctx, order)
    intro = ("Each CCG's probability of a year-end deficit, with its Monte Carlo 95% "
             "confidence interval (±1.96 standard errors). Quadrupling the trials halves the "
             "intervals.")
    title = f"The {len(order)} CCGs most likely to end the year in the red"
    blocks = [chart("chart-top", fig, title, _top_reading(ctx, order)), _top_table(ctx, order)]
    if ctx.estimated_note(order):
        blocks.append(note(ctx.estimated_note(order)))
    return Section("top", "CCGs most at risk", intro, blocks)


# ---- Regions and area teams ---------------------------------------------------------

def grouped_bars(ax, labels, before, after, horizontal: bool, value_format: str | None):
    """Before/after bars side by side; `value_format` (e.g. "%.2f") labels each bar."""
    pos = np.arange(len(labels))[::-1] if horizontal else np.arange(len(labels))
    width = 0.4
    offset = width / 2 if horizontal else -width / 2
    bar = ax.barh if horizontal else ax.bar
    b1 = bar(pos + offset, before, width, color=BEFORE, label="before risk sharing")
    b2 = bar(pos - offset, after, width, color=AFTER, label="after risk sharing")
    if value_format:
        for bars in (b1, b2):
            ax.bar_label(bars, fmt=value_format, padding=3, fontsize=11.5)
    if horizontal:
        ax.set_yticks(pos, labels)
        ax.set_ylim(-0.7, len(labels) - 0.3)
        ax.grid(axis="y", visible=False)
    else:
        ax.set_xticks(pos, labels)
        ax.grid(axis="x", visible=False)


def _region_chart(ctx: Context):
    reg = ctx.results.region
    e, ep = np.asarray(reg["expected_red"]), np.asarray(reg["expected_red_pooled"])
    labels = [f"{name}\n({int(n)} CCGs)" for name, n in zip(reg["name"], reg["n_ccgs"])]
    fig, ax = figure(11, 4.8)
    grouped_bars(ax, labels, e, ep, horizontal=False, value_format="%.2f")
    ax.set_ylim(0, max(e.max(), ep.max()) * 1.18 + 0.1)
    ax.set_ylabel("Expected number of CCGs in the red")
    ax.legend(frameon=False, loc="upper right")
    top = int(np.argmax(e))
    change = ep - e
    moved = int(np.argmin(change))
    pooling = (f" Risk sharing changes {reg['name'][moved]} most: {e[moved]:.2f} → "
               f"{ep[moved]:.2f}." if change[moved] < -1e-9 else
               " Risk sharing does not change any region's expected count.")
    reading = (f"{reg['name'][top]} has the most CCGs expected in the red: {e[top]:.1f} of its "
               f"{int(reg['n_ccgs'][top])} ({pct(e[top] / reg['n_ccgs'][top], 0)}).{pooling}")
    return chart("chart-regions", fig, "Expected CCGs in the red by region", reading)


def _area_team_chart(ctx: Context):
    at = ctx.results.area_team
    e, ep = np.asarray(at["expected_red"]), np.asarray(at["expected_red_pooled"])
    order = np.argsort(-e, kind="stable")
    labels = [f"{at['code'][i]} {at['name'][i][:48]} ({int(at['n_ccgs'][i])})" for i in order]
    fig, ax = figure(11, 0.33 * len(order) + 2.0)
    grouped_bars(ax, labels, e[order], ep[order], horizontal=True, value_format=None)
    ax.set_xlabel("Expected number of CCGs in the red")
    _legend_above(ax)
    n = np.maximum(np.asarray(at["n_ccgs"], dtype=float), 1)
    # Exposure to deficits nobody planned: a planned deficit is in the count
    # in every trial, and would otherwise decide the ranking.
    unplanned = np.asarray(at.get("expected_unplanned_red", e))
    planned = e - unplanned
    worst = int(np.argmax(unplanned / n))
    top = order[0]
    reading = (f"(Number of CCGs in each area team in brackets.) "
               f"{at['name'][top]} has the most expected CCGs in the red "
               f"({e[top]:.2f}, of which {planned[top]:.2f} planned a deficit); counting only "
               f"deficits nobody planned, relative to its size {at['name'][worst]} is most "
               f"exposed ({unplanned[worst]:.2f} of its {int(at['n_ccgs'][worst])} CCGs, "
               f"{pct(unplanned[worst] / n[worst], 0)}).")
    return chart("chart-area-teams", fig, "Expected CCGs in the red by area team", reading)


def _region_table(ctx: Context) -> Table:
    reg = ctx.results.region
    rows = []
    for i, name in enumerate(reg["name"]):
        q, qp = reg["count_red_quantiles"][i], reg["count_red_quantiles_pooled"][i]
        e, ep = float(reg["expected_red"][i]), float(reg["expected_red_pooled"][i])
        rows.append([name, int(reg["n_ccgs"][i]), (f"{e:.2f}", e), (f"{ep:.2f}", ep),
                     f"{count_text(q[0])} – {count_text(q[2])}",
                     f"{count_text(qp[0])} – {count_text(qp[2])}",
                     pct(float(reg["p_deficit"][i]), 2),
                     money_m(float(reg["total_surplus_mean_k"][i]))])
    headers = ["Region", "CCGs", "Expected in the red", "after pooling", "5–95% range",
               "after pooling", "P(region total in deficit)", "Mean total surplus"]
    return Table("region-table", "Regions", headers, rows, numeric={1, 2, 3, 4, 5, 6, 7})


def regions(ctx: Context) -> Section:
    intro = ("Where the CCGs in the red are expected to be. Risk sharing moves money between "
             "members of a pool, so it changes the count only where pools exist.")
    return Section("regions", "Regions and area teams", intro,
                   [_region_chart(ctx), _region_table(ctx), _area_team_chart(ctx)])


# ---- Risk-sharing pools -------------------------------------------------------------

def _pool_chart(ctx: Context, p: int):
    pool, ccg, pooled = ctx.results.pool, ctx.results.ccg, ctx.results.pooled
    members = np.flatnonzero(np.asarray(ccg["pool_index"]) == p)
    before, after = np.asarray(ccg["p_red"])[members], np.asarray(pooled["p_red"])[members]
    labels = [f"{ccg['code'][i]}  {short_name(ccg['name'][i])[:40]}" for i in members]
    fig, ax = figure(11, 0.6 * len(members) + 2.2)
    grouped_bars(ax, labels, 100 * before, 100 * after, horizontal=True, value_format="%.1f%%")
    ax.set_xlim(0, max(before.max(), after.max(), 0.01) * 100 * 1.15)
    ax.set_xlabel("Probability of ending the year in the red (%)")
    _legend_above(ax)
    name, rule = pool["name"][p], pool["rule"][p]
    e, ep = float(pool["expected_red"][p]), float(pool["expected_red_pooled"][p])
    reading = (f"{rule.capitalize()} risk sharing moves the members' average P(red) from "
               f"{pct(before.mean())} to {pct(after.mean())}; members expected in the red "
               f"{e:.2f} → {ep:.2f}. The pool as a whole is in deficit in "
               f"{pct(float(pool['p_deficit'][p]))} of years.")
    title = f"Pool {name} ({rule} risk sharing): members' P(red)"
    return chart(f"chart-pool-{p}", fig, title, reading)


def pools(ctx: Context) -> Section | None:
    count = len(ctx.results.pool["name"])
    if count == 0:
        return None
    intro = ("Members of a risk-sharing pool underwrite each other's year-end position. "
             "'full': the pool's total surplus is shared by allocation; 'cover': members in "
             "surplus cover members in deficit up to a cap.")
    return Section("pools", "Risk-sharing pools", intro,
                   [_pool_chart(ctx, p) for p in range(count)])


# ---- Surplus distributions ------------------------------------------------------------

def _box_stats(q_k: np.ndarray, label: str) -> dict:
    """Box from quantiles (GBP k -> GBP m): box 25-75%, whiskers 5-95%, dots 1% and 99%."""
    q = np.asarray(q_k, dtype=float) / 1000
    return {"label": label, "med": q[4], "q1": q[3], "q3": q[5], "whislo": q[1],
            "whishi": q[7], "fliers": [q[0], q[8]]}


def _region_surplus_chart(ctx: Context):
    reg = ctx.results.region
    quantiles = np.asarray(reg["total_surplus_quantiles_k"], dtype=float)
    stats = [_box_stats(quantiles[i], f"{name}\n({int(n)} CCGs)")
             for i, (name, n) in enumerate(zip(reg["name"], reg["n_ccgs"]))]
    fig, ax = figure(11, 5.0)
    ax.bxp(stats, vert=False, showfliers=True, patch_artist=True, widths=0.55,
           boxprops={"facecolor": SHADE, "edgecolor": BEFORE},
           medianprops={"color": BEFORE, "lw": 2.2},
           flierprops={"marker": "o", "markerfacecolor": GREY, "markeredgecolor": GREY})
    ax.axvline(0, color=OUTTURN, ls="--", lw=1.8, label="break-even (total surplus 0)")
    ax.invert_yaxis()
    ax.set_xlabel("Total year-end surplus of the region's CCGs (GBP m, before risk sharing)")
    _legend_above(ax, 1)
    p_def = np.asarray(reg["p_deficit"], dtype=float)
    worst = int(np.argmax(p_def))
    lowest = int(np.argmin(quantiles[:, 0]))
    reading = (f"Boxes hold the middle 50% of years, whiskers 5–95%, dots the 1% and 99% "
               f"quantiles. {reg['name'][worst]} is the region most likely to be in deficit as "
               f"a whole ({pct(p_def[worst], 2)}); in a 1-in-100 bad year the lowest regional "
               f"total is {reg['name'][lowest]}'s, {money_m(quantiles[lowest, 0])}.")
    return chart("chart-region-surplus", fig, "Total surplus by region", reading)


def _strip_x(values: np.ndarray, centre: float) -> np.ndarray:
    """Deterministic horizontal spread for a strip of dots (golden-ratio offsets by rank)."""
    rank = np.argsort(np.argsort(values))
    return centre + 0.64 * ((rank * 0.618034) % 1 - 0.5)


def _ccg_risk_chart(ctx: Context):
    ccg, reg = ctx.results.ccg, ctx.results.region
    p = 100 * np.asarray(ccg["p_red"], dtype=float)
    index = np.asarray(ccg["region_index"])
    fig, ax = figure(11, 5.0)
    for r in range(len(reg["name"])):
        values = p[index == r]
        ax.scatter(_strip_x(values, r), values, s=30, alpha=0.75, color=BEFORE,
                   edgecolor="white", linewidth=0.5)
    ax.set_xticks(range(len(reg["name"])), [f"{n}\n({int(c)} CCGs)" for n, c in
                                           zip(reg["name"], reg["n_ccgs"])])
    ax.set_ylim(0, max(p.max() * 1.1, 1))
    ax.set_ylabel("Probability of ending\nthe year in the red (%)")
    ax.grid(axis="x", visible=False)
    median = np.median(p)
    high = int((p > 2 * median).sum())
    reading = (f"Each dot is a CCG (before risk sharing). Half of all CCGs have P(red) above "
               f"{median:.1f}%; {high} stand out at more than twice that, the highest "
               f"{short_name(ccg['name'][int(np.argmax(p))])} at {p.max():.1f}%.")
    return chart("chart-ccg-risk", fig, "Each CCG's chance of ending in the red, by region",
                 reading)


def surplus_by_region(ctx: Context) -> Section:
    intro = ("The spread of year-end surpluses of each region's CCGs together, and how each "
             "CCG's chance of a deficit is spread within its region.")
    return Section("surplus", "Surplus distributions by region", intro,
                   [_region_surplus_chart(ctx), _ccg_risk_chart(ctx)])


def note(text: str) -> Raw:
    return Raw(f'<p class="note-box">{esc(text)}</p>')
