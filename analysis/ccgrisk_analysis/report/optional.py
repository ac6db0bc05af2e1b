"""Sections for groups only some results files have: /sweep (CIP and other
parameter sweeps), /breakeven (goal seek), /attribution (risk drivers) and
/hub (NHS England specialised commissioning). Each returns None when the
file lacks its group, and a short note when the group's layout is not one
this version reads. Dataset names follow the issues that add the groups;
`_find` accepts the likely spellings."""

from __future__ import annotations

import numpy as np

from .context import Context
from .html import Section, Table, chart
from .sections import note
from .style import AFTER, BEFORE, GREY, OUTTURN, SHADE, figure, money_m, pct, short_name


def _find(group, *names):
    """The first dataset of `names` in `group`, as a numpy array (strings decoded)."""
    for name in names:
        if name in group:
            data = group[name][()]
            if isinstance(data, bytes):
                return data.decode()
            arr = np.asarray(data)
            if arr.dtype.kind in ("O", "S"):
                return np.array([v.decode() if isinstance(v, bytes) else str(v)
                                 for v in arr.ravel()]).reshape(arr.shape)
            return arr
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
    return str(_attr(group, "param", "parameter", "key", default="parameter value"))


# ---- /sweep -----------------------------------------------------------------------------

def _sweep_count_chart(ctx: Context, g, x, label):
    expected = _find(g, "expected_red")
    q = _find(g, "count_red_quantiles")
    fig, ax = figure(11, 5.0)
    if q is not None and q.shape == (len(x), 3):
        ax.fill_between(x, q[:, 0], q[:, 2], color=SHADE, label="5–95% range")
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


def _sweep_ccg_chart(ctx: Context, g, x, label, p_red):
    order = np.argsort(-p_red.max(axis=0), kind="stable")[:8]
    fig, ax = figure(11, 5.0)
    for rank, i in enumerate(order):
        ax.plot(x, 100 * p_red[:, i], lw=1.9, marker="o", ms=3.5,
                label=short_name(ctx.results.ccg["name"][i])[:30])
    ax.set_xlabel(label)
    ax.set_ylabel("Probability of ending in the red (%)")
    ax.legend(frameon=False, fontsize=11, ncol=2)
    top = order[0]
    reading = (f"For the 8 CCGs most at risk along the sweep: "
               f"{short_name(ctx.results.ccg['name'][top])} goes from "
               f"{pct(p_red[0, top])} to {pct(p_red[-1, top])}.")
    return chart("chart-sweep-ccgs", fig, f"P(red) of the most exposed CCGs as {label} varies",
                 reading)


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
        blocks.append(_sweep_ccg_chart(ctx, g, x, label, p_red))
    intro = (f"The same simulated years (common random numbers) rerun at each value of "
             f"{label}, so the curves are smooth and differences between points are not noise.")
    return Section("sweep", f"Sweep of {label}", intro, blocks)


# ---- /breakeven ---------------------------------------------------------------------------

def breakeven(ctx: Context) -> Section | None:
    g = ctx.group("breakeven")
    if g is None:
        return None
    value = _find(g, "value", "breakeven", "param_value", "values")
    if value is None or np.shape(value) != (ctx.n,):
        return _unreadable("breakeven", "Breakeven", g)
    value, label = np.asarray(value, dtype=float), _param_label(g)
    p = float(_attr(g, "p", "probability", default=0.5))
    finite = np.flatnonzero(np.isfinite(value))
    order = finite[np.argsort(-value[finite], kind="stable")][:25]
    fig, ax = figure(11, 0.34 * max(len(order), 3) + 1.8)
    y = np.arange(len(order))[::-1]
    ax.barh(y, value[order], color=BEFORE, height=0.6)
    ax.set_yticks(y, [f"{ctx.results.ccg['code'][i]}  "
                      f"{short_name(ctx.results.ccg['name'][i])[:36]}" for i in order])
    ax.set_xlabel(f"{label} at which P(red) = {p:g}")
    never = int(np.isnan(value).sum() + np.isposinf(value).sum())
    reading = (f"{len(finite)} CCGs cross P(red) = {p:g} within the searched range; "
               f"{never} never or always do. The highest requirement is "
               f"{short_name(ctx.results.ccg['name'][order[0]])} at {value[order[0]]:g}."
               if len(order) else "No CCG crosses the threshold within the searched range.")
    system = _find(g, "system_value", "national_value", "max_red_value")
    intro = (f"Goal seek: for each CCG, the value of {label} at which its chance of ending in "
             f"the red is {pct(p, 0)}." + (f" System-wide value: {float(system):g}."
                                           if system is not None and np.size(system) == 1 else ""))
    return Section("breakeven", f"Breakeven {label}", intro, [chart(
        "chart-breakeven", fig, f"Breakeven {label} by CCG (highest {len(order)})", reading)])


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
    ax.set_yticks(y, [short_name(ctx.results.ccg["name"][i])[:34] for i in order])
    ax.set_xlabel("Extra pressure in years the CCG is in the red (GBP m, vs its average year)")
    ax.legend(frameon=False, fontsize=11, loc="lower right")
    return fig


def attribution(ctx: Context) -> Section | None:
    g = ctx.group("attribution")
    if g is None:
        return None
    names = _find(g, "component", "components", "component_name")
    given_red = _find(g, "conditional_mean_k", "mean_given_red_k", "pressure_given_red_k")
    mean = _find(g, "unconditional_mean_k", "mean_k", "pressure_mean_k")
    if names is None or given_red is None or given_red.shape != (ctx.n, len(names)):
        return _unreadable("attribution", "What drives the risk", g)
    extra = given_red - (mean if mean is not None and mean.shape == given_red.shape else 0)
    order = np.argsort(-np.asarray(ctx.results.ccg["p_red"]), kind="stable")[:15]
    fig = _attribution_chart(ctx, [str(n) for n in names], extra, order)
    top = order[0]
    main = int(np.argmax(extra[top]))
    reading = (f"For {short_name(ctx.results.ccg['name'][top])}, the largest driver of a deficit "
               f"is {names[main]}: {money_m(extra[top, main])} more than in an average year.")
    intro = ("For the CCGs most at risk: how much each source of pressure adds, on average, in "
             "the simulated years in which the CCG ends in the red, against its average year.")
    return Section("attribution", "What drives the risk", intro, [chart(
        "chart-attribution", fig, "Sources of pressure in deficit years", reading)])


# ---- /hub -------------------------------------------------------------------------------

def _hub_table(names, budget, p_over, q) -> Table:
    rows = [[names[h], money_m(budget[h], 0), (pct(p_over[h]), float(p_over[h])),
             money_m(q[h, 4]), money_m(q[h, 7])] for h in range(len(names))]
    return Table("hub-table", "Specialised commissioning hubs (GBP m)",
                 ["Hub", "Budget", "P(overspend)", "Median overspend", "Overspend, 1 year in 20"],
                 rows, numeric={1, 2, 3, 4})


def hubs(ctx: Context) -> Section | None:
    g = ctx.group("hub")
    if g is None:
        return None
    names = _find(g, "name", "code")
    budget = _find(g, "budget_k")
    p_over = _find(g, "p_overspend")
    q = _find(g, "overspend_quantiles_k")
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
    ax.set_xlabel("Overspend (% of the hub's budget; boxes 25–75%, whiskers 5–95%)")
    worst = int(np.argmax(p_over))
    total = _find(ctx.h5["national"], "specialised_deficit_mean_k")
    total_text = (f" NHS England's expected specialised deficit: {money_m(float(total))}."
                  if total is not None and np.size(total) == 1 else "")
    reading = (f"{int((p_over > 0.5).sum())} of {len(names)} hubs overspend in most years; "
               f"{names[worst]} most often ({pct(p_over[worst])}).{total_text}")
    intro = ("NHS England's specialised commissioning hubs: the same growth shocks as the CCGs' "
             "specialist activity, funded at 2% growth.")
    return Section("hubs", "Specialised commissioning", intro, [
        chart("chart-hubs", fig, "Specialised commissioning: overspend by hub", reading),
        _hub_table(names, budget, p_over, q)])
