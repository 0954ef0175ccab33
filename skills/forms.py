"""Input validation for the skill vocabulary, shared by the page and the JSON API."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from tierslieu.errors import N_
from tierslieu.validation import custom_error, plain_text

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


def _label(value: str) -> str:
    value = " ".join(plain_text(value).split())
    if not value:
        raise custom_error(N_("This field is required."))
    return value


def _slug(value: str) -> str:
    if not re.fullmatch(SLUG_PATTERN, value):
        raise custom_error(N_("Lower-case letters, digits and hyphens, like gestion-de-classe."))
    return value


Label = Annotated[str, Field(max_length=80), AfterValidator(_label)]


class SkillLabels(BaseModel):
    model_config = ConfigDict(extra="ignore")

    label_fr: Label
    label_en: Label
    retired: bool = False


class SkillCreate(SkillLabels):
    slug: Annotated[str, Field(max_length=40), AfterValidator(_slug)]
