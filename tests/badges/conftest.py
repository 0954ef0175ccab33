from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def configured(app):
    """Services write mails and publish live updates: the app configures both."""
    return app
