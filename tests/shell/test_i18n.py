"""The French and English catalogues stay complete, and templates keep no untranslated text.

Messages are extracted in-process with Babel, following ``babel.cfg`` and the keywords of
``scripts/update_catalogues.sh``; the catalogues are read from the ``.po`` files that the
application compiles at start-up.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

from tierslieu import i18n

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
LOCALES = ("fr", "en")
FIX = "run scripts/update_catalogues.sh, then translate the new entries in the .po files"

# Keep in step with KEYWORDS in scripts/update_catalogues.sh.
KEYWORDS = parse_keywords(["_", "N_", "gettext:1,1t", "gettext:2", "ngettext:1,2,3t", "ngettext:2,3"])

PLACEHOLDER = re.compile(r"%\((\w+)\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
LETTER = re.compile(r"[^\W\d_]")
# Links and paths built around Jinja values ("{{ base_url }}/verify-email?token=…") are not prose.
URL_LIKE = re.compile(r"\S*[/?=@]\S*")

# Words a template may show as they are: each language's name, written in that language.
LITERAL_ALLOWED = frozenset({"English", "Français", "FR", "EN"})
# Attributes read by people (or read aloud), so they go through _() too.
TEXT_ATTRIBUTES = frozenset({"title", "aria-label", "placeholder", "alt"})
BUTTON_INPUTS = frozenset({"submit", "button", "reset"})


@cache
def extracted() -> dict[str | tuple[str, ...], list[str]]:
    """Every message id of the source tree, with the places that use it."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, "babel.cfg")
    messages: dict[str | tuple[str, ...], list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        messages.setdefault(message, []).append(f"{filename}:{lineno}")
    return messages


@cache
def catalog(locale: str) -> Catalog:
    path = i18n.LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    assert path.exists(), f"{path} is missing: {FIX}"
    with path.open("rb") as po_file:
        return read_po(po_file, locale=locale)


def has_words(text: str) -> bool:
    """Whether text (Jinja removed) still shows words to a reader."""
    text = URL_LIKE.sub(" ", text).strip()
    return bool(LETTER.search(text)) and text not in LITERAL_ALLOWED


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text.replace("%%", "")))


def test_extraction_finds_the_known_messages() -> None:
    """Guards the extraction set-up itself (keywords, babel.cfg): a broken one finds nothing."""
    messages = extracted()
    assert "Wrong email or password." in messages  # N_() in Python
    assert "This is not a valid email address." in messages  # _custom(N_()) in a form
    assert "Skip to content" in messages  # _() in an HTML template
    assert "The tiers-lieu team" in messages  # _() in a mail template
    assert not any(place.startswith(("tests/", "tests\\")) for places in messages.values() for place in places)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated(locale: str) -> None:
    cat = catalog(locale)
    problems = []
    for msgid, places in sorted(extracted().items(), key=lambda item: str(item[0])):
        message = cat.get(msgid)
        if message is None:
            problems.append(f"missing: {msgid!r} ({places[0]})")
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            problems.append(f"not translated: {msgid!r} ({places[0]})")
        elif message.fuzzy:
            problems.append(f"fuzzy: {msgid!r} ({places[0]})")
    assert not problems, f"The {locale} catalogue is incomplete ({len(problems)} entries); {FIX}:\n  " + "\n  ".join(
        problems
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_the_placeholders(locale: str) -> None:
    cat = catalog(locale)
    problems = []
    for message in cat:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            expected = set().union(*(placeholders(text) for text in message.id))
            strings = [text for text in message.string if text]
            found = [placeholders(text) for text in strings]
            if any(not names <= expected for names in found) or (found and set().union(*found) != expected):
                problems.append(f"{message.id!r} -> {message.string!r}")
        elif message.string and placeholders(message.string) != placeholders(message.id):
            problems.append(f"{message.id!r} -> {message.string!r}")
    # Babel's own checks, as `pybabel compile` runs them (python-format, plural forms).
    for message, errors in cat.check():
        problems.extend(f"{message.id!r}: {error}" for error in errors)
    assert not problems, f"Placeholders differ between message id and {locale} translation:\n  " + "\n  ".join(problems)


# A per-cent sign that is neither a "%(name)s" placeholder nor "%%". Jinja's new-style
# gettext formats every translated string with its variables, even with none: such a sign
# makes the page fail (a "(%)" in a figure's label did).
STRAY_PERCENT = re.compile(r"%(?!\(\w+\)[sdif]|%)")


@pytest.mark.parametrize("locale", LOCALES)
def test_no_stray_per_cent_sign(locale: str) -> None:
    stray = []
    for message in catalog(locale):
        texts = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        stray += [text for text in (*texts, *strings) if text and STRAY_PERCENT.search(text)]
    assert not stray, f"write a per-cent sign as %% or in words in the {locale} catalogue: {stray}"


class _LiteralText(HTMLParser):
    """Collects text nodes and read-out attribute values that still hold letters."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._raw_tag: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._raw_tag = tag
        values = dict(attrs)
        for name, value in attrs:
            readable = name in TEXT_ATTRIBUTES or (
                name == "value" and tag == "input" and values.get("type") in BUTTON_INPUTS
            )
            if readable and value:
                self._check(f"{name}={value.strip()!r}", value)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._raw_tag = None

    def handle_endtag(self, tag: str) -> None:
        if tag == self._raw_tag:
            self._raw_tag = None

    def handle_data(self, data: str) -> None:
        if self._raw_tag is None:
            self._check(data.strip(), data)

    def _check(self, shown: str, text: str) -> None:
        if has_words(text):
            self.found.append((self.getpos()[0], shown))


def _without_jinja(source: str) -> str:
    """The template with every Jinja span blanked out, lines kept where they were."""
    return JINJA.sub(lambda match: " " + "\n" * match.group().count("\n"), source)


def _template_files(pattern: str) -> Iterator[Path]:
    return (path for path in sorted(TEMPLATES.rglob(pattern)) if path.is_file())


def test_templates_have_no_untranslated_text() -> None:
    found = []
    for path in _template_files("*.html"):
        parser = _LiteralText()
        parser.feed(_without_jinja(path.read_text(encoding="utf-8")))
        parser.close()
        name = path.relative_to(ROOT).as_posix()
        found.extend(f"{name}:{line}: {text}" for line, text in parser.found)
    for path in _template_files("*.txt"):
        name = path.relative_to(ROOT).as_posix()
        for line, text in enumerate(_without_jinja(path.read_text(encoding="utf-8")).splitlines(), 1):
            if has_words(text):
                found.append(f"{name}:{line}: {text.strip()}")
    assert not found, (
        "Templates show text that is not wrapped in _() and so is never translated. "
        'Wrap it, e.g. {{ _("Save") }}, then run scripts/update_catalogues.sh:\n  ' + "\n  ".join(found)
    )


def test_french_is_served() -> None:
    assert i18n.gettext("fr", "Wrong email or password.") == ("Adresse électronique ou mot de passe incorrect.")
    assert i18n.gettext("fr", "Too short: at least %(min_length)s characters.", min_length=10) == (
        "Trop court\u00a0: au moins 10 caractères."
    )
    assert i18n.gettext("en", "Wrong email or password.") == "Wrong email or password."
