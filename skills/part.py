"""The skills part's manifest: the vocabulary that mentoring, the help desk and badges share."""

from __future__ import annotations

from skills import api, routes
from tierslieu.parts import Part

part = Part(
    name="skills",
    models=True,
    routes=routes.routes,
    api_routes=api.routes,
    error_codes={
        "unknown_skill": "A skill slug that is not in the vocabulary, or a retired one.",
        "skill_exists": "A skill with this slug exists already.",
    },
)
