"""The notification pages, the badge on every page, the live message, the forum's old paths."""

from __future__ import annotations

import asyncio
import json

from websockets.asyncio.client import connect

from notifications import services
from notifications.models import Notification, Preference
from tests.helpers import api_token, csrf_token, login, make_user, post_form
from tests.notifications.factories import KIND, make_notification


async def test_anonymous_visitors_are_sent_to_sign_in(client) -> None:
    for path in ("/notifications", "/notifications/1", "/notifications/preferences"):
        response = await client.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next=/notifications")


async def test_list_open_and_mark_all_read(client) -> None:
    reader = await make_user()
    first = await make_notification(reader, title="Les boucles en seconde")
    await make_notification(reader)
    await login(client, reader.email)
    listing = await client.get("/notifications")
    assert listing.status_code == 200
    assert "Les boucles en seconde" in listing.text and f'/notifications/{first.id}"' in listing.text
    opened = await client.get(f"/notifications/{first.id}")
    assert opened.status_code == 303 and opened.headers["location"] == "/forum/t/1"
    refused = await client.post("/notifications/read-all", data={"csrf_token": "forged"})
    assert refused.status_code == 403 and await services.unread_count(reader) == 1
    done = await post_form(client, "/notifications/read-all", from_page="/notifications")
    assert done.status_code == 303 and done.headers["location"] == "/notifications"
    assert await services.unread_count(reader) == 0
    assert (await client.get("/notifications/999999")).status_code == 404


async def test_the_api_counts_my_unread_notifications(client) -> None:
    anonymous = await client.get("/api/v1/notifications/unread")
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "unauthorized"
    reader, other = await make_user(), await make_user()
    for _ in range(2):
        await make_notification(reader)
    await make_notification(other)
    headers = await api_token(client, reader.email)
    counted = await client.get("/api/v1/notifications/unread", headers=headers)
    assert counted.status_code == 200 and counted.json() == {"unread": 2}
    await services.mark_all_read(reader)
    assert (await client.get("/api/v1/notifications/unread", headers=headers)).json() == {"unread": 0}


async def test_the_forums_old_paths_answer_301(client) -> None:
    moved = await client.get("/forum/notifications", params={"page": "2"})
    assert moved.status_code == 301 and moved.headers["location"] == "/notifications?page=2"
    one = await client.get("/forum/notifications/42")
    assert one.status_code == 301 and one.headers["location"] == "/notifications/42"


async def test_preferences_list_every_kind_and_refuse_a_bad_mode_in_french(client) -> None:
    person = await make_user(locale="fr")
    await login(client, person.email)
    shown = await client.get("/notifications/preferences")
    assert shown.status_code == 200
    for kind in services.kinds():  # each with the modes it offers (in-app or never for some)
        for mode in kind.modes:
            assert f'name="{kind.name}" value="{mode}"' in shown.text
    assert "Sur le site seulement" in shown.text and "Forum : quelqu’un me mentionne" in shown.text
    token = await csrf_token(client, "/notifications/preferences")
    bad = await client.post("/notifications/preferences", data={"csrf_token": token, KIND: "sometimes"})
    assert bad.status_code == 422
    assert (
        "Choisissez l&#39;une des valeurs proposées." in bad.text
        and "Certains champs sont manquants" in bad.text
        and 'class="error"' in bad.text
    )
    assert not await Preference.exists(user_id=person.id)
    good = await client.post("/notifications/preferences", data={"csrf_token": token, KIND: "digest"})
    assert good.status_code == 200 and "Vos choix sont enregistrés." in good.text
    assert (await services.preferences(person))[KIND] == "digest"
    forged = await client.post("/notifications/preferences", data={"csrf_token": "x", KIND: "never"})
    assert forged.status_code == 403


async def test_the_badge_shows_on_every_page_for_a_signed_in_person(client, monkeypatch) -> None:
    anonymous = await client.get("/events")
    assert 'data-live-count="notification.created"' not in anonymous.text
    reader = await make_user()
    for _ in range(3):
        await make_notification(reader)
    await login(client, reader.email)
    page = await client.get("/events")
    assert page.status_code == 200
    assert 'href="/notifications"' in page.text
    assert 'data-live-count="notification.created" data-live-announce=' in page.text
    assert '"notification.created" data-live-announce="Nouvelle notification">3</span>' in page.text
    assert f'data-live-channel="user:{reader.id}"' in page.text


async def test_anonymous_pages_do_not_count(client, monkeypatch) -> None:
    asked: list[object] = []
    original = services.unread_count

    async def spy(user, **kwargs):
        asked.append(user)
        return await original(user, **kwargs)

    monkeypatch.setattr(services, "unread_count", spy)
    for path in ("/", "/events", "/forum"):
        assert (await client.get(path)).status_code == 200
    assert asked == []
    reader = await make_user()
    await login(client, reader.email)
    asked.clear()
    await client.get("/events")
    assert len(asked) == 1


async def test_a_new_notification_is_announced_live_on_the_user_channel(live_server: str, settings) -> None:
    from accounts import services as accounts
    from tierslieu.middleware import SESSION_COOKIE

    reader = await make_user()
    cookie = await accounts.start_session(reader, "127.0.0.1", "pytest", settings)
    url = live_server.replace("http", "ws", 1) + "/ws"
    async with connect(url, origin=live_server, additional_headers={"Cookie": f"{SESSION_COOKIE}={cookie}"}) as socket:
        await socket.send(json.dumps({"subscribe": f"user:{reader.id}"}))
        assert json.loads(await asyncio.wait_for(socket.recv(), 3)) == {"subscribed": f"user:{reader.id}"}
        created = await services.notify([reader.id], KIND, (await _message()), url="/forum/t/5", data={"topic_id": 5})
        await services.publish(created)
        event = json.loads(await asyncio.wait_for(socket.recv(), 3))
        notification = await Notification.get(user_id=reader.id)
        assert event == {
            "channel": f"user:{reader.id}",
            "type": "notification.created",
            "id": notification.id,
            "topic_id": 5,
        }


async def _message():
    from tierslieu.i18n import Message

    return Message("%(actor)s replied in “%(title)s”", {"actor": "Ada", "title": "Un sujet"})
