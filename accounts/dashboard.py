"""The evaluation dashboard (coordinators and admins): every installed part's figures over a
period, its charts drawn here as SVG beside their data tables.

It lives in the accounts part's administration because it reads nothing but the parts'
manifests (:func:`tierslieu.parts.installed`): accounts is always installed, so the dashboard
works whichever parts an installation has, and it imports no part's models or services.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from babel.numbers import format_decimal

from tierslieu import clock, i18n
from tierslieu.errors import N_, Invalid
from tierslieu.parts import Chart, Figures, Period, ResearchRecord, installed
from tierslieu.validation import parse_day

DEFAULT_DAYS = 90  # the last 90 days, today included
MAX_DAYS = 366 * 5  # a longer period is refused


@dataclass(frozen=True)
class Choice:
    """The period a viewer asked for: the days as they wrote them and the instants."""

    first: date  # first day, in the viewer's zone
    last: date  # last day, included
    period: Period


def choose_period(values: dict[str, Any], timezone: str) -> Choice:
    """The period from the dashboard's form (``from`` and ``to``, ISO days, both included, in
    the viewer's zone); the last 90 days when both are missing; 422 naming the field when a
    day is not a date, or when the period ends before it starts or spans more than 5 years."""
    tz = i18n.zone(timezone)
    today = clock.now().astimezone(tz).date()
    raw_first, raw_last = values.get("from") or "", values.get("to") or ""
    errors: dict[str, str] = {}
    first = parse_day(raw_first) if raw_first else today - timedelta(days=DEFAULT_DAYS - 1)
    last = parse_day(raw_last) if raw_last else today
    if first is None:
        errors["from"] = N_("A date is expected here, written 2026-09-01.")
    if last is None:
        errors["to"] = N_("A date is expected here, written 2026-09-01.")
    if first is not None and last is not None:
        if last < first:
            errors["to"] = N_("The period must end on or after the day it starts.")
        elif (last - first).days >= MAX_DAYS:
            errors["to"] = N_("The period may span at most five years.")
    if errors or first is None or last is None:
        raise Invalid("invalid", N_("The period is not valid."), fields=errors)
    start = datetime.combine(first, time(), tz).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(), tz).astimezone(UTC)
    return Choice(first, last, Period(start, end))


async def gather(period: Period, locale: str) -> list[tuple[str, Figures]]:
    """Each installed part's figures over the period, under the part's name, in the parts'
    order; a part with neither figures nor charts is left out."""
    shown = []
    for part in installed().parts:
        if part.figures is None:
            continue
        figures = await part.figures(period, locale)
        if figures.figures or figures.charts:
            shown.append((part.name, figures))
    return shown


def number(value: float | int | None, locale: str) -> str:
    """A value written the way ``locale`` writes numbers; an en dash when there is none."""
    return "–" if value is None else format_decimal(value, locale=locale)


# --- charts as SVG: the geometry here, the markup in admin/_chart.html ---------------------------

BAR_LABEL = 180  # the width of the row labels
BAR_WIDTH = 230  # the longest bar (the table fits beside it)
BAR_HEIGHT = 22
BAR_GAP = 8
CELL_WIDTH, CELL_HEIGHT, HEAT_LABEL, HEAT_HEADER = 44, 26, 100, 24
# from the palest to the darkest cell; the darkest two carry light text
SHADES = ("#f3f6fb", "#d6e3f3", "#a9c4e6", "#6f9bd2", "#3b6fb6", "#1d4a8a")


def _shade(value: float, top: float) -> int:
    if top <= 0 or value <= 0:
        return 0
    return min(len(SHADES) - 1, 1 + int((len(SHADES) - 2) * value / top + 0.5))


def draw(chart: Chart, locale: str) -> dict[str, Any]:
    """What the template needs to draw ``chart``: its size and its shapes, positioned."""
    if chart.kind == "bars":
        top = max((values[0] for _, values in chart.rows), default=0) or 1
        bars = []
        for index, (label, values) in enumerate(chart.rows):
            y = index * (BAR_HEIGHT + BAR_GAP)
            width = round(BAR_WIDTH * values[0] / top) if values[0] > 0 else 0
            bars.append(
                {
                    "label": label,
                    "y": y,
                    "text_y": y + BAR_HEIGHT * 0.7,
                    "width": width,
                    "value": number(values[0], locale),
                    "value_x": BAR_LABEL + width + 6,
                }
            )
        height = max(1, len(chart.rows)) * (BAR_HEIGHT + BAR_GAP)
        return {"width": BAR_LABEL + BAR_WIDTH + 60, "height": height, "bars": bars, "label_width": BAR_LABEL}
    top = max((value for _, values in chart.rows for value in values), default=0)
    cells, labels = [], []
    for row, (label, values) in enumerate(chart.rows):
        y = HEAT_HEADER + row * CELL_HEIGHT
        labels.append({"text": label, "y": y + CELL_HEIGHT * 0.65})
        for column, value in enumerate(values):
            shade = _shade(value, top)
            cells.append(
                {
                    "x": HEAT_LABEL + column * CELL_WIDTH,
                    "y": y,
                    "fill": SHADES[shade],
                    "ink": "#ffffff" if shade >= len(SHADES) - 2 else "#1a1a1a",
                    "value": number(value, locale),
                }
            )
    headers = [
        {"text": text, "x": HEAT_LABEL + column * CELL_WIDTH + CELL_WIDTH / 2}
        for column, text in enumerate(chart.columns)
    ]
    return {
        "width": HEAT_LABEL + len(chart.columns) * CELL_WIDTH,
        "height": HEAT_HEADER + len(chart.rows) * CELL_HEIGHT,
        "cells": cells,
        "labels": labels,
        "headers": headers,
        "cell_width": CELL_WIDTH,
        "cell_height": CELL_HEIGHT,
    }


# --- the pseudonymised export for researchers ---------------------------------------------------

SMALL = 5  # a group of fewer records or people than this is suppressed
COLUMNS = ("dataset", "subject", "week", "category", "records", "people", "mean_measure", "suppressed")
STABLE_KEY_LABEL = b"tierslieu research export v1"


def export_key(secret_key: str, *, stable: bool) -> bytes:
    """A new random key for each export (two exports cannot be joined), or, when asked, a key
    derived from the installation's secret key, the same for every export."""
    if stable:
        return hmac.new(secret_key.encode(), STABLE_KEY_LABEL, hashlib.sha256).digest()
    return secrets.token_bytes(32)


def pseudonym(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]


async def research_records(period: Period) -> list[ResearchRecord]:
    records: list[ResearchRecord] = []
    for part in installed().parts:
        if part.research is not None:
            records.extend(await part.research(period))
    return records


def research_csv(records: list[ResearchRecord], key: bytes) -> str:
    """The CSV text: one line per (dataset, subject, ISO week, category), the subject as a
    keyed hash, the number of records and of distinct people, the mean measure; a group with
    fewer than 5 records or 1 to 4 people has its numbers left out and ``suppressed`` 1."""
    groups: dict[tuple[str, str, str, str], list[ResearchRecord]] = defaultdict(list)
    for record in records:
        year, week, _ = record.day.isocalendar()
        subject = pseudonym(key, record.subject) if record.subject else ""
        groups[(record.dataset, subject, f"{year}-W{week:02d}", record.category)].append(record)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for (dataset, subject, week, category), rows in sorted(groups.items()):
        people = len({row.person for row in rows if row.person is not None})
        measures = [row.measure for row in rows if row.measure is not None]
        if len(rows) < SMALL or 0 < people < SMALL:
            writer.writerow((dataset, subject, week, category, "", "", "", 1))
            continue
        mean = round(sum(measures) / len(measures), 2) if measures else ""
        writer.writerow((dataset, subject, week, category, len(rows), people, mean, 0))
    return out.getvalue()
