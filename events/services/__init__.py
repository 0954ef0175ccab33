"""The events part's use-cases: the only module other parts import.

Where things are:

- :mod:`.events`: reading events (one as a person may see it, the published ones page by
  page, a programme);
- :mod:`.planning`: creating an event or a weekly series, changing it, its programme and
  the rooms of its sessions (booked through ``bookings.services``), cancelling it;
- :mod:`.registrations`: registering, cancelling, the waiting list and its promotions,
  the registrants, a message to them;
- :mod:`.notices`: the mails and in-app notifications of registrants;
- :mod:`.attendance`, :mod:`.certificates`, :mod:`.feedback`: after the doors open;
- :mod:`.reminders`: the periodic sweep (reminders, then requests for feedback);
- :mod:`.personal`, :mod:`.overview`: personal data; the home panel and the figures.

Dependencies go one way: events ← registrations ← planning; notices below both.
"""

from events.services.attendance import ATTENDANCE_RECORDED, attended, door_list, record_attendance
from events.services.certificates import attended_sessions, certificate
from events.services.events import (
    MAX_PAGE,
    PAGE_SIZE,
    can_read_event,
    events_run_by,
    get_event,
    managed_event,
    published_events,
    sessions_of,
)
from events.services.feedback import ask_for_feedback, can_give_feedback, feedback_summary, give_feedback, my_feedback
from events.services.notices import MAIL_KIND, NOTIFICATION_KINDS
from events.services.overview import figures, my_panel, research, upcoming_panel
from events.services.personal import erase_personal_data, export_personal_data
from events.services.planning import (
    add_session,
    cancel_event,
    change_event,
    create_event,
    create_series,
    remove_session,
)
from events.services.registrations import (
    cancel_registration,
    message_registrants,
    my_registrations,
    place_for,
    position,
    register,
    registrants,
    registration_of,
    seats_left,
    waiting_count,
)
from events.services.reminders import jobs, send_reminders

__all__ = [
    "ATTENDANCE_RECORDED",
    "MAIL_KIND",
    "MAX_PAGE",
    "NOTIFICATION_KINDS",
    "PAGE_SIZE",
    "add_session",
    "ask_for_feedback",
    "attended",
    "attended_sessions",
    "can_give_feedback",
    "can_read_event",
    "cancel_event",
    "cancel_registration",
    "certificate",
    "change_event",
    "create_event",
    "create_series",
    "door_list",
    "erase_personal_data",
    "events_run_by",
    "export_personal_data",
    "feedback_summary",
    "figures",
    "get_event",
    "give_feedback",
    "jobs",
    "managed_event",
    "message_registrants",
    "my_feedback",
    "my_panel",
    "my_registrations",
    "place_for",
    "position",
    "published_events",
    "record_attendance",
    "register",
    "registrants",
    "registration_of",
    "remove_session",
    "research",
    "seats_left",
    "send_reminders",
    "sessions_of",
    "upcoming_panel",
    "waiting_count",
]
