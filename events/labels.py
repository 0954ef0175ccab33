"""The names shown for the kinds, modes, languages, statuses and places of events (English
message ids, translated where they are shown)."""

from __future__ import annotations

from typing import Any

from events.models import Kind, Language, Mode, Place
from tierslieu.errors import N_

KIND_LABELS = {
    Kind.WEBINAR: N_("Webinar"),
    Kind.INTENSIVE_WEEK: N_("Intensive week"),
    Kind.WEEKEND: N_("Weekend session"),
    Kind.WORKSHOP: N_("Workshop"),
}
MODE_LABELS = {Mode.ONLINE: N_("Online"), Mode.ONSITE: N_("On site"), Mode.HYBRID: N_("Hybrid (on site and online)")}
LANGUAGE_LABELS = {Language.FR: N_("French"), Language.EN: N_("English"), Language.INTERPRETED: N_("Interpreted")}
STATUS_LABELS = {
    "confirmed": N_("Confirmed"),
    "waitlisted": N_("On the waiting list"),
    "draft": N_("Draft"),
    "published": N_("Published"),
    "cancelled": N_("Cancelled"),
}
PLACE_LABELS = {Place.ONSITE: N_("On site"), Place.ONLINE: N_("Online")}


def labels() -> dict[str, Any]:
    """Every label table, for a page's context."""
    return {
        "kind_labels": KIND_LABELS,
        "mode_labels": MODE_LABELS,
        "language_labels": LANGUAGE_LABELS,
        "status_labels": STATUS_LABELS,
        "place_labels": PLACE_LABELS,
    }
