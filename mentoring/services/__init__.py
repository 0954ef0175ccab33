"""The mentoring part's use-cases: the only module other parts import.

Where things are:

- :mod:`.profiles`: applying to mentor, the coordinators' queue, the profile and its pause;
- :mod:`.requests`: requests, offers one mentor at a time, acceptance under the capacity
  rule, decline, closure with feedback (announcing ``mentoring.completed``), block;
- :mod:`.ranking`: the suggested mentors with their score and reasons;
- :mod:`.sessions`: sessions (on site through ``bookings.services.book_room``), shared and
  private notes, goals;
- :mod:`.thread`: the private thread, live on ``mentoring:{id}``, and reported messages;
- :mod:`.jobs`: the daily sweep (reminders, lapses, expiry, deletion after 12 months);
- :mod:`.notices`, :mod:`.personal`, :mod:`.figures`: notifications and mails, personal
  data and feed, the evaluation dashboard.
"""

from mentoring.services.common import closed_error, get_request
from mentoring.services.figures import figures, research
from mentoring.services.jobs import jobs, sweep
from mentoring.services.notices import MAIL_KIND, NOTIFICATION_KINDS, request_path
from mentoring.services.personal import erase_personal_data, export_personal_data, personal_items, personal_version
from mentoring.services.profiles import (
    applications,
    decline_application,
    get_mentor,
    is_active,
    is_paused,
    profile_of,
    save_profile,
    set_pause,
    skill_slugs,
)
from mentoring.services.ranking import Suggestion
from mentoring.services.requests import (
    COMPLETED,
    MAX_OPEN,
    accept,
    all_requests,
    block,
    close,
    contacts,
    create_request,
    decline,
    mentor_requests,
    my_requests,
    offer,
    renew,
    request_skills,
    suggestions,
    withdraw,
)
from mentoring.services.sessions import (
    add_goal,
    cancel_session,
    get_session,
    goals_of,
    private_notes,
    progress,
    reschedule_session,
    save_private_notes,
    save_session_notes,
    schedule_session,
    sessions_of,
    set_goal,
)
from mentoring.services.thread import (
    can_read_channel,
    channel,
    handle_report,
    messages,
    post_message,
    report_message,
    reported_messages,
)

__all__ = [
    "COMPLETED",
    "MAIL_KIND",
    "MAX_OPEN",
    "NOTIFICATION_KINDS",
    "Suggestion",
    "accept",
    "add_goal",
    "all_requests",
    "applications",
    "block",
    "can_read_channel",
    "cancel_session",
    "channel",
    "close",
    "closed_error",
    "contacts",
    "create_request",
    "decline",
    "decline_application",
    "erase_personal_data",
    "export_personal_data",
    "figures",
    "get_mentor",
    "get_request",
    "get_session",
    "goals_of",
    "handle_report",
    "is_active",
    "is_paused",
    "jobs",
    "mentor_requests",
    "messages",
    "my_requests",
    "offer",
    "personal_items",
    "personal_version",
    "post_message",
    "private_notes",
    "profile_of",
    "progress",
    "renew",
    "report_message",
    "reported_messages",
    "request_path",
    "request_skills",
    "reschedule_session",
    "research",
    "save_private_notes",
    "save_profile",
    "save_session_notes",
    "schedule_session",
    "sessions_of",
    "set_goal",
    "set_pause",
    "skill_slugs",
    "suggestions",
    "sweep",
    "withdraw",
]
