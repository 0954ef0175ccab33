"""Free slots: duty blocks split into appointments, less absences and taken slots.

Blocks are stored in UTC (:mod:`.hours` turns each week's local hours into instants, so
a DST change moves the instants, never the local times); inside a block, slots follow
each other every ``slot_minutes + buffer_minutes``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from helpdesk.models import HOLDING, Absence, Appointment, Block, BlockProblem, Format, Hours, HoursTopic
from tierslieu import clock

HORIZON = timedelta(weeks=8)
MAX_SPAN = timedelta(days=62)


@dataclass(frozen=True)
class Slot:
    helper_id: int
    hours_id: int
    starts_at: datetime
    ends_at: datetime
    format: str
    topics: tuple[str, ...]
    languages: tuple[str, ...]
    timezone: str
    room_id: int | None
    join_url: str
    taken: bool = False
    away: bool = False


def _hours_query(*, topic: str | None, format: str | None, helper_id: int | None):
    query = Hours.filter(active=True, helper__deleted_at=None, helper__roles__role="helper")
    if helper_id is not None:
        query = query.filter(helper_id=helper_id)
    if format:
        if format not in {item.value for item in Format}:
            return Hours.filter(id__in=[])
        query = query.filter(format=format)
    if topic:
        query = query.filter(topics__skill_id=topic)
    return query.distinct()


async def candidate_slots(
    start: datetime,
    end: datetime,
    *,
    topic: str | None = None,
    format: str | None = None,
    language: str | None = None,
    helper_id: int | None = None,
) -> list[Slot]:
    """Every slot starting in [start, end), each marked taken or away, by time then helper."""
    hours_rows = await _hours_query(topic=topic, format=format, helper_id=helper_id)
    if language:
        hours_rows = [row for row in hours_rows if language in row.languages]
    if not hours_rows:
        return []
    by_id = {row.id: row for row in hours_rows}
    topics: dict[int, list[str]] = {row.id: [] for row in hours_rows}
    for hours_id, slug in await HoursTopic.filter(hours_id__in=list(by_id)).values_list("hours_id", "skill_id"):
        topics[hours_id].append(slug)
    helper_ids = sorted({row.helper_id for row in hours_rows})
    blocks = await Block.filter(
        hours_id__in=list(by_id), problem=BlockProblem.NONE, starts_at__lt=end, ends_at__gt=start
    ).order_by("starts_at")
    absences = await Absence.filter(helper_id__in=helper_ids, starts_at__lt=end, ends_at__gt=start).values_list(
        "helper_id", "starts_at", "ends_at"
    )
    taken = set(
        await Appointment.filter(
            helper_id__in=helper_ids, status__in=list(HOLDING), starts_at__gte=start, starts_at__lt=end
        ).values_list("helper_id", "starts_at")
    )
    taken = {(helper, moment.timestamp()) for helper, moment in taken}
    slots = []
    for block in blocks:
        hours = by_id[block.hours_id]
        length = timedelta(minutes=hours.slot_minutes)
        step = timedelta(minutes=hours.slot_minutes + hours.buffer_minutes)
        moment = block.starts_at
        while moment + length <= block.ends_at:
            if start <= moment < end:
                slot_end = moment + length
                away = any(
                    helper == hours.helper_id and a_start < slot_end and a_end > moment
                    for helper, a_start, a_end in absences
                )
                slots.append(
                    Slot(
                        helper_id=hours.helper_id,
                        hours_id=hours.id,
                        starts_at=moment,
                        ends_at=slot_end,
                        format=str(hours.format),
                        topics=tuple(sorted(topics[hours.id])),
                        languages=tuple(hours.languages),
                        timezone=hours.timezone,
                        room_id=hours.room_id,
                        join_url=hours.join_url,
                        taken=(hours.helper_id, moment.timestamp()) in taken,
                        away=away,
                    )
                )
            moment += step
    slots.sort(key=lambda slot: (slot.starts_at, slot.helper_id))
    return slots


async def free_slots(
    start: datetime,
    end: datetime,
    *,
    topic: str | None = None,
    format: str | None = None,
    language: str | None = None,
    helper_id: int | None = None,
    now: datetime | None = None,
    limit: int | None = None,
    exclude: Iterable[tuple[int, datetime]] = (),
) -> list[Slot]:
    """The slots one may book: not started, not taken, the helper not away."""
    now = now or clock.now()
    start = max(start, now)
    if end <= start:
        return []
    skipped = {(helper, moment.timestamp()) for helper, moment in exclude}
    found = []
    for slot in await candidate_slots(
        start, min(end, start + MAX_SPAN), topic=topic, format=format, language=language, helper_id=helper_id
    ):
        if slot.taken or slot.away or slot.starts_at <= now:
            continue
        if (slot.helper_id, slot.starts_at.timestamp()) in skipped:
            continue
        found.append(slot)
        if limit is not None and len(found) >= limit:
            break
    return found


async def find_slot(helper_id: int, starts_at: datetime) -> Slot | None:
    """The helper's slot starting exactly then (taken or not), or None."""
    for slot in await candidate_slots(starts_at, starts_at + timedelta(seconds=1), helper_id=helper_id):
        if slot.starts_at == starts_at:
            return slot
    return None


async def next_free(
    topic: str | None, *, after: datetime | None = None, format: str | None = None, limit: int = 3, exclude=()
) -> list[Slot]:
    """The next few free slots of a topic (the 409 of a race, a cancelled appointment)."""
    after = after or clock.now()
    return await free_slots(after, after + HORIZON, topic=topic, format=format, limit=limit, exclude=exclude)
