"""The mentoring pages without JavaScript: apply and get approved, ask, offer, accept, book an
on-site session, talk, set goals, close; refused input shows its message, never a 500."""

from __future__ import annotations

from accounts.models import Role
from bookings.models import Booking
from mentoring.models import MentorProfile, Request, Session
from tests.bookings.helpers import make_room
from tests.helpers import csrf_token, inputs, login, make_user, text_of
from tests.mentoring.helpers import make_mentor, next_weekday


async def post(client, path: str, data: dict, *, from_page: str = "/mentoring/requests/new"):
    token = await csrf_token(client, from_page)
    return await client.post(path, data={"csrf_token": token, **data})


async def test_apply_and_get_approved_through_the_pages(client, other_client) -> None:
    applicant = await make_user(email="future.mentor@example.org")
    coordinator = await make_user(roles=(Role.COORDINATOR,))
    await login(client, applicant.email)
    form = await client.get("/mentoring/profile")
    assert form.status_code == 200 and "Devenir mentor" in form.text
    refused = await post(
        client, "/mentoring/profile", {"languages": "fr", "formats": "online", "max_mentees": "2", "skills": "cobol"}
    )
    assert refused.status_code == 422 and "cobol" in refused.text
    sent = await post(
        client,
        "/mentoring/profile",
        {
            "skills": ["nsi", "capes"],
            "languages": "fr, wo",
            "formats": ["online", "onsite"],
            "max_mentees": "2",
            "motivation": "Je veux aider",
            "timezone": "Africa/Dakar",
            "avail_tue": "17:00-20:00",
        },
    )
    assert sent.status_code == 303
    profile = await MentorProfile.get(user_id=applicant.id)
    assert profile.availability == {"tue": [["17:00", "20:00"]]} and profile.languages == ["fr", "wo"]
    await login(other_client, coordinator.email)
    queue = await other_client.get("/mentoring/applications")
    assert queue.status_code == 200 and applicant.display_name in queue.text
    approve = await post(
        other_client,
        f"/admin/users/{applicant.id}/roles",
        {"roles": ["mentor"], "reason": "Candidature de mentor approuvée"},
        from_page="/mentoring/applications",
    )
    assert approve.status_code == 303
    assert "Aucune candidature" in (await other_client.get("/mentoring/applications")).text


async def test_the_journey_request_accept_book_on_site(client, other_client) -> None:
    mentor = await make_mentor(email="claire@example.org", display_name="Claire Martin")
    room = await make_room(name="Salle Ada Lovelace")
    mentee = await make_user(email="thomas@example.org")
    await login(client, mentee.email)
    home = await client.get("/mentoring")
    assert home.status_code == 200 and "Demander un mentorat" in home.text
    bad = await post(client, "/mentoring/requests/new", {"topic": "CAPES", "languages": "français"})
    assert bad.status_code == 422 and "Code de langue inconnu" in bad.text
    created = await post(
        client,
        "/mentoring/requests/new",
        {
            "topic": "Préparer le CAPES NSI",
            "skills": ["nsi", "python"],
            "goal": "Réussir l'écrit",
            "languages": "fr",
            "format": "any",
            "timezone": "Europe/Paris",
            "avail_tue": "18:00-21:00",
        },
    )
    assert created.status_code == 303
    page_url = created.headers["location"].split("?")[0]
    page = await client.get(created.headers["location"])
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Claire Martin" in text and "parle français" in text and "libre le mardi soir" in text
    request = await Request.get(mentee_id=mentee.id)
    offered = await post(client, f"{page_url}/offer", {"mentor_id": str(mentor.id)}, from_page=page_url)
    assert offered.status_code == 303
    # the mentor answers from the page
    await login(other_client, mentor.email)
    seen = await other_client.get(page_url)
    assert seen.status_code == 200 and "Accepter" in seen.text and mentee.email not in seen.text
    accepted = await post(other_client, f"{page_url}/accept", {"message": "Avec plaisir"}, from_page=page_url)
    assert accepted.status_code == 303
    # the mentee books an on-site session; a time outside the mentor's evenings is refused clearly
    day = next_weekday(1)
    outside = await post(
        client,
        f"{page_url}/sessions",
        {"day": day.isoformat(), "start": "10:00", "end": "11:00", "format": "onsite", "room_id": str(room.id)},
        from_page=page_url,
    )
    assert outside.status_code == 422 and "disponibilités hebdomadaires du mentor" in outside.text
    booked = await post(
        client,
        f"{page_url}/sessions",
        {"day": day.isoformat(), "start": "18:30", "end": "19:30", "format": "onsite", "room_id": str(room.id)},
        from_page=page_url,
    )
    assert booked.status_code == 303, booked.text[:300]
    session = await Session.get(request_id=request.id)
    assert (await Booking.get(id=session.booking_id)).origin == "mentoring"
    page = await client.get(page_url)
    assert "Salle Ada Lovelace" in page.text and mentor.email in page.text
    # thread, goal, close
    assert (
        await post(client, f"{page_url}/messages", {"body": "Merci <b>!</b>"}, from_page=page_url)
    ).status_code == 303
    thread = await other_client.get(page_url)
    assert "Merci &lt;b&gt;!&lt;/b&gt;" in thread.text
    assert (
        await post(client, f"{page_url}/goals", {"title": "Écrire une séquence"}, from_page=page_url)
    ).status_code == 303
    closing = await post(
        other_client,
        f"{page_url}/close",
        {"outcome": "completed", "rating": "5", "comment": "Bravo"},
        from_page=page_url,
    )
    assert closing.status_code == 303
    closed = await client.get(page_url)
    assert "Terminé" in closed.text
    again = await post(client, f"{page_url}/messages", {"body": "Encore"}, from_page=page_url)
    assert again.status_code == 409 and "Ce mentorat est clos" in again.text


async def test_coordinator_pages(client) -> None:
    coordinator = await make_user(roles=(Role.COORDINATOR,))
    await login(client, coordinator.email)
    for path in ("/mentoring", "/mentoring/applications", "/mentoring/reports"):
        response = await client.get(path)
        assert response.status_code == 200, path
    home = await client.get("/mentoring")
    assert 'href="/mentoring"' in home.text  # the navigation link
    assert inputs(home.text) is not None


async def test_the_privacy_page_says_when_threads_and_notes_go(client) -> None:
    page = await client.get("/pages/privacy")
    assert page.status_code == 200 and "12 mois après la fin du mentorat" in page.text


async def test_an_anonymous_visitor_reads_what_mentoring_is(client) -> None:
    page = await client.get("/mentoring")
    assert page.status_code == 200 and "/login?next=/mentoring" in page.text and "bénévoles" in page.text
