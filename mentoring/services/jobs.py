"""The daily sweep (run every hour; each step claims its rows, so a restart or a second
process never tells anyone twice):

- an offer unanswered for 5 days: the mentor is reminded; for 7 days: it lapses, the
  request is open again and the mentee is shown the next suggestions;
- a request not matched for 23 days (7 days before it expires): the mentee and the
  coordinators are reminded; at 30 days it expires (the mentee may renew it once);
- 12 months after a relationship closed, its thread and notes are deleted.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.transactions import in_transaction

from mentoring.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Message,
    Offer,
    OfferOutcome,
    PrivateNote,
    Request,
    RequestStatus,
    Session,
)
from mentoring.services import notices
from notifications import services as notifications
from tierslieu import clock
from tierslieu.background import Start, periodic
from tierslieu.errors import N_

log = logging.getLogger("tierslieu.mentoring")

OFFER_REMINDER = timedelta(days=5)
OFFER_LAPSES = timedelta(days=7)
EXPIRY_REMINDER = timedelta(days=7)  # before expires_at: day 23 of 30
KEEP_AFTER_CLOSURE = timedelta(days=365)
SWEEP_SECONDS = 3600
BATCH = 500


async def remind_offers(now: datetime) -> int:
    due = await Offer.filter(
        outcome=OfferOutcome.PENDING, reminded_at=None, offered_at__lte=now - OFFER_REMINDER
    ).limit(BATCH)
    count = 0
    for offer in due:
        async with in_transaction():
            claimed = await Offer.filter(id=offer.id, outcome=OfferOutcome.PENDING, reminded_at=None).update(
                reminded_at=now
            )
            if not claimed:
                continue
            request = await Request.get(id=offer.request_id)
            told = await notices.tell(
                [offer.mentor_id],
                notices.REMINDER,
                N_("A mentoring request waits for your answer (2 days left): %(topic)s"),
                request,
                None,
            )
        await notifications.publish(told)
        count += 1
    return count


async def lapse_offers(now: datetime) -> int:
    due = await Offer.filter(outcome=OfferOutcome.PENDING, offered_at__lte=now - OFFER_LAPSES).limit(BATCH)
    count = 0
    for offer in due:
        async with in_transaction():
            request = await Request.select_for_update().get(id=offer.request_id)
            claimed = await Offer.filter(id=offer.id, outcome=OfferOutcome.PENDING).update(
                outcome=OfferOutcome.LAPSED, answered_at=now
            )
            if not claimed:
                continue
            if request.status == RequestStatus.OFFERED and request.mentor_id == offer.mentor_id:
                request.status, request.mentor_id = RequestStatus.OPEN, None
                await request.save()
            told = await notices.tell(
                [request.mentee_id],
                notices.DECLINED,
                N_("The mentor did not answer within 7 days; see the next suggestions: %(topic)s"),
                request,
                None,
            )
            told += await notices.tell(
                [offer.mentor_id],
                notices.REMINDER,
                N_("A mentoring request lapsed without your answer: %(topic)s"),
                request,
                None,
                path="/mentoring",
            )
        await notifications.publish(told)
        count += 1
    return count


async def remind_expiry(now: datetime) -> int:
    due = await Request.filter(
        status__in=list(OPEN_STATUSES), expiry_reminded_at=None, expires_at__lte=now + EXPIRY_REMINDER
    ).limit(BATCH)
    count = 0
    coordinators = await notices.coordinator_ids()
    for request in due:
        async with in_transaction():
            claimed = await Request.filter(
                id=request.id, status__in=list(OPEN_STATUSES), expiry_reminded_at=None
            ).update(expiry_reminded_at=now)
            if not claimed:
                continue
            told = await notices.tell(
                [request.mentee_id],
                notices.REMINDER,
                N_("Your mentoring request expires in 7 days unless it is matched or renewed: %(topic)s"),
                request,
                None,
            )
            told += await notices.tell(
                [c for c in coordinators if c != request.mentee_id],
                notices.REMINDER,
                N_("A mentoring request is still not matched after 23 days: %(topic)s"),
                request,
                None,
            )
        await notifications.publish(told)
        count += 1
    return count


async def expire_requests(now: datetime) -> int:
    due = await Request.filter(status__in=list(OPEN_STATUSES), expires_at__lte=now).limit(BATCH)
    count = 0
    for request in due:
        async with in_transaction():
            request = await Request.select_for_update().get(id=request.id)
            if request.status not in OPEN_STATUSES or request.expires_at > now:
                continue
            mentor_id = request.mentor_id
            await Offer.filter(request_id=request.id, outcome=OfferOutcome.PENDING).update(
                outcome=OfferOutcome.WITHDRAWN, answered_at=now
            )
            request.status, request.mentor_id, request.closed_at = RequestStatus.EXPIRED, None, now
            await request.save()
            text = N_("Your mentoring request expired after 30 days without a match: %(topic)s")
            if request.renewed_at is None:
                text = N_(
                    "Your mentoring request expired after 30 days without a match; you may renew it once: %(topic)s"
                )
            told = await notices.tell([request.mentee_id], notices.EXPIRY, text, request, None)
            if mentor_id is not None:
                told += await notices.tell(
                    [mentor_id],
                    notices.EXPIRY,
                    N_("A request offered to you expired: %(topic)s"),
                    request,
                    None,
                    path="/mentoring",
                )
        await notifications.publish(told)
        count += 1
    return count


async def purge_closed(now: datetime) -> int:
    """Threads and notes of relationships closed 12 months ago are deleted."""
    due = await Request.filter(
        status__in=list(CLOSED_STATUSES), purged_at=None, closed_at__lte=now - KEEP_AFTER_CLOSURE
    ).limit(BATCH)
    for request in due:
        async with in_transaction():
            await Message.filter(request_id=request.id).delete()
            await PrivateNote.filter(request_id=request.id).delete()
            await Session.filter(request_id=request.id).update(notes="")
            await Request.filter(id=request.id).update(purged_at=now)
    return len(due)


async def sweep(now: datetime | None = None) -> dict[str, int]:
    now = now or clock.now()
    return {
        "offers_reminded": await remind_offers(now),
        "offers_lapsed": await lapse_offers(now),
        "requests_reminded": await remind_expiry(now),
        "requests_expired": await expire_requests(now),
        "relationships_purged": await purge_closed(now),
    }


async def _run() -> None:
    done = await sweep()
    if any(done.values()):
        log.info("mentoring sweep: %s", done)


# Started by the app's lifespan when background tasks run (the manifest lists them).
jobs: list[Start] = [periodic("mentoring-sweep", SWEEP_SECONDS, _run, (IntegrityError, OperationalError, OSError))]
