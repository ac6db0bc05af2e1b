"""The report's building blocks and the page that holds them: one HTML file
with its styles inline and every chart embedded as a base64 PNG."""

from __future__ import annotations

import base64
import dataclasses
import html
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def esc(text) -> str:
    return html.escape(str(text), quote=True)


@dataclasses.dataclass
class Chart:
    """A chart: its title is drawn in the image; `reading` says in one line
    what it shows and is printed under it."""
    id: str
    title: str
    png_base64: str
    reading: str

    def html(self) -> str:
        return (f'<figure class="chart" id="{esc(self.id)}">'
                f'<img alt="{esc(self.title)}. {esc(self.reading)}" '
                f'src="data:image/png;base64,{self.png_base64}">'
                f'<figcaption>{esc(self.reading)}</figcaption></figure>')


@dataclasses.dataclass
class Table:
    """A table; `numeric` columns are right-aligned. Cells are text already
    formatted, or (text, value) pairs whose exact value goes in data-value."""
    id: str
    caption: str
    headers: list
    rows: list
    numeric: set = dataclasses.field(default_factory=set)

    def _cell(self, j: int, cell) -> str:
        cls = ' class="num"' if j in self.numeric else ""
        if isinstance(cell, tuple):
            text, value = cell
            return f'<td{cls} data-value="{value!r}">{esc(text)}</td>'
        return f"<td{cls}>{esc(cell)}</td>"

    def html(self) -> str:
        head = "".join(f'<th{" class=num" if j in self.numeric else ""}>{esc(h)}</th>'
                       for j, h in enumerate(self.headers))
        body = "".join("<tr>" + "".join(self._cell(j, c) for j, c in enumerate(row)) + "</tr>"
                       for row in self.rows)
        return (f'<div class="table-wrap"><table id="{esc(self.id)}">'
                f"<caption>{esc(self.caption)}</caption>"
                f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


@dataclasses.dataclass
class Raw:
    """Trusted HTML made by this package (already escaped)."""
    markup: str

    def html(self) -> str:
        return self.markup


@dataclasses.dataclass
class Section:
    id: str
    title: str
    intro: str  # plain text
    blocks: list

    def html(self) -> str:
        inner = "".join(b.html() for b in self.blocks)
        intro = f'<p class="intro">{esc(self.intro)}</p>' if self.intro else ""
        return f'<section id="{esc(self.id)}"><h2>{esc(self.title)}</h2>{intro}{inner}</section>'


def figure_to_base64(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, facecolor="white")  # constrained layout fits it
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def chart(chart_id: str, fig, title: str, reading: str) -> Chart:
    """Draws `title` on `fig`, then embeds it."""
    fig.suptitle(title, fontsize=15.5, fontweight="bold", x=0.01, ha="left")
    return Chart(chart_id, title, figure_to_base64(fig), reading)


def figure_card(key: str, label: str, text: str, value, note: str = "") -> str:
    """A headline number; `value` is the exact figure (for readers and tests)."""
    note_html = f'<div class="note">{esc(note)}</div>' if note else ""
    return (f'<div class="card"><div class="label">{esc(label)}</div>'
            f'<div class="figure" data-key="{esc(key)}" data-value="{value!r}">{esc(text)}</div>'
            f"{note_html}</div>")


CSS = """
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; color: #1b1b1b;
  margin: 0; background: #f4f5f7; font-size: 16px; line-height: 1.45; }
header { background: #003087; color: white; padding: 22px 40px; }
header h1 { margin: 0 0 6px 0; font-size: 28px; }
header p { margin: 0; font-size: 16px; opacity: 0.92; }
nav { background: #e8edf5; padding: 10px 40px; font-size: 15px; display: flex;
  flex-wrap: wrap; gap: 6px 20px; }
nav a { color: #003087; text-decoration: none; white-space: nowrap; }
main { max-width: 1180px; margin: 0 auto; padding: 10px 30px 30px 30px; }
section { background: white; margin: 22px 0; padding: 18px 28px 24px 28px;
  border-radius: 6px; box-shadow: 0 1px 3px rgba(0,0,0,0.12); }
h2 { color: #003087; font-size: 23px; margin: 4px 0 8px 0; }
p.intro { margin: 0 0 12px 0; max-width: 950px; }
figure.chart { margin: 16px 0 22px 0; }
figure.chart img { width: 100%; max-width: 1100px; display: block; }
figcaption { font-size: 16px; margin-top: 6px; padding: 8px 12px; background: #f0f4fa;
  border-left: 4px solid #005eb8; }
.cards { display: flex; flex-wrap: wrap; gap: 16px; margin: 8px 0 6px 0; }
.card { flex: 1 1 170px; border: 1px solid #d5dbe5; border-radius: 6px; padding: 12px 16px; }
.card .label { font-size: 15px; color: #425563; }
.card .figure { font-size: 30px; font-weight: bold; color: #003087; margin: 4px 0; }
.card .note { font-size: 14px; color: #425563; }
.table-wrap { overflow-x: auto; margin: 10px 0 4px 0; }
table { border-collapse: collapse; font-size: 14.5px; width: 100%; }
caption { text-align: left; font-weight: bold; padding: 6px 0; font-size: 15.5px; }
th, td { padding: 5px 9px; border-bottom: 1px solid #e3e7ee; text-align: left; }
th { background: #e8edf5; position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
tbody tr:nth-child(even) { background: #fafbfc; }
footer { max-width: 1120px; margin: 22px auto 40px auto; padding: 18px 28px 24px 28px;
  font-size: 14.5px; color: #333; background: white; border-radius: 6px;
  box-shadow: 0 1px 3px rgba(0,0,0,0.12); }
footer dl { display: grid; grid-template-columns: max-content auto; gap: 3px 16px; }
footer dt { font-weight: bold; }
footer dd { margin: 0; font-family: "DejaVu Sans Mono", monospace; word-break: break-all; }
details pre { background: #f7f7f7; padding: 10px; overflow-x: auto; font-size: 13px; }
.note-box { background: #fff8e5; border-left: 4px solid #ffb81c; padding: 8px 12px; }
"""


def page(title: str, subtitle: str, sections: list, footer_html: str) -> str:
    nav = "".join(f'<a href="#{esc(s.id)}">{esc(s.title)}</a>' for s in sections)
    body = "".join(s.html() for s in sections)
    return ("<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
            f"<header><h1>{esc(title)}</h1><p>{esc(subtitle)}</p></header>"
            f"<nav>{nav}</nav><main>{body}</main>"
            f'<footer id="provenance">{footer_html}</footer></body></html>\n')
