"""WSGI entry point for production servers (gunicorn, uwsgi, mod_wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliantiemonitor.settings")

application = get_wsgi_application()
