"""Sections for groups only some results files have: /sweep (CIP and other
parameter sweeps), /breakeven (goal seek), /reverse_stress, /attribution
(risk drivers),
/hub (NHS England specialised commissioning) and /targets (published
figures next to the run, from run --targets). Each returns None when the
file lacks its group, and a short note when the group's layout is not one
this version reads. Dataset names follow the issues that add the groups;
`_find` accepts the likely spellings."""

from __future__ import annotations

import math

import numpy as np

from ..results import checked_text
from .context import Context
from .html import Section, Table, chart
from .sections import Z95, note
from .style import (AFTER, BEFORE, CATEGORIES, GREY, OUTTURN, SHADE, figure, money_m, pct,
                    short_name)


def _find(group, *names):
    """The first dataset of `names` in `group`, as a numpy array (strings
    decoded and checked as the reader checks every name)."""
    for name in names:
        if name in group:
            ds = group[name]
            if ds.dtype.kind in ("O", "S", "U"):
                text = checked_text(ds)
                return text[0] if not ds.shape else np.array(text).reshape(ds.shape)
            return np.asarray(ds[()])
    return None


def _attr(group, *names, default=""):
    for name in names:
        if name in group.attrs:
            value = group.attrs[name]
            return value.decode() if isinstance(value, bytes) else value
    return default


def _unreadable(section_id: str, title: str, group) -> Section:
    names = ", ".join(sorted(group.keys())) or "none"
    return Section(section_id, title, "", [note(
        f"This file has a {group.name} group, but this version of the report does not "
        f"recognise its layout (datasets: {names}). Read it with h5py or xarray "
        "(docs/results-format.md).")])


def _param_label(group) -> str:
    param = _find(group, "param")
    if isinstance(param, str) and param:
        return param
    return str(_attr(group, "param", "parameter", "key", default="parameter value"))


# ---- /sweep -----------------------------------------------------------------------------

def _sweep_band(g, steps: int):
    """The 5% and 95% counts in the red per step, if the file has them."""
    q = _find(g, "count_red_quantiles")
    if q is not None and q.shape == (steps, 3):
        return q[:, 0], q[:, 2]
    low, high = _find(g, "count_red_q05"), _find(g, "count_red_q95")
    if low is not None and high is not None and len(low) == len(high) == steps:
        return low, high
    return None


def _sweep_count_chart(ctx: Context, g, x, label):
    expected = _find(g, "expected_red")
    band = _sweep_band(g, len(x))
    fig, ax = figure(11, 5.0)
    if band is not None:
        ax.fill_between(x, band[0], band[1], color=SHADE, label="5–95% range")
    ax.plot(x, expected, "o-", color=BEFORE, lw=2.2, label="expected number")
    pooled = _find(g, "expected_red_pooled")
    if pooled is not None and len(pooled) == len(x):
        ax.plot(x, pooled, "s--", color=AFTER, lw=1.8, label="expected, after risk sharing")
    ax.set_xlabel(label)
    ax.set_ylabel(f"CCGs in the red (of {ctx.n})")
    ax.legend(frameon=False)
    reading = (f"Moving {label} from {x[0]:g} to {x[-1]:g} changes the expected number of CCGs "
               f"in the red from {expected[0]:.1f} to {expected[-1]:.1f}.")
    return chart("chart-sweep-count", fig, f"CCGs in the red as {label} varies", reading)


def _sweep_ccg_chart(ctx: Context, x, label, p_red):
    # The CCGs whose P(red) moves most, but none whose curve lies within 2
    # percentage points of one already shown: many CCGs share a region's
    # calibration and would be drawn on top of each other, ranked by noise.
    ranked = np.argsort(-(p_red.max(axis=0) - p_red.min(axis=0)), kind="stable")
    chosen, alike = [], 0
    for i in ranked:
        if len(chosen) == 8:
            break
        if any(np.max(np.abs(p_red[:, i] - p_red[:, j])) < 0.02 for j in chosen):
            alike += 1
            continue
        chosen.append(int(i))
    order = np.asarray(chosen, dtype=int)
    fig, ax = figure(11, 5.0)
    for i in order:
        ax.plot(x, 100 * p_red[:, i], lw=1.9, marker="o", ms=3.5,
                label=ctx.marked(i, short_name(ctx.results.ccg["name"][i])[:30]))
    ax.set_xlabel(label)
    ax.set_ylabel("Probability of ending in the red (%)")
    ax.legend(frameon=False, fontsize=11, ncol=2)
    top = order[0]
    reading = (f"The {len(order)} CCGs whose P(red) moves most along the sweep, leaving out "
               f"{alike} whose curves lie within 2 percentage points of one shown; "
               f"{short_name(ctx.results.ccg['name'][top])} goes from {pct(p_red[0, top])} to "
               f"{pct(p_red[-1, top])}.")
    if ctx.estimated_note(order):
        reading += " " + ctx.estimated_note(order)
    return chart("chart-sweep-ccgs", fig, f"P(red) of the most sensitive CCGs as {label} varies",
                 reading)


def _sweep_region_chart(g, x, label):
    names = _find(g, "region_name")
    expected = _find(g, "region_expected_red")
    if names is None or expected is None or expected.shape != (len(x), len(names)):
        return None
    fig, ax = figure(11, 4.8)
    for r, name in enumerate(names):
        ax.plot(x, expected[:, r], lw=2, marker="o", ms=4, label=str(name),
                color=CATEGORIES[r % len(CATEGORIES)])
    ax.set_xlabel(label)
    ax.set_ylabel("Expected CCGs in the red")
    ax.legend(frameon=False)
    change = expected[-1] - expected[0]
    most = int(np.argmax(np.abs(change)))
    reading = (f"{names[most]} moves most: {expected[0, most]:.1f} to {expected[-1, most]:.1f} "
               f"expected CCGs in the red across the sweep.")
    return chart("chart-sweep-regions", fig, f"Expected CCGs in the red by region as {label} "
                 "varies", reading)


def sweep(ctx: Context) -> Section | None:
    g = ctx.group("sweep")
    if g is None:
        return None
    x = _find(g, "values", "param_values", "parameter_values", "value")
    expected = _find(g, "expected_red")
    if x is None or expected is None or len(x) != len(expected) or len(x) < 2:
        return _unreadable("sweep", "Parameter sweep", g)
    x, label = np.asarray(x, dtype=float), _param_label(g)
    blocks = [_sweep_count_chart(ctx, g, x, label)]
    p_red = _find(g, "p_red")
    if p_red is not None and p_red.shape == (len(x), ctx.n):
        blocks.append(_sweep_ccg_chart(ctx, x, label, p_red))
    regions = _sweep_region_chart(g, x, label)
    if regions is not None:
        blocks.append(regions)
    intro = (f"The same simulated years (common random numbers) rerun at each value of "
             f"{label}, so the curves are smooth and differences between points are not noise.")
    return Section("sweep", f"Sweep of {label}", intro, blocks)


# ---- /breakeven ---------------------------------------------------------------------------

# /breakeven status codes: 0 crosses, 1 never, 2 always, 3 not monotone.
STATUS_TEXT = {1: "never cross (below the threshold over the whole range)",
               2: "always above it", 3: "are not monotone"}


def _breakeven_reading(ctx: Context, value, status, order, p: float) -> str:
    crossed = int(np.isfinite(value).sum())
    parts = [f"{crossed} of {ctx.n} CCGs cross P(red) = {p:g} within the range searched"]
    if status is not None:
        for code, text in STATUS_TEXT.items():
            count = int((status == code).sum())
            if count:
                parts.append(f"{count} {text}")
    text = "; ".join(parts) + "."
    if len(order):
        top = order[0]
        text += (f" The highest value needed is {short_name(ctx.results.ccg['name'][top])}'s: "
                 f"{value[top]:.3g}.")
    return text


def breakeven(ctx: Context) -> Section | None:
    g = ctx.group("breakeven")
    if g is None:
        return None
    value = _find(g, "values", "value", "breakeven", "param_value")
    if value is None or np.shape(value) != (ctx.n,):
        return _unreadable("breakeven", "Breakeven", g)
    value, label = np.asarray(value, dtype=float), _param_label(g)
    p_found = _find(g, "p")
    p = float(p_found) if p_found is not None and np.size(p_found) == 1 else float(
        _attr(g, "p", "probability", default=0.5))
    status = _find(g, "status")
    finite = np.flatnonzero(np.isfinite(value))
    order = finite[np.argsort(-value[finite], kind="stable")][:25]
    fig, ax = figure(11, 0.34 * max(len(order), 3) + 1.8)
    y = np.arange(len(order))[::-1]
    ax.barh(y, value[order], color=BEFORE, height=0.6)
    ax.set_yticks(y, [ctx.marked(i, f"{ctx.results.ccg['code'][i]}  "
                                    f"{short_name(ctx.results.ccg['name'][i])[:36]}")
                      for i in order])
    ax.grid(axis="y", visible=False)
    basis = str(_attr(g, "basis", default=""))
    ax.set_xlabel(f"{label} at which P(red) = {p:g}" + (f", {basis}" if basis else ""))
    # The searched range, not 0, as the axis: the values differ within it.
    low, high = _find(g, "from"), _find(g, "to")
    if low is not None and high is not None and np.size(low) == 1 and np.size(high) == 1:
        low, high = sorted((float(low), float(high)))
        if len(order) and high > low:
            ax.set_xlim(low, high)
    reading = _breakeven_reading(ctx, value, status, order, p)
    if len(order) and ctx.estimated_note(order):
        reading += " " + ctx.estimated_note(order)
    system = _find(g, "system_value")
    max_red = _find(g, "max_red")
    system_text = ""
    if system is not None and np.size(system) == 1 and np.isfinite(float(system)):
        system_text = (f" Keeping the expected number in the red at or below "
                       f"{float(max_red):g} needs {label} = {float(system):.3g}.")
    searched = ""
    tolerance = _find(g, "tolerance")
    if isinstance(low, float) and isinstance(high, float):
        searched = f" Searched from {low:g} to {high:g}"
        if tolerance is not None and np.size(tolerance) == 1:
            searched += f", to within {float(tolerance):g}"
        searched += "; values within that of each other are ties."
    intro = (f"Goal seek: for each CCG, the value of {label} at which its chance of ending in "
             f"the red is {pct(p, 0)}" + (f", {basis}" if basis else "") +
             f".{system_text}{searched}")
    return Section("breakeven", f"Breakeven {label}", intro, [chart(
        "chart-breakeven", fig, f"Breakeven {label} by CCG (highest {len(order)})", reading)])


# ---- /reverse_stress ---------------------------------------------------------------------

def _tipping_table(ctx: Context, g, directions) -> Table | None:
    codes = _find(g, "tipping_code")
    base, stress = _find(g, "tipping_p_red_base"), _find(g, "tipping_p_red_stress")
    if codes is None or base is None or stress is None or codes.ndim != 2:
        return None
    name_of = dict(zip(ctx.results.ccg["code"], ctx.results.ccg["name"]))
    rows = []
    for d, direction in enumerate(directions):
        # As the command prints them: of those most likely in the red at the shock,
        # the first three not already more likely than not in the red without it.
        tipping = [r for r in range(codes.shape[1]) if codes[d, r] and base[d, r] < 0.5][:3]
        for r in tipping:
            rows.append([str(direction).replace("_", " "), codes[d, r],
                         name_of.get(codes[d, r], ""), pct(base[d, r]), pct(stress[d, r])])
    return Table("tipping-table",
                 "The first CCGs to tip, by shock direction (P(red) under 50% without the shock)",
                 ["Shock along", "Code", "CCG", "P(red) now", "P(red) under the shock"], rows,
                 numeric={3, 4})


def reverse_stress(ctx: Context) -> Section | None:
    g = ctx.group("reverse_stress")
    if g is None:
        return None
    directions, shock = _find(g, "direction"), _find(g, "shock")
    if directions is None or shock is None or len(directions) != len(shock):
        return _unreadable("reverse-stress", "Reverse stress test", g)
    red_k = _find(g, "red_k")
    k_text = f"{float(red_k):g}" if red_k is not None and np.size(red_k) == 1 else "K"
    labels = [str(d).replace("_", " ") for d in directions]
    fig, ax = figure(11, 0.5 * len(labels) + 2.0)
    y = np.arange(len(labels))[::-1]
    reached = np.isfinite(shock)
    ax.barh(y[reached], shock[reached], color=OUTTURN, height=0.6)
    for row in y[~reached]:
        ax.text(0.05, row, "not reached within the shocks searched", va="center",
                color=GREY, fontsize=12, transform=ax.get_yaxis_transform())
    ax.set_yticks(y, labels)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("National shock needed (standard deviations of the national factor)")
    best = int(np.nanargmin(np.where(reached, shock, np.nan))) if reached.any() else None
    reading = (f"The smallest national shock that puts {k_text} CCGs in the red in expectation "
               f"is {shock[best]:.2f} sd along {labels[best]}; "
               f"{int((~reached).sum())} direction(s) do not get there."
               if best is not None else f"No direction reaches {k_text} CCGs in the red.")
    intro = (f"Reverse stress test: how big a national shock, in each direction, it takes for "
             f"{k_text} CCGs to be in the red in expectation; 'combined' is the worst mix.")
    blocks = [chart("chart-reverse-stress", fig, f"Shock that puts {k_text} CCGs in the red",
                    reading)]
    table = _tipping_table(ctx, g, directions)
    if table is not None:
        blocks.append(table)
    return Section("reverse-stress", "Reverse stress test", intro, blocks)


# ---- /attribution --------------------------------------------------------------------------

def _attribution_chart(ctx: Context, names, extra, order):
    fig, ax = figure(11, 0.42 * len(order) + 2.2)
    y = np.arange(len(order))[::-1]
    left_pos = np.zeros(len(order))
    left_neg = np.zeros(len(order))
    colours = [BEFORE, AFTER, "#009639", "#7c2855", GREY, "#41b6e6", OUTTURN]
    for c, name in enumerate(names):
        values = extra[order, c] / 1000
        left = np.where(values >= 0, left_pos, left_neg)
        ax.barh(y, values, left=left, height=0.62, color=colours[c % len(colours)], label=name)
        left_pos += np.maximum(values, 0)
        left_neg += np.minimum(values, 0)
    ax.axvline(0, color="black", lw=1)
    ax.set_yticks(y, [ctx.marked(i, short_name(ctx.results.ccg["name"][i])[:34]) for i in order])
    ax.set_xlabel("Extra pressure in years the CCG is in the red (GBP m, vs its average year)")
    ax.grid(axis="y", visible=False)
    ax.margins(x=0.04)
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=min(len(names), 3), frameon=False,
              fontsize=11.5, borderaxespad=0.3, handlelength=1.2, columnspacing=1.0)
    return fig


def _euler_chart(ctx: Context, g):
    contribution = _find(g, "es_contribution_k", "euler_es05_k", "euler_contribution_k")
    national = _find(g, "national_es_k")
    if contribution is None or np.shape(contribution) != (ctx.n,):
        return None
    tail = float(_attr(g["national_es_k"], "tail", default=0.05)) if "national_es_k" in g else 0.05
    order = np.argsort(-contribution, kind="stable")[:15]
    fig, ax = figure(11, 0.4 * len(order) + 2.0)
    y = np.arange(len(order))[::-1]
    ax.barh(y, contribution[order] / 1000, color=OUTTURN, height=0.62)
    ax.axvline(0, color="black", lw=1)
    ax.set_yticks(y, [ctx.marked(i, short_name(ctx.results.ccg["name"][i])[:34]) for i in order])
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(f"Mean deficit in the sector's worst {pct(tail, 0)} of years (GBP m)")
    top = order[0]
    total = "" if national is None or np.size(national) != 1 else (
        f" In those years the {ctx.n} CCGs together are {money_m(abs(float(national)))} in "
        f"{'deficit' if float(national) > 0 else 'surplus'}.")
    note = ctx.estimated_note(order)
    # The bars are levels: a planned deficit is there in every year. What
    # the bad years add is the change against the CCG's average year.
    mean = np.asarray(ctx.results.ccg.get("surplus_mean_k", np.zeros(ctx.n)), dtype=float)
    added = contribution + mean
    most = int(np.argmax(added))
    name = short_name(ctx.results.ccg["name"][top])
    reading = (f"{name} has the largest deficit in those years: {money_m(contribution[top])} on "
               f"average, against {money_m(-mean[top])} in its average year. What the worst "
               f"years add is largest for {short_name(ctx.results.ccg['name'][most])}: "
               f"{money_m(added[most])} more deficit than in its average year.{total}" +
               (f" {note}" if note else ""))
    return chart("chart-euler", fig,
                 "Deficits in the sector's worst years, by CCG (Euler allocation)", reading)


def attribution(ctx: Context) -> Section | None:
    g = ctx.group("attribution")
    if g is None:
        return None
    names = _find(g, "component", "components", "component_name")
    given_red = _find(g, "mean_in_red_k", "conditional_mean_k", "mean_given_red_k")
    mean = _find(g, "mean_k", "unconditional_mean_k", "pressure_mean_k")
    if names is None or given_red is None or given_red.shape != (ctx.n, len(names)):
        return _unreadable("attribution", "What drives the risk", g)
    extra = given_red - (mean if mean is not None and mean.shape == given_red.shape else 0)
    extra = np.nan_to_num(extra)  # NaN: the CCG is never in the red
    # Planned deficits are in the red almost every year: look at the unplanned risk.
    candidates = np.flatnonzero(~ctx.planned_deficit()) if (~ctx.planned_deficit()).any() \
        else np.arange(ctx.n)
    p = np.asarray(ctx.results.ccg["p_red"])[candidates]
    order = candidates[np.argsort(-p, kind="stable")[:15]]
    labels = [str(n).replace("_", " ") for n in names]
    fig = _attribution_chart(ctx, labels, extra, order)
    top = order[0]
    main = int(np.argmax(extra[top]))
    # The largest pressure in its deficit years may be one it carries every
    # year (05Q's transfer mismatch), not the one that rises most in them.
    largest = int(np.argmax(np.nan_to_num(given_red[top])))
    name = short_name(ctx.results.ccg['name'][top])
    note = ctx.estimated_note(order)
    if largest == main:
        reading = (f"For {name}, the largest pressure in its deficit years is {labels[main]}: "
                   f"{money_m(given_red[top, main])} on average, {money_m(extra[top, main])} "
                   f"more than in an average year.")
    else:
        reading = (f"For {name}, the largest pressure in its deficit years is {labels[largest]} "
                   f"({money_m(given_red[top, largest])} on average, "
                   f"{money_m(extra[top, largest])} more than in an average year); the one that "
                   f"rises most in them is {labels[main]}: {money_m(extra[top, main])} more.")
    reading += f" {note}" if note else ""
    intro = ("For the CCGs most at risk of an unplanned deficit: how much each source of "
             "pressure adds, on average, in the simulated years in which the CCG ends in the "
             "red, against its average year (a pressure the same in every year, such as a "
             "fixed transfer mismatch, adds nothing here however large); then which CCGs "
             "carry the sector's worst years.")
    blocks = [chart("chart-attribution", fig,
                    "What deficit years add, by source of pressure (against the average year)",
                    reading)]
    euler = _euler_chart(ctx, g)
    if euler is not None:
        blocks.append(euler)
    return Section("attribution", "What drives the risk", intro, blocks)


# ---- /hub -------------------------------------------------------------------------------

def _hub_table(names, budget, p_over, q) -> Table:
    rows = [[names[h], money_m(budget[h], 0), (pct(p_over[h]), float(p_over[h])),
             money_m(q[h, 4]), money_m(q[h, 7])] for h in range(len(names))]
    return Table("hub-table", "Specialised commissioning hubs (GBP m)",
                 ["Hub", "Budget", "P(overspend)", "Median overspend", "Overspend, 1 year in 20"],
                 rows, numeric={1, 2, 3, 4})


def _hub_reading(ctx: Context, names, p_over, pct_q) -> str:
    often = np.flatnonzero(p_over >= 0.9)
    rest = np.flatnonzero(p_over < 0.9)
    parts = []
    if len(often):
        low = p_over[often].min()
        when = "almost every year" if low >= 0.995 else f"at least {pct(low, 0)} of years"
        parts.append(" and ".join(f"{names[h]} (median {pct_q[h, 4]:.1f}%)" for h in often) +
                     f" overspend in {when}")
    if len(rest):
        low, high = pct(p_over[rest].min(), 0), pct(p_over[rest].max(), 0)
        parts.append(f"the other {len(rest)} overspend in "
                     f"{low if low == high else low + '–' + high} of years")
    total = _find(ctx.h5["national"], "specialised_deficit_mean_k")
    total_text = (f" NHS England's expected specialised deficit: {money_m(float(total))}."
                  if total is not None and np.size(total) == 1 else "")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "." + total_text


def hubs(ctx: Context) -> Section | None:
    g = ctx.group("hub")
    if g is None:
        return None
    names = _find(g, "name", "code")
    budget = _find(g, "budget_k")
    p_over = _find(g, "p_overspend")
    q = _find(g, "overspend_quantiles_k")
    if names is not None and len(names) == 0:
        return None  # a scenario without [[hub]] tables
    if any(a is None for a in (names, budget, p_over, q)) or q.shape != (len(names), 9):
        return _unreadable("hubs", "Specialised commissioning", g)
    fig, ax = figure(11, 0.45 * len(names) + 2.0)
    pct_q = 100 * q / budget[:, None]
    stats = [{"label": str(n), "med": r[4], "q1": r[3], "q3": r[5], "whislo": r[1],
              "whishi": r[7], "fliers": []} for n, r in zip(names, pct_q)]
    ax.bxp(stats, vert=False, patch_artist=True, widths=0.55, showfliers=False,
           boxprops={"facecolor": SHADE, "edgecolor": BEFORE},
           medianprops={"color": BEFORE, "lw": 2.2})
    ax.axvline(0, color=OUTTURN, ls="--", lw=1.8)
    ax.invert_yaxis()
    ax.set_xlabel("Overspend (% of the hub's budget)")
    reading = "Boxes hold the middle 50% of years, whiskers 5–95%. " + _hub_reading(
        ctx, names, p_over, pct_q)
    intro = ("NHS England's specialised commissioning hubs: the same growth shocks as the CCGs' "
             "specialist activity, funded at 2% growth. A hub is named after an area team "
             "but may cover several (its budget is that of the former health-authority "
             "region it serves: the scenario's [[hub]] comments say which), so an area "
             "team's published overspend is applied to its whole hub.")
    return Section("hubs", "Specialised commissioning", intro, [
        chart("chart-hubs", fig, "Specialised commissioning: overspend by hub", reading),
        _hub_table(names, budget, p_over, q)])


# ---- /targets (run --targets) -----------------------------------------------------------

def _target_text(statistic: str, x: float) -> str:
    if statistic.endswith("_k"):
        return money_m(x)
    if statistic.endswith("_pct"):
        return f"{x:.2f}%"
    return f"{x:.2f}"


def _target_name(name: str, statistic: str) -> str:
    """A target's name as the report shows it: money is shown in GBP m, so a
    name that gives its unit as GBP k says GBP m."""
    if statistic.endswith("_k") and name.endswith("GBP k"):
        return name[:-1] + "m"
    return name


def _targets_chart(names, value, tolerance, model, se):
    scale = np.where(tolerance > 0, tolerance, 1.0)
    deviation, half = (model - value) / scale, Z95 * se / scale
    fig, ax = figure(11, 0.42 * len(names) + 2.0)
    y = np.arange(len(names))[::-1]
    ax.axvspan(-1, 1, facecolor="#e3f1e6", edgecolor="#9ac7a4", label="within tolerance")
    ax.axvline(0, color="black", lw=1)
    met = np.abs(model - value) <= tolerance
    for mask, colour, label in ((met, BEFORE, "model (95% CI): met"),
                                (~met, OUTTURN, "model (95% CI): missed or open")):
        if mask.any():
            ax.errorbar(deviation[mask], y[mask], xerr=half[mask], fmt="o", color=colour, ms=7,
                        capsize=3, label=label)
    ax.set_yticks(y, [str(n)[:48] for n in names])
    ax.grid(axis="y", visible=False)
    limit = max(1.5, float(np.max(np.abs(deviation) + half)) * 1.1)
    ax.set_xlim(-limit, limit)
    ax.set_xlabel("Model minus published figure, in tolerances (within ±1 = met)")
    # Two columns: beside the long figure names three overran the page.
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, frameon=False)
    return fig


def targets(ctx: Context) -> Section | None:
    g = ctx.group("targets")
    if g is None:
        return None
    names, statistic = _find(g, "name"), _find(g, "statistic")
    value, tolerance = _find(g, "value"), _find(g, "tolerance")
    model, se, source = _find(g, "model"), _find(g, "model_se"), _find(g, "source")
    arrays = (names, statistic, value, tolerance, model, se)
    if any(a is None for a in arrays) or len({len(a) for a in arrays}) != 1 or not len(names):
        return _unreadable("targets", "Against the published figures", g)
    names = [_target_name(str(n), str(s)) for n, s in zip(names, statistic)]
    met = np.abs(model - value) <= tolerance
    # Open targets (the model is not expected to reproduce them; /targets/
    # reproduced = 0) show as "open" when missed, as `summary` prints them.
    reproduced = _find(g, "reproduced")
    kept = (np.ones(len(names), bool) if reproduced is None or len(reproduced) != len(names)
            else np.asarray(reproduced).astype(bool))
    verdict = ["yes" if met[t] else "NO" if kept[t] else "open" for t in range(len(names))]
    opened = int((~met & ~kept).sum())
    worst = int(np.argmax(np.abs(model - value) / np.where(tolerance > 0, tolerance, 1)))
    reading = (f"{int(met.sum())} of {len(names)} targets are met within their "
               f"tolerance" + (f" ({opened} missed are open: not expected to be reproduced)"
                               if opened else "") +
               f"; the furthest is {names[worst]}: model "
               f"{_target_text(statistic[worst], model[worst])} against "
               f"{_target_text(statistic[worst], value[worst])}.")
    rows = [[names[t], (_target_text(statistic[t], value[t]), float(value[t])),
             (_target_text(statistic[t], model[t]), float(model[t])),
             f"± {_target_text(statistic[t], Z95 * se[t])}",
             f"± {_target_text(statistic[t], tolerance[t])}", verdict[t],
             source[t] if source is not None else ""] for t in range(len(names))]
    table = Table("targets-table", "The 2013-14 targets and this run",
                  ["Figure", "Target", "Model", "95% CI", "Tolerance", "Met", "Source"],
                  rows, numeric={1, 2, 3, 4})
    intro = ("The run next to the 2013-14 targets (run --targets; docs/calibration.md): "
             "figures published about 2013-14, and a few stand-ins or planned totals where "
             "none was published (each row's source says which). Each tolerance says how "
             "close counts as a match. For a count over several CCGs the 95% CI is a bound "
             "(the sum of the members' errors), wider than the true interval.")
    return Section("targets", "Against the 2013-14 targets", intro, [
        chart("chart-targets", _targets_chart(names, value, tolerance, model, se),
              "This run against the 2013-14 targets", reading), table])


# ---- /uncertainty ------------------------------------------------------------------------

def _uncertainty_ccg_chart(ctx: Context, lo, hi):
    """The CCGs most likely in the red: each P(red) with its Monte Carlo 95% interval
    (narrow) and, behind it, the 5-95% range over the parameters' uncertainty (wide)."""
    ccg = ctx.results.ccg
    p, se = np.asarray(ccg["p_red"]), np.asarray(ccg["p_red_se"])
    order = np.argsort(-p, kind="stable")[:25]
    fig, ax = figure(11, 0.34 * len(order) + 1.8)
    y = np.arange(len(order))[::-1]
    ax.hlines(y, 100 * lo[order], 100 * hi[order], color=SHADE, lw=7,
              label="5-95% over the parameters' uncertainty")
    ax.errorbar(100 * p[order], y, xerr=100 * Z95 * se[order], fmt="o", color=BEFORE, ms=5,
                capsize=3, label="P(red) as given, Monte Carlo 95% interval")
    ax.set_yticks(y, [ctx.marked(i, f"{ccg['code'][i]}  {short_name(ccg['name'][i])[:38]}")
                      for i in order])
    ax.set_ylim(-0.8, len(order) - 0.2)
    ax.set_xlim(0, 102)
    ax.set_xlabel("Probability of ending the year in the red (%)")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right", frameon=True, framealpha=0.95)
    widest = order[int(np.argmax((hi - lo)[order]))]
    reading = (f"The widest range: {short_name(ccg['name'][widest])}, {pct(lo[widest], 0)} to "
               f"{pct(hi[widest], 0)}, against a Monte Carlo interval of +-"
               f"{pct(Z95 * se[widest], 1)}.")
    note_text = ctx.estimated_note(order)
    if note_text:
        reading += " " + note_text
    return chart("chart-uncertainty-ccgs", fig,
                 "P(red): Monte Carlo error and parameter uncertainty", reading)


def _sampler_words(sampler) -> str:
    sampler = str(sampler)
    return {"lhs": "a Latin hypercube", "sobol": "Sobol points",
            "random": "independent random draws"}.get(sampler, sampler)


def _uncertainty_parameter_chart(keys, rank, first, samples: int):
    order = np.argsort(-np.abs(rank), kind="stable")
    fig, ax = figure(11, 0.45 * len(keys) + 1.6)
    y = np.arange(len(keys))[::-1]
    ax.barh(y + 0.18, rank[order], height=0.34, color=CATEGORIES[1], label="rank correlation")
    estimated = bool(np.isfinite(first).any())
    if estimated:
        ax.barh(y - 0.18, np.nan_to_num(first[order]), height=0.34, color=CATEGORIES[0],
                label="first-order index")
    ax.set_yticks(y, [keys[j] for j in order])
    ax.axvline(0, color=GREY, lw=0.8)
    ax.set_xlim(-1.05, 1.05)
    ax.set_xlabel("with the expected number of CCGs in the red, over the outer samples")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right", frameon=True, framealpha=0.95)
    top = order[0]
    if np.isfinite(first[top]):
        # The binned estimator's noise, as `summary` prints it (docs/model.md).
        bins = math.floor(math.sqrt(samples)) if samples > 1 else 1
        noise = 2 * math.sqrt(2 * (bins - 1)) / (samples - 1) if samples > 1 else float("nan")
        reading = (f"{keys[top]} matters most: rank correlation {rank[top]:+.2f}, first-order "
                   f"index {first[top]:.2f} (the share of the parameter-driven variance it "
                   f"explains alone). First-order indices below about {noise:.2f} are within "
                   f"the noise of {samples} samples: read them as a ranking and a rough share.")
    else:
        reading = (f"{keys[top]} matters most: rank correlation {rank[top]:+.2f}. First-order "
                   "indices are not estimated from Sobol points, whose coordinates move together "
                   "in small samples (uncertainty.sampler = \"lhs\" gives them).")
    return chart("chart-uncertainty-parameters", fig, "Which uncertain parameter matters most",
                 reading)


def uncertainty(ctx: Context) -> Section | None:
    g = ctx.group("uncertainty")
    if g is None:
        return None
    lo, hi = _find(g, "p_red_q05"), _find(g, "p_red_q95")
    keys, rank, first = _find(g, "parameter"), _find(g, "rank_correlation"), _find(g, "first_order")
    summary, share = _find(g, "expected_red_summary"), _find(g, "epistemic_share")
    if (lo is None or hi is None or np.shape(lo) != (ctx.n,) or keys is None or rank is None
            or first is None or summary is None or share is None):
        return _unreadable("uncertainty", "Parameter uncertainty", g)
    keys = [str(k) for k in np.atleast_1d(keys)]
    samples = int(_attr(g, "samples", default=0))
    drawn = _sampler_words(_attr(g, "sampler", default="sobol"))
    intro = (f"Every probability above assumes the scenario's parameters are exactly right. "
             f"Drawing them {samples} times from their stated distributions "
             f"({drawn}), each with the same simulated years, the expected number of CCGs in "
             f"the red ranges from {summary[1]:.1f} to {summary[3]:.1f} (5-95%; median "
             f"{summary[2]:.1f}). Parameter uncertainty accounts for {pct(float(share), 0)} of "
             "the variance of the number in the red; the rest is the year's own randomness.")
    blocks = [_uncertainty_ccg_chart(ctx, np.asarray(lo, float), np.asarray(hi, float)),
              _uncertainty_parameter_chart(keys, np.asarray(rank, float), np.asarray(first, float),
                                           samples)]
    return Section("uncertainty", "Parameter uncertainty", intro, blocks)
