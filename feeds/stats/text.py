"""The report as people read it in a terminal: a table of feeds, then the readers
and the bots of the month. Pure."""

from __future__ import annotations

from feeds.stats.report import WINDOWS, FeedStats, StatsReport

READERS_SHOWN = 12


def report_text(report: StatsReport) -> str:
    if report.last_day is None:
        return "no feed request in the history yet: give feeds stats an access log\n"
    lines = [f"{report.first_day} to {report.last_day} (UTC). Subscribers: of the last day, "
             f"and a day on average over the week and the month; polls, the share answered "
             f"304 and bytes: over the month.",
             "",
             f"{'feed':<32} {'day':>8} {'week':>8} {'month':>8} {'polls':>9} "
             f"{'304':>5} {'bytes':>9}",
             *(_row(stats) for stats in [report.site, *report.feeds]),
             "", "readers this month (subscribers, polls):"]
    readers = list(report.site.readers.items())
    lines += [f"  {name}: {figures.subscribers:g}, {figures.polls}"
              for name, figures in readers[:READERS_SHOWN]]
    if len(readers) > READERS_SHOWN:
        lines.append(f"  and {len(readers) - READERS_SHOWN} more (--json lists them all)")
    lines.append("bots this month, apart (polls of feeds):"
                 + ("" if report.bots else " none"))
    lines += [f"  {name}: {requests}" for name, requests in report.bots.items()]
    return "\n".join(lines) + "\n"


def _row(stats: FeedStats) -> str:
    month = stats.windows["month"]
    subscribers = " ".join(f"{stats.windows[name].subscribers:>8g}" for name in WINDOWS)
    return (f"{stats.label:<32} {subscribers} {month.polls:>9} "
            f"{month.not_modified_share:>5.0%} {human_bytes(month.bytes):>9}")


def human_bytes(count: int) -> str:
    if count < 1000:
        return f"{count} B"
    units = ("kB", "MB", "GB", "TB")
    power = min(len(units), (len(str(count)) - 1) // 3)
    return f"{count / 1000 ** power:.1f} {units[power - 1]}"
