from helpdesk import services
from helpdesk.forms import AppointmentCreate
from tests.helpdesk.helpers import at, make_hours, upcoming
from tests.helpers import make_user


async def test_book_a_slot() -> None:
    hours = await make_hours()
    day = upcoming("wed")
    slots = await services.free_slots(at(day, "00:00"), at(day, "23:00"))
    assert [slot.starts_at for slot in slots] == [at(day, t) for t in ("14:00", "14:30", "15:00", "15:30")]
    person = await make_user()
    data = AppointmentCreate(
        helper_id=hours.helper_id, slot_starts_at=at(day, "14:30"), topic="python", need="Help", format="online"
    )
    appointment = await services.book_appointment(person, data)
    assert appointment.id
    slots = await services.free_slots(at(day, "00:00"), at(day, "23:00"))
    assert len(slots) == 3
