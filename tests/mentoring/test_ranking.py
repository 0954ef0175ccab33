"""The suggestion ranking on constructed cases: hard filters, then the weighted score, and
the reasons as a person reads them."""

from __future__ import annotations

from datetime import date

from mentoring.services.ranking import Candidate, Wanted, passes, rank

TODAY = date(2026, 12, 7)
LABELS = {"python": "Python", "nsi": "NSI", "capes": "CAPES", "pedagogie": "Pédagogie"}
TUESDAY_EVENING = {"tue": [["18:00", "21:00"]]}


def mentor(user_id: int, **overrides) -> Candidate:
    values = {
        "user_id": user_id,
        "display_name": f"Mentor {user_id}",
        "languages": ["fr"],
        "formats": ["onsite", "online"],
        "skills": ["python", "nsi", "capes"],
        "max_mentees": 2,
        "active_count": 0,
        "timezone": "Europe/Paris",
        "availability": TUESDAY_EVENING,
    }
    values.update(overrides)
    return Candidate(**values)


def wanted(**overrides) -> Wanted:
    values = {
        "mentee_id": 99,
        "languages": ["fr"],
        "format": "any",
        "skills": ["python", "nsi", "capes", "pedagogie"],
        "timezone": "Europe/Paris",
        "availability": TUESDAY_EVENING,
    }
    values.update(overrides)
    return Wanted(**values)


def test_hard_filters() -> None:
    asked = wanted(format="onsite")
    assert passes(mentor(1), asked, TODAY)
    assert not passes(mentor(2, languages=["en"]), asked, TODAY)  # no shared language
    assert not passes(mentor(3, formats=["online"]), asked, TODAY)  # format
    assert not passes(mentor(4, active_count=2), asked, TODAY)  # full
    assert not passes(mentor(5, paused_until=date(2026, 12, 20)), asked, TODAY)  # on a break
    assert passes(mentor(6, paused_until=TODAY), asked, TODAY)  # the break ends today
    assert not passes(mentor(7, availability={"mon": [["09:00", "12:00"]]}), asked, TODAY)  # never free together
    assert not passes(mentor(99), asked, TODAY)  # oneself
    assert passes(mentor(8, availability={}), asked, TODAY)  # no times given: any time


def test_times_meet_across_zones() -> None:
    # 17:00-20:00 in Dakar (UTC+0) is 18:00-21:00 in Paris (UTC+1 in winter)
    dakar = mentor(1, timezone="Africa/Dakar", availability={"tue": [["17:00", "20:00"]]})
    assert passes(dakar, wanted(), TODAY)
    early = mentor(2, timezone="Africa/Dakar", availability={"tue": [["15:00", "16:30"]]})
    assert not passes(early, wanted(), TODAY)  # 16:00-17:30 in Paris: no hour in common


def test_score_orders_by_skills_then_times_then_places() -> None:
    found = rank(
        [
            mentor(1, skills=["python"]),  # 1 of 4 skills
            mentor(2),  # 3 of 4 skills
            mentor(3, active_count=1),  # 3 of 4 skills, one place left
            mentor(4, skills=["python", "nsi", "capes", "pedagogie"], languages=["en", "fr"]),  # 4 of 4
            mentor(5, skills=["python", "nsi", "capes", "pedagogie"], formats=["online"]),  # 4 of 4, online only
        ],
        wanted(),
        "en",
        LABELS,
        TODAY,
    )
    assert [s.mentor_id for s in found] == [4, 5, 2, 3, 1]
    scores = {s.mentor_id: s.score for s in found}
    # skills 50, times 20 (3 hours of 6), language 10, format 10, places 10
    assert scores == {4: 50 + 10 + 10 + 10 + 10, 5: 50 + 10 + 10 + 5 + 10, 2: 38 + 40, 3: 38 + 35, 1: 12 + 40}
    assert found[2].parts == {"language": 10, "skills": 38, "times": 10, "format": 10, "places": 10}


def test_reasons_read_in_the_readers_language() -> None:
    [best] = rank([mentor(1, languages=["fr", "en"])], wanted(languages=["fr", "en"]), "en", LABELS, TODAY)
    assert best.reasons == [
        "speaks French and English",
        "3 of 4 skills (Python, NSI, CAPES)",
        "free Tuesday evenings",
        "meets on site and online",
        "2 places free",
    ]
    [meilleur] = rank([mentor(1)], wanted(), "fr", LABELS, TODAY)
    assert meilleur.reasons == [
        "parle français",
        "3 compétences sur 4 (Python, NSI, CAPES)",
        "libre le mardi soir",
        "se rencontre sur place et en ligne",
        "2 places libres",
    ]


def test_a_request_without_times_or_skills() -> None:
    [only] = rank([mentor(1, availability={})], wanted(availability={}, skills=[]), "en", LABELS, TODAY)
    assert "available at any time" in only.reasons
    assert only.parts["skills"] == 25 and only.parts["times"] == 10
