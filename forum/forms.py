"""Input of the forum: JSON bodies and HTML forms share these models."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from tierslieu.errors import N_
from tierslieu.validation import Id, Line, custom_error

MAX_BODY = 20_000
MAX_TITLE = 150
MAX_TAGS = 5
TAG_RE = re.compile(r"[a-z0-9][a-z0-9+#.-]{0,29}")

Title = Annotated[Line, StringConstraints(strip_whitespace=True, min_length=5, max_length=MAX_TITLE)]
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=MAX_BODY)]


def split_tags(value: Any) -> Any:
    """A form gives "python, nsi" in one field; JSON gives a list."""
    if isinstance(value, str):
        value = [part for part in re.split(r"[\s,;]+", value) if part]
    if isinstance(value, list):
        cleaned: list[Any] = []
        for item in value:
            if isinstance(item, str):
                item = item.strip().lower().lstrip("#")
                if not TAG_RE.fullmatch(item):
                    message = N_("Tags are short lowercase words (letters, digits, -).")
                    raise custom_error(message)
            if item not in cleaned:
                cleaned.append(item)
        return cleaned
    return value


class TopicIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    category_id: Id
    title: Title
    body: Body
    kind: Literal["question", "discussion"] = "question"
    tags: Annotated[list[str], Field(max_length=MAX_TAGS)] = []

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, value: Any) -> Any:
        return split_tags(value)


class PostIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    body: Body


class PostEdit(BaseModel):
    model_config = ConfigDict(extra="ignore")
    body: Body
    title: Title | None = None
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""


class VoteIn(BaseModel):
    value: Literal[1, -1, 0]


class CategoryIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: Annotated[Line, StringConstraints(strip_whitespace=True, min_length=2, max_length=80)]
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] = ""
    parent_id: Id | None = None


class FlagIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


class ModerationIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


class MoveIn(ModerationIn):
    category_id: Id


class TagRename(ModerationIn):
    name: Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, pattern=TAG_RE.pattern)]


class TagMerge(ModerationIn):
    into: Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, pattern=TAG_RE.pattern)]
