"""The ASGI entry point for uvicorn: ``uvicorn api.asgi:app``."""

from api.app import create_app
from infra.logs import configure_logging

configure_logging()
app = create_app()
