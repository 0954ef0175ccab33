"""Happenings reach the listeners of installed parts, after commit, and a failing listener
leaves the others and the announcer alone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tortoise.exceptions import OperationalError
from tortoise.transactions import in_transaction

from tierslieu import happenings, parts
from tierslieu.app import installation
from tierslieu.parts import Happening, Part

heard: list[tuple[str, Happening]] = []


async def _failing(happening: Happening) -> None:
    heard.append(("failing", happening))
    raise OperationalError("listener broke")


async def _listening(happening: Happening) -> None:
    heard.append(("listening", happening))


@pytest.fixture
def installed() -> Iterator[None]:
    lower = Part(name="lower", announces=["lower.done"])
    first = Part(name="first", listens={"lower.done": _failing})
    second = Part(name="second", listens={"lower.done": _listening})
    previous = parts.install(parts.build([*installation().parts, lower, first, second]))
    heard.clear()
    yield
    if previous is not None:
        parts.install(previous)


async def test_listeners_hear_in_order_and_a_failure_stops_none(installed, caplog) -> None:
    told = await happenings.announce("lower.done", item_id=4)
    assert told == Happening("lower.done", {"item_id": 4})
    assert [who for who, _ in heard] == ["failing", "listening"]
    assert heard[1][1].data == {"item_id": 4}
    assert "a listener of lower.done failed" in caplog.text


async def test_announcing_inside_a_transaction_or_undeclared_is_refused(installed) -> None:
    async with in_transaction():
        with pytest.raises(RuntimeError, match="after the commit"):
            await happenings.announce("lower.done")
    with pytest.raises(ValueError):
        await happenings.announce("lower.unknown")
    assert heard == []


def test_manifests_are_checked_against_each_other() -> None:
    with pytest.raises(ValueError, match="nobody announces"):
        parts.build([Part(name="lower"), Part(name="upper", listens={"lower.done": _listening})])
    # a listener of a part that is not installed simply never hears anything
    parts.build([Part(name="upper", listens={"absent.done": _listening})])
    with pytest.raises(ValueError, match="outside its own name"):
        Part(name="lower", announces=["other.done"])
    with pytest.raises(ValueError, match="installed twice"):
        parts.build([Part(name="lower"), Part(name="lower")])
