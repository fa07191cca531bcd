"""The WSGI entry point: `gunicorn wsgi:app`."""

from townhall import create_app

app = create_app()
