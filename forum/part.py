"""The forum part's manifest: questions and discussions, answers, votes, accepted answers,
search, moderation and live updates."""

from __future__ import annotations

from forum import demo, notify, overview, personal, routes
from tierslieu.errors import N_
from tierslieu.parts import NavLink, Panel, Part, PersonalData

part = Part(
    name="forum",
    models=True,
    routes=routes.routes,
    api_routes=routes.api_routes,
    personal_data=PersonalData("forum", personal.export, personal.erase),
    channels={"topic": personal.can_read_topic},
    notification_kinds=notify.NOTIFICATION_KINDS,
    error_codes={
        "topic_locked": "The topic is locked: it accepts no more replies.",
        "own_post": "One cannot vote on one's own post.",
        "not_a_question": "Votes and accepted answers are for questions only.",
    },
    navigation=[NavLink("forum:index", N_("Forum"), "/forum")],
    demo=demo.run,
    home_panels=[Panel("forum/_home_latest.html", overview.home_panel)],
    figures=overview.figures,
    research=overview.research,
)
