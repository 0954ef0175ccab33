"""The scale harness's fixtures: one set-up (two processes behind nginx) for every
test that asks for it; nothing of the in-process test database is used here."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.scale import harness


@pytest.fixture(autouse=True)
def clean_database() -> None:
    """The processes under test have their own database (see harness.stack)."""


@pytest.fixture(scope="session")
def stack() -> Iterator[harness.Stack]:
    harness.require_stack()
    with harness.stack() as running:
        yield running


@pytest.fixture
def up(stack: harness.Stack) -> Iterator[harness.Stack]:
    """The set-up with every process running, before and after the test."""
    stack.ensure_running()
    yield stack
    stack.ensure_running()
