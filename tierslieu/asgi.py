"""The ASGI entry point for uvicorn workers: ``tierslieu.asgi:create`` (a factory)."""

from __future__ import annotations

from starlette.applications import Starlette

from tierslieu import logs
from tierslieu.app import create_app
from tierslieu.settings import load_settings


def create() -> Starlette:
    logs.configure()
    return create_app(load_settings())
