"""The evaluation dashboard: the period form, the charts drawn as SVG beside their tables, who
may see it, and the pseudonymised export for researchers."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from accounts import dashboard
from accounts.models import Role
from events import services as events
from events.models import Event
from tests.events.helpers import make_event, soon
from tests.helpers import csrf_token, login, make_user
from tierslieu import clock, i18n
from tierslieu.errors import Invalid
from tierslieu.parts import Chart, Period, ResearchRecord


def test_the_period_defaults_to_the_last_90_days_and_refuses_bad_dates() -> None:
    today = clock.now().astimezone(UTC).date()
    choice = dashboard.choose_period({}, "UTC")
    assert (choice.first, choice.last) == (today - timedelta(days=89), today)
    assert choice.period.end - choice.period.start == timedelta(days=90)
    paris = dashboard.choose_period({"from": "2026-07-01", "to": "2026-07-31"}, "Europe/Paris")
    assert paris.period == Period(datetime(2026, 6, 30, 22, tzinfo=UTC), datetime(2026, 7, 31, 22, tzinfo=UTC))
    for values, field in (
        ({"from": "2026-13-01"}, "from"),
        ({"to": "hier"}, "to"),
        ({"from": "2026-07-02", "to": "2026-07-01"}, "to"),
        ({"from": "2010-01-01", "to": "2026-01-01"}, "to"),
    ):
        with pytest.raises(Invalid) as bad:
            dashboard.choose_period(values, "UTC")
        assert field in bad.value.fields


def test_charts_are_drawn_to_scale() -> None:
    bars = dashboard.draw(Chart("T", "bars", ("n",), (("a", (10,)), ("b", (5,)), ("c", (0,)))), "fr")
    assert [bar["width"] for bar in bars["bars"]] == [dashboard.BAR_WIDTH, dashboard.BAR_WIDTH // 2, 0]
    heat = dashboard.draw(Chart("H", "heatmap", ("8", "9"), (("lun.", (0, 50)), ("mar.", (100, 25)))), "fr")
    fills = [cell["fill"] for cell in heat["cells"]]
    assert fills[0] == dashboard.SHADES[0] and fills[2] == dashboard.SHADES[-1]
    assert heat["width"] == dashboard.HEAT_LABEL + 2 * dashboard.CELL_WIDTH


async def test_only_coordinators_and_admins_see_the_dashboard(client, other_client) -> None:
    assert (await client.get("/admin/dashboard")).status_code in (302, 303, 401)
    await login(client, (await make_user()).email)
    assert (await client.get("/admin/dashboard")).status_code == 403
    await login(other_client, (await make_user(roles=(Role.COORDINATOR,), locale="en")).email)
    page = await other_client.get("/admin/dashboard?from=2026-13-01&to=2026-01-01")
    assert page.status_code == 422
    assert "The period is not valid." in page.text and "A date is expected here, written 2026-09-01." in page.text


async def test_the_dashboard_draws_each_chart_with_its_table(other_client) -> None:
    event = await make_event(kind="workshop", capacity=5)
    for _ in range(3):
        await events.register(await make_user(), event.id)
    await login(other_client, (await make_user(roles=(Role.ADMIN,), locale="en")).email)
    first = (clock.now() - timedelta(days=5)).date().isoformat()
    last = (clock.now() + timedelta(days=30)).date().isoformat()
    page = (await other_client.get(f"/admin/dashboard?from={first}&to={last}")).text
    assert page.count('<svg role="img"') >= 4  # three event charts, the heat map of the rooms…
    assert "<title" in page and "Confirmed registrations per kind of event" in page
    assert '<tr><th scope="row">Workshop</th><td>3</td></tr>' in page
    assert 'id="figures-bookings"' in page and "Monday" in page
    assert "<script" not in page.split("<main", 1)[-1].split("</main>", 1)[0]  # drawn on the server


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_groups_hashes_and_suppresses_small_counts() -> None:
    day = date(2026, 9, 2)  # ISO week 2026-W36
    records = [
        ResearchRecord("events.registration", day, "webinar", "event:1", person, measure=person % 2)
        for person in range(1, 7)
    ] + [ResearchRecord("events.registration", day, "webinar", "event:2", person) for person in (1, 2)]
    key = dashboard.export_key("secret", stable=False)
    rows = _rows(dashboard.research_csv(records, key))
    assert list(rows[0]) == list(dashboard.COLUMNS)
    big = next(row for row in rows if row["subject"] == dashboard.pseudonym(key, "event:1"))
    assert big == {
        "dataset": "events.registration",
        "subject": dashboard.pseudonym(key, "event:1"),
        "week": "2026-W36",
        "category": "webinar",
        "records": "6",
        "people": "6",
        "mean_measure": "0.5",
        "suppressed": "0",
    }
    small = next(row for row in rows if row["subject"] == dashboard.pseudonym(key, "event:2"))
    assert (small["records"], small["people"], small["mean_measure"], small["suppressed"]) == ("", "", "", "1")
    # a key per export: two exports cannot be joined; the stable key joins them
    other = dashboard.export_key("secret", stable=False)
    assert dashboard.pseudonym(other, "event:1") != big["subject"]
    assert dashboard.export_key("secret", stable=True) == dashboard.export_key("secret", stable=True)
    assert "event:1" not in dashboard.research_csv(records, key)


async def test_the_export_holds_no_personal_data(client) -> None:
    names = ["Léa Martin", "Karim Benali", "Aïssatou Diop", "Claire Petit", "Hugo Blanc", "Nina Roux"]
    people = [await make_user(display_name=name, email=f"p{index}@example.org") for index, name in enumerate(names)]
    event = await make_event(kind="webinar", capacity=10, title="Atelier confidentiel")
    for person in people:
        await events.register(person, event.id)
        await events.record_attendance(event.facilitator, event.id, person.id)
    await Event.filter(id=event.id).update(starts_at=soon(-2), ends_at=soon(-2) + timedelta(hours=2))
    coordinator = await make_user(roles=(Role.COORDINATOR,), locale="en")
    await login(client, coordinator.email)
    today = clock.now().astimezone(i18n.zone(coordinator.timezone)).date()  # days are the viewer's
    first = (today - timedelta(days=30)).isoformat()
    last = today.isoformat()
    token = await csrf_token(client, "/admin/dashboard")
    response = await client.post("/admin/dashboard/research.csv", data={"csrf_token": token, "from": first, "to": last})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    text = response.text
    for secret in [*names, "example.org", "Atelier confidentiel", coordinator.display_name]:
        assert secret not in text
    rows = _rows(text)
    registrations = [row for row in rows if row["dataset"] == "events.registration"]
    assert [(row["records"], row["people"], row["mean_measure"]) for row in registrations] == [("6", "6", "1.0")]
    signups = [row for row in rows if row["dataset"] == "accounts.signup"]
    assert signups and all(len(row["subject"]) == 0 for row in signups)
    assert all(row["subject"] == "" or len(row["subject"]) == 32 for row in rows)
    again = await client.post("/admin/dashboard/research.csv", data={"csrf_token": token, "from": first, "to": last})
    subject = registrations[0]["subject"]
    assert subject not in again.text  # a new key each time
    stable = [
        await client.post(
            "/admin/dashboard/research.csv", data={"csrf_token": token, "from": first, "to": last, "stable": "1"}
        )
        for _ in range(2)
    ]
    assert stable[0].text == stable[1].text
    await login(client, (await make_user()).email)
    token = await csrf_token(client, "/me")
    refused = await client.post("/admin/dashboard/research.csv", data={"csrf_token": token, "from": first, "to": last})
    assert refused.status_code == 403
