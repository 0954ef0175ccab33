"""The bookings part's use-cases: the only module other parts import.

Where things are:

- :mod:`.bookings`: a booking made, cancelled, decided, checked in; the lists of the
  person and of the managers; :func:`book_room` and :func:`release_room` for other parts,
  inside their own transaction (they call :func:`publish_rooms` once it has committed);
- :mod:`.series`: recurring bookings (preview, creation, one more date);
- :mod:`.rooms`: rooms, closures, availability and the free-slot finder; :func:`get_room`
  is the one way to get a room;
- :mod:`.rules`: what every booking path shares (the rules of a room, the insert the
  database guards, the 409 naming the time taken, the live update of a room);
- :mod:`.noshows`: the release of bookings nobody checked in to;
- :mod:`.notices`: the mails and in-app notifications of the person who booked;
- :mod:`.personal`, :mod:`.figures`: personal data, the evaluation dashboard.
"""

from bookings.models import Origin
from bookings.services.bookings import (
    CHECKIN_BEFORE,
    book_room,
    cancel_booking,
    cancel_series_from,
    check_in,
    create_booking,
    decide_booking,
    desk_bookings,
    get_booking,
    my_next_bookings_panel,
    pending_bookings,
    release_room,
    user_bookings,
    visit_panel,
)
from bookings.services.figures import figures, research
from bookings.services.noshows import jobs, release_no_shows
from bookings.services.notices import CONFIRMED_MAIL, MAIL_KIND, NOTIFICATION_KINDS, compose_confirmed
from bookings.services.personal import erase_personal_data, export_personal_data
from bookings.services.rooms import (
    Availability,
    Slot,
    add_closure,
    alternatives,
    availability,
    can_read_room,
    create_room,
    delete_closure,
    find_free_slots,
    get_room,
    list_rooms,
    room_feed_bookings,
    upcoming_closures,
    update_room,
)
from bookings.services.rules import publish_rooms, zone_of
from bookings.services.series import Occurrence, add_date, create_series, preview_series

__all__ = [
    "CHECKIN_BEFORE",
    "CONFIRMED_MAIL",
    "MAIL_KIND",
    "NOTIFICATION_KINDS",
    "Availability",
    "Occurrence",
    "Origin",
    "Slot",
    "add_closure",
    "add_date",
    "alternatives",
    "availability",
    "book_room",
    "can_read_room",
    "cancel_booking",
    "cancel_series_from",
    "check_in",
    "compose_confirmed",
    "create_booking",
    "create_room",
    "create_series",
    "decide_booking",
    "delete_closure",
    "desk_bookings",
    "erase_personal_data",
    "export_personal_data",
    "figures",
    "find_free_slots",
    "get_booking",
    "get_room",
    "jobs",
    "list_rooms",
    "my_next_bookings_panel",
    "pending_bookings",
    "preview_series",
    "publish_rooms",
    "release_no_shows",
    "release_room",
    "research",
    "room_feed_bookings",
    "upcoming_closures",
    "update_room",
    "user_bookings",
    "visit_panel",
    "zone_of",
]
