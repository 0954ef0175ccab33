"""Input validation for badges, shared by the JSON API and the HTML forms."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field

from tierslieu.errors import N_
from tierslieu.validation import Id, custom_error

MAX_IMAGE_BYTES = 512 * 1024  # an uploaded image, before it is redrawn at 256 × 256
DATA_URI_PREFIXES = ("data:image/png;base64,", "data:image/jpeg;base64,")


def _text(value: str) -> str:
    value = " ".join(value.split())
    if not value:
        raise custom_error(N_("This field is required."))
    return value


def _long_text(value: str) -> str:
    value = value.strip().replace("\r\n", "\n")
    if not value:
        raise custom_error(N_("This field is required."))
    if any(ord(char) < 32 and char not in "\n\t" for char in value):
        raise custom_error(N_("Control characters are not allowed."))
    return value


def _url(value: str) -> str:
    value = value.strip()
    if not value.startswith(("https://", "http://")):
        raise custom_error(N_("A web address starting with https:// is expected here."))
    return value


def _data_uri(value: str) -> bytes:
    """An image sent in JSON: a data URI of a PNG or JPEG image."""
    for prefix in DATA_URI_PREFIXES:
        if value.startswith(prefix):
            try:
                raw = base64.b64decode(value[len(prefix) :], validate=True)
            except (binascii.Error, ValueError):
                break
            if len(raw) > MAX_IMAGE_BYTES:
                raise custom_error(N_("The image is too large (512 kB at most)."))
            return raw
    raise custom_error(N_("An image is expected here: a PNG or JPEG data URI."))


Name = Annotated[str, Field(max_length=120), AfterValidator(_text)]
LongText = Annotated[str, Field(max_length=5000), AfterValidator(_long_text)]
Note = Annotated[str, Field(max_length=2000)]
Skill = Annotated[str, Field(max_length=40)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ClassCreate(Strict):
    name: Name
    description: LongText
    criteria: LongText
    skills: Annotated[list[Skill], Field(max_length=20)] = []
    image: Annotated[bytes, Field(max_length=MAX_IMAGE_BYTES)] | None = None


class ClassCreateJSON(Strict):
    """The API's body: the image as a data URI."""

    name: Name
    description: LongText
    criteria: LongText
    skills: Annotated[list[Skill], Field(max_length=20)] = []
    image: Annotated[str, Field(max_length=MAX_IMAGE_BYTES * 2), AfterValidator(_data_uri)] | None = (
        None  # bytes once read
    )


class AwardCreate(Strict):
    user_id: Id
    evidence: Note = ""


class EventLinkCreate(Strict):
    event_id: Id
    required_session_ids: Annotated[list[Id], Field(max_length=100)] = []


class Revocation(Strict):
    reason: Annotated[str, Field(max_length=500), AfterValidator(_text)]


class IssuerChange(Strict):
    name: Name
    url: Annotated[str, Field(max_length=300), AfterValidator(_url)]
    email: EmailStr
    description: Annotated[str, Field(max_length=2000)] = ""
