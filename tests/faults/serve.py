"""Serve the application in a process of its own, for the fault tests (``tests/faults``).

``python tests/faults/serve.py PORT`` runs the real WSGI application (settings from the
environment, as in production) in a small threaded server on ``127.0.0.1:PORT``. A production
server has a bounded pool of workers, so this one handles at most ``--slots`` requests at a
time and lets the rest wait in a long listen queue: 200 clients at once do not open 200
database connections. Each connection carries one request (``Connection: close``).

With ``--pause-submit FILE`` a submission stops inside its transaction, after the response was
marked sent and its scores were written but before the round and the audit log are: the
server writes ``FILE`` and sleeps, so that a test can kill it "in the middle". The hook lives
here, in the test's own server, and nowhere in the application.
"""

from __future__ import annotations

import argparse
import os
import socketserver
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _pause_submissions(marker: Path) -> None:
    from alliantiemonitor.measurements.services import responses

    store_scores = responses._store_scores

    def store_scores_then_pause(response: Any, round: Any) -> None:
        store_scores(response, round)
        marker.write_text(str(response.uuid), encoding="utf-8")
        time.sleep(600)

    responses._store_scores = store_scores_then_pause  # type: ignore[assignment]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--slots", type=int, default=12)
    parser.add_argument("--pause-submit", type=Path)
    options = parser.parse_args()

    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliantiemonitor.settings")
    import django

    django.setup()
    from django.core.servers import basehttp
    from django.core.wsgi import get_wsgi_application

    class OneRequestPerConnection(basehttp.ServerHandler):
        # A connection kept alive would hold one of the slots while its client is idle; and
        # the client must be told, or it may reuse a connection that the server has closed.
        def cleanup_headers(self) -> None:
            super().cleanup_headers()
            self.headers["Connection"] = "close"
            self.request_handler.close_connection = True

    basehttp.ServerHandler = OneRequestPerConnection  # type: ignore[misc]

    if options.pause_submit:
        _pause_submissions(options.pause_submit)

    slots = threading.BoundedSemaphore(options.slots)

    class Server(socketserver.ThreadingMixIn, basehttp.WSGIServer):
        daemon_threads = True
        request_queue_size = 1024

        def process_request_thread(self, request: Any, client_address: Any) -> None:
            with slots:
                super().process_request_thread(request, client_address)

    server = Server(("127.0.0.1", options.port), basehttp.WSGIRequestHandler)
    server.set_app(get_wsgi_application())
    print(f"serving on 127.0.0.1:{options.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
