"""Mentoring's figures for the evaluation dashboard."""

from __future__ import annotations

from datetime import timedelta

from mentoring import services
from mentoring.models import Request
from mentoring.services.figures import Period
from tests.mentoring.helpers import make_mentor, make_relationship, make_request
from tierslieu import clock


async def test_figures_over_a_period() -> None:
    now = clock.now()
    period = Period(now - timedelta(days=30), now + timedelta(minutes=1))
    empty = await services.figures(period, "en")
    assert [f.value for f in empty.figures] == [0, None, None, 0, None]
    mentor = await make_mentor(max_mentees=3)
    _, _, first = await make_relationship(mentor=mentor)
    _, _, second = await make_relationship(mentor=mentor)
    await make_request()  # not matched
    await Request.filter(id=first.id).update(accepted_at=first.created_at + timedelta(days=2))
    await Request.filter(id=second.id).update(accepted_at=second.created_at + timedelta(days=4))
    mentee = (await Request.get(id=first.id).prefetch_related("mentee")).mentee
    await services.close(mentee, first.id, "completed", 4, "Bien")
    found = await services.figures(period, "fr")
    assert {f.label: f.value for f in found.figures} == {
        "Demandes de mentorat faites": 3,
        "Part de ces demandes qui ont trouvé un mentor, en pour cent": 67,
        "Délai médian entre la demande et le mentor trouvé (jours)": 3.0,
        "Mentorats terminés": 1,
        "Note moyenne des mentorats terminés (de 1 à 5)": 4,
    }
    before = await services.figures(Period(now - timedelta(days=60), now - timedelta(days=31)), "en")
    assert [f.value for f in before.figures] == [0, None, None, 0, None]
    records = await services.research(period)
    assert sorted(record.category for record in records) == ["active", "completed", "open"]
    assert {record.dataset for record in records} == {"mentoring.request"} and not any(r.subject for r in records)
    assert sorted(r.measure for r in records if r.measure is not None) == [2.0, 4.0]
