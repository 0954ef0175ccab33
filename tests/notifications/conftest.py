import pytest


@pytest.fixture(autouse=True)
def _configured(app) -> None:
    """notify() sends mail and publish() goes live: the app configures both."""
