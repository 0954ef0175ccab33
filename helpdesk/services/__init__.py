"""The help desk's use-cases: the only module other parts import.

- :mod:`.slots`: free slots from duty blocks, absences and taken slots;
- :mod:`.hours`: duty hours and their blocks (on site, a room booked through
  ``bookings.services.book_room`` once per block), absences, the daily job;
- :mod:`.appointments`: booking, moving, cancelling, outcome, follow-up, waiting list;
- :mod:`.changes`: live updates, cancellations by the desk, offers to the waiting list;
- :mod:`.notices`, :mod:`.reminders`: mails, notifications, the reminder the day before;
- :mod:`.reports`: the coordinators' week and the evaluation figures;
- :mod:`.personal`: personal data.
"""

from helpdesk.services import hours as _hours
from helpdesk.services import reminders as _reminders
from helpdesk.services.appointments import (
    CHANGE_BEFORE,
    UPCOMING_LIMIT,
    SlotTaken,
    agenda,
    book_appointment,
    can_change,
    cancel_appointment,
    get_appointment,
    join_waiting_list,
    leave_waiting_list,
    move_appointment,
    person_appointments,
    record_outcome,
    upcoming_count,
    waiting_topics,
    write_follow_up,
)
from helpdesk.services.changes import CHANNEL, EVENT, offer_freed, publish_slots
from helpdesk.services.hours import (
    add_absence,
    blocked_weeks,
    create_hours,
    ensure_all_blocks,
    ensure_blocks,
    get_hours,
    helper_absences,
    helper_hours,
    hours_topics,
    offered_languages,
    published_hours,
    remove_absence,
    remove_hours,
)
from helpdesk.services.notices import MAIL_KIND, NOTIFICATION_KINDS
from helpdesk.services.personal import erase_personal_data, export_personal_data
from helpdesk.services.reminders import send_reminders
from helpdesk.services.reports import Report, figures, report, research, week_report
from helpdesk.services.slots import HORIZON, Slot, candidate_slots, find_slot, free_slots, next_free

jobs = [*_hours.jobs, *_reminders.jobs]


async def can_read_channel(user, roles, ident: str) -> bool:
    """``helpdesk`` is public: open slot lists, no names."""
    return ident == ""


__all__ = [
    "CHANGE_BEFORE",
    "CHANNEL",
    "EVENT",
    "HORIZON",
    "MAIL_KIND",
    "NOTIFICATION_KINDS",
    "UPCOMING_LIMIT",
    "Report",
    "Slot",
    "SlotTaken",
    "add_absence",
    "agenda",
    "blocked_weeks",
    "book_appointment",
    "can_change",
    "can_read_channel",
    "cancel_appointment",
    "candidate_slots",
    "create_hours",
    "ensure_all_blocks",
    "ensure_blocks",
    "erase_personal_data",
    "export_personal_data",
    "figures",
    "find_slot",
    "free_slots",
    "get_appointment",
    "get_hours",
    "helper_absences",
    "helper_hours",
    "hours_topics",
    "jobs",
    "join_waiting_list",
    "leave_waiting_list",
    "move_appointment",
    "next_free",
    "offer_freed",
    "offered_languages",
    "person_appointments",
    "publish_slots",
    "published_hours",
    "record_outcome",
    "remove_absence",
    "remove_hours",
    "report",
    "research",
    "send_reminders",
    "upcoming_count",
    "waiting_topics",
    "week_report",
    "write_follow_up",
]
