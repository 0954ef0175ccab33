import pytest


@pytest.fixture(autouse=True)
def _configured(app) -> None:
    """Services send mail and publish live updates: the app configures both."""
