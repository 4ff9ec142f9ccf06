"""The newsroom's page: subscribers per feed over time, as an SVG chart drawn by
matplotlib, and the report's tables. Pure: a report in, files' bytes out.

The SVG is made the same for the same figures (no date in its metadata, a fixed
salt for its ids), so a page that says nothing new does not change.
"""

from __future__ import annotations

import io
from datetime import date
from html import escape

from feeds.site import OutputFile
from feeds.stats.report import WINDOWS, FeedStats, StatsReport
from feeds.stats.text import human_bytes

CHART = "subscribers.svg"
PAGE = "index.html"
CHART_FEEDS = 8  # the most subscribed feeds drawn beside the site's line
TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}: who reads the feeds</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; }}
table {{ border-collapse: collapse; margin: 1rem 0; }}
th, td {{ padding: 0.25rem 0.75rem; text-align: right; border-bottom: 1px solid #ddd; }}
th:first-child, td:first-child {{ text-align: left; }}
img {{ max-width: 100%; height: auto; }}
</style>
</head>
<body>
<h1>Who reads the feeds of {title}</h1>
<p>From the access logs, {period}: {lines} lines read, {malformed}
malformed and skipped. Subscribers are what hosted readers report plus the distinct
clients of people's own readers, a day; a week's and a month's are the mean of their days.</p>
<figure>
<img src="{chart}" width="900" height="450" alt="Subscribers a day, the site's and each feed's">
<figcaption>Subscribers a day</figcaption>
</figure>
<h2>Subscribers by feed</h2>
<table>
<thead><tr><th scope="col">feed</th>{heads}<th scope="col">polls (month)</th>
<th scope="col">answered 304</th><th scope="col">bytes (month)</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
<h2>Readers (month)</h2>
<table>
<thead><tr><th scope="col">reader</th><th scope="col">subscribers</th>
<th scope="col">polls</th></tr></thead>
<tbody>
{readers}
</tbody>
</table>
<h2>Bots, told apart (month)</h2>
<table>
<thead><tr><th scope="col">bot</th><th scope="col">polls of feeds</th></tr></thead>
<tbody>
{bots}
</tbody>
</table>
</body>
</html>
"""


def stats_files(report: StatsReport, site_title: str) -> list[OutputFile]:
    """The page and its chart, as files of the stats directory."""
    return [OutputFile(CHART, chart_svg(report)), OutputFile(PAGE, page_html(report, site_title))]


def chart_svg(report: StatsReport) -> bytes:
    """Subscribers a day: the site's, and each of the most subscribed feeds'."""
    import matplotlib
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
    from matplotlib.figure import Figure

    matplotlib.rcParams["svg.hashsalt"] = "feeds"  # the same ids every time
    figure = Figure(figsize=(9, 4.5), layout="constrained")
    axes = figure.subplots()
    for stats in [report.site, *report.feeds[:CHART_FEEDS]]:
        days = sorted(stats.daily)
        when = date2num([date.fromisoformat(day) for day in days])  # type: ignore[no-untyped-call]
        axes.plot(when, [stats.daily[day] for day in days],
                  marker="o" if len(days) < 40 else None, markersize=3, label=stats.label,
                  linewidth=2.5 if stats is report.site else 1.5)
    locator = AutoDateLocator()  # type: ignore[no-untyped-call]  # matplotlib's own typing
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    if report.first_day and report.last_day:  # a day either side: one day is a visible point
        axes.set_xlim(date2num(date.fromisoformat(report.first_day)) - 1,  # type: ignore[no-untyped-call]
                      date2num(date.fromisoformat(report.last_day)) + 1)  # type: ignore[no-untyped-call]
    axes.set_ylabel("subscribers a day")
    axes.set_ylim(bottom=0)
    axes.grid(alpha=0.3)
    if report.site.daily:
        axes.legend(loc="upper left", fontsize="small", frameon=False)
    out = io.BytesIO()
    figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return out.getvalue()


def page_html(report: StatsReport, site_title: str) -> bytes:
    period = (f"{report.first_day} to {report.last_day} (UTC)" if report.last_day
              else "no log read yet")
    rows = _rows([_feed_row(stats) for stats in [report.site, *report.feeds]], 7)
    readers = _rows([f"<tr><td>{escape(name)}</td><td>{figures.subscribers:g}</td>"
                     f"<td>{figures.polls}</td></tr>"
                     for name, figures in report.site.readers.items()], 3)
    bots = _rows([f"<tr><td>{escape(name)}</td><td>{requests}</td></tr>"
                  for name, requests in report.bots.items()], 2)
    heads = "".join(f'<th scope="col">{name}</th>' for name in WINDOWS)
    return TEMPLATE.format(title=escape(site_title), period=escape(period), lines=report.lines,
                           malformed=report.malformed, chart=CHART, heads=heads, rows=rows,
                           readers=readers, bots=bots).encode()


def _rows(rows: list[str], columns: int) -> str:
    return "\n".join(rows) or f'<tr><td colspan="{columns}">none</td></tr>'


def _feed_row(stats: FeedStats) -> str:
    month = stats.windows["month"]
    cells = "".join(f"<td>{stats.windows[name].subscribers:g}</td>" for name in WINDOWS)
    return (f"<tr><td>{escape(stats.label)}</td>{cells}<td>{month.polls}</td>"
            f"<td>{month.not_modified_share:.0%}</td><td>{human_bytes(month.bytes)}</td></tr>")
