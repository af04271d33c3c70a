"""ASGI entry point: ``uvicorn yingji.entrypoints.web:create_app --factory``."""

from __future__ import annotations

from fastapi import FastAPI

from yingji.bootstrap import create_app as _create_app


def create_app() -> FastAPI:
    """Return the application configured from the environment."""
    return _create_app()
