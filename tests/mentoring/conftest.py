from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def configured(app):
    """Services write mails: the app configures the mail outbox and the live hub."""
    return app
