"""Duty hours: published by helpers, turned into blocks eight weeks ahead (on site, each
block books its room through the booking service), and absences.

A block's instants come from its local day and times in the hours' zone, each week on
its own: across a DST change the local hours stay and the UTC instants move.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.transactions import in_transaction

from bookings import services as bookings
from helpdesk import permissions
from helpdesk.forms import AbsenceCreate, HoursCreate
from helpdesk.models import Absence, Appointment, Block, BlockProblem, Format, Hours, HoursTopic, Status
from helpdesk.services import changes
from helpdesk.services.slots import HORIZON
from skills import services as skills
from tierslieu import clock
from tierslieu.background import Start, periodic
from tierslieu.errors import N_, DomainError, Forbidden, Invalid, NotFound
from tierslieu.hours import WEEKDAYS, local_instant

log = logging.getLogger("tierslieu.helpdesk")

BLOCKS_EVERY_SECONDS = 24 * 3600


def forbidden() -> Forbidden:
    return Forbidden("forbidden", N_("You may not do this."))


def block_days(hours: Hours, today: date, horizon: timedelta = HORIZON) -> list[date]:
    if hours.on_date is not None:
        return [hours.on_date] if today <= hours.on_date <= today + horizon else []
    first = today + timedelta(days=(hours.weekday - today.weekday()) % 7)
    days = []
    while first <= today + horizon:
        days.append(first)
        first += timedelta(weeks=1)
    return days


def block_bounds(hours: Hours, day: date) -> tuple[datetime, datetime]:
    zone = ZoneInfo(hours.timezone)
    return local_instant(day, hours.starts, zone), local_instant(day, hours.ends, zone)


async def ensure_blocks(hours: Hours, *, now: datetime | None = None, horizon: timedelta = HORIZON) -> int:
    """Create the hours' missing blocks up to ``horizon`` ahead; on site each books its room
    once (origin ``helpdesk``), or records that the room is taken or closed. Returns how many
    blocks were created. Idempotent: (hours, start) is unique."""
    now = now or clock.now()
    today = now.astimezone(ZoneInfo(hours.timezone)).date()
    existing = {
        moment.timestamp() for moment in await Block.filter(hours_id=hours.id).values_list("starts_at", flat=True)
    }
    created = 0
    touched_room = False
    for day in block_days(hours, today, horizon):
        starts_at, ends_at = block_bounds(hours, day)
        if ends_at <= now or starts_at.timestamp() in existing or ends_at <= starts_at:
            continue
        try:
            async with in_transaction():
                block = await Block.create(hours_id=hours.id, starts_at=starts_at, ends_at=ends_at)
                if hours.format == Format.ONSITE and hours.room_id is not None:
                    try:
                        booking = await bookings.book_room(
                            hours.room_id,
                            starts_at,
                            ends_at,
                            "Help desk",
                            origin=bookings.Origin.HELPDESK,
                            user_id=hours.helper_id,
                        )
                    except DomainError as error:
                        block.problem = BlockProblem.ROOM_TAKEN if error.status == 409 else BlockProblem.ROOM_CLOSED
                    else:
                        block.booking_id = booking.id
                        touched_room = True
                    await block.save(update_fields=["booking_id", "problem"])
        except IntegrityError:
            continue  # another process made this block meanwhile
        created += 1
    if touched_room:
        await bookings.publish_rooms(hours.room_id)
    return created


async def ensure_all_blocks(now: datetime | None = None) -> int:
    """The daily job: every active hours' blocks, eight weeks ahead."""
    total = 0
    for hours in await Hours.filter(active=True, helper__deleted_at=None):
        total += await ensure_blocks(hours, now=now)
    if total:
        await changes.publish_slots()
    return total


async def _daily() -> None:
    count = await ensure_all_blocks()
    if count:
        log.info("help desk: %s duty blocks created", count)


jobs: list[Start] = [periodic("helpdesk-blocks", BLOCKS_EVERY_SECONDS, _daily, (OperationalError, IntegrityError))]


# --- hours -------------------------------------------------------------------------------------


async def _check_room(room_id: int | None) -> None:
    if room_id is not None:
        try:
            await bookings.get_room(room_id)
        except DomainError:
            raise Invalid(
                "invalid",
                N_("Some fields are missing or invalid."),
                fields={"room_id": N_("Choose a room from the list.")},
            ) from None


async def _overlaps(actor: Any, data: HoursCreate) -> bool:
    weekday = WEEKDAYS.index(data.weekday) if data.weekday else None
    others = await Hours.filter(helper_id=actor.id, active=True, weekday=weekday, on_date=data.on_date)
    return any(other.starts < data.ends and data.starts < other.ends for other in others)


async def create_hours(actor: Any, data: HoursCreate, *, now: datetime | None = None) -> Hours:
    """A helper publishes weekly (or one-off extra) hours; their blocks are made at once."""
    if not permissions.can_publish_hours(actor):
        raise forbidden()
    topics = await skills.check(data.topics, field="topics")
    await _check_room(data.room_id if data.format == "onsite" else None)
    if await _overlaps(actor, data):
        raise Invalid(
            "hours_overlap",
            N_("These hours overlap hours you already hold on that day."),
            fields={"starts": N_("These hours overlap hours you already hold on that day.")},
        )
    if data.on_date is not None and data.on_date < (now or clock.now()).astimezone(ZoneInfo(data.timezone)).date():
        raise Invalid(
            "invalid", N_("Some fields are missing or invalid."), fields={"on_date": N_("This day is in the past.")}
        )
    async with in_transaction():
        hours = await Hours.create(
            helper_id=actor.id,
            weekday=WEEKDAYS.index(data.weekday) if data.weekday else None,
            on_date=data.on_date,
            starts=data.starts,
            ends=data.ends,
            timezone=data.timezone,
            format=Format(data.format),
            slot_minutes=data.slot_minutes,
            buffer_minutes=data.buffer_minutes,
            languages=data.languages,
            room_id=data.room_id if data.format == "onsite" else None,
            join_url=data.join_url if data.format == "online" else "",
        )
        for slug in topics:
            await HoursTopic.create(hours_id=hours.id, skill_id=slug)
    await ensure_blocks(hours, now=now)
    await changes.publish_slots()
    return hours


async def get_hours(hours_id: int) -> Hours:
    hours = await Hours.get_or_none(id=hours_id, active=True)
    if hours is None:
        raise NotFound()
    return hours


async def hours_topics(hours_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {hours_id: [] for hours_id in hours_ids}
    for hours_id, slug in await HoursTopic.filter(hours_id__in=hours_ids or [0]).values_list("hours_id", "skill_id"):
        found[hours_id].append(slug)
    return found


async def published_hours(helper_id: int | None = None) -> list[Hours]:
    """Active hours of people who hold the helper role (of one helper when given)."""
    query = Hours.filter(active=True, helper__deleted_at=None, helper__roles__role="helper")
    if helper_id is not None:
        query = query.filter(helper_id=helper_id)
    return await query.distinct().order_by("helper_id", "on_date", "weekday", "starts")


async def offered_languages() -> list[str]:
    """The languages of the published hours (for the slot filter)."""
    return sorted({code for hours in await published_hours() for code in hours.languages})


async def helper_hours(helper: Any) -> list[Hours]:
    return await Hours.filter(helper_id=helper.id, active=True).order_by("on_date", "weekday", "starts")


async def blocked_weeks(helper: Any, *, now: datetime | None = None) -> list[tuple[Block, Hours]]:
    """The helper's coming blocks whose room could not be booked: they offer no slots."""
    now = now or clock.now()
    rows = (
        await Block.filter(
            hours__helper_id=helper.id, hours__active=True, ends_at__gt=now, problem__not=BlockProblem.NONE
        )
        .prefetch_related("hours")
        .order_by("starts_at")
    )
    return [(row, row.hours) for row in rows]


async def remove_hours(actor: Any, hours_id: int, *, now: datetime | None = None) -> int:
    """Stop these hours: coming blocks and their room bookings go, coming appointments are
    cancelled and each person is told (with the next free slots). Returns how many."""
    hours = await get_hours(hours_id)
    if not permissions.can_manage_hours(actor, hours):
        raise NotFound()
    now = now or clock.now()
    async with in_transaction():
        await Hours.filter(id=hours.id).update(active=False)
        blocks = await Block.filter(hours_id=hours.id, starts_at__gt=now)
        for block in blocks:
            if block.booking_id is not None:
                await bookings.release_room(block.booking_id)
        await Block.filter(id__in=[block.id for block in blocks] or [0]).delete()
    rows = await Appointment.filter(hours_id=hours.id, status=Status.BOOKED, starts_at__gt=now)
    cancelled = await changes.cancel_for_helper(rows, actor, reason=N_("the helper no longer holds these hours"))
    if hours.room_id is not None:
        await bookings.publish_rooms(hours.room_id)
    await changes.publish_slots()
    return cancelled


# --- absences -----------------------------------------------------------------------------------


async def add_absence(actor: Any, data: AbsenceCreate, *, now: datetime | None = None) -> tuple[Absence, int]:
    """A holiday: whole local days in the helper's zone. Appointments inside are cancelled
    and each person is told, with the next free slots. Returns the absence and that count."""
    if not permissions.can_publish_hours(actor):
        raise forbidden()
    zone = ZoneInfo(actor.timezone)
    starts_at = local_instant(data.first_day, "00:00", zone)
    ends_at = local_instant(data.last_day + timedelta(days=1), "00:00", zone)
    now = now or clock.now()
    if ends_at <= now:
        raise Invalid(
            "invalid", N_("Some fields are missing or invalid."), fields={"last_day": N_("This day is in the past.")}
        )
    absence = await Absence.create(helper_id=actor.id, starts_at=starts_at, ends_at=ends_at, reason=data.reason)
    rows = await Appointment.filter(
        helper_id=actor.id, status=Status.BOOKED, starts_at__lt=ends_at, ends_at__gt=max(starts_at, now)
    )
    cancelled = await changes.cancel_for_helper(rows, actor, reason=N_("the helper is away"))
    await changes.publish_slots()
    return absence, cancelled


async def helper_absences(helper: Any, *, now: datetime | None = None) -> list[Absence]:
    return await Absence.filter(helper_id=helper.id, ends_at__gt=now or clock.now()).order_by("starts_at")


async def remove_absence(actor: Any, absence_id: int) -> None:
    absence = await Absence.get_or_none(id=absence_id)
    if absence is None or actor is None or absence.helper_id != actor.id:
        raise NotFound()
    await absence.delete()
    await changes.publish_slots()
