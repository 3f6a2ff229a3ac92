"""Keep invitation secrets out of the logs."""

from __future__ import annotations

import logging
import re

#: A personal link's token in a path: ``/m/<token>/`` (short client paths are left alone).
_TOKEN_PATH = re.compile(r"/m/[A-Za-z0-9_-]{20,}")


class MaskInvitationTokens(logging.Filter):
    """Replace the token of a personal link in a log line by ``…``.

    Request logs (the development server, Django's request logger) print the path, and a
    personal link's path is its secret. A reverse proxy's access log needs the same care; see
    docs/install.md.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = _TOKEN_PATH.sub("/m/…", message)
        if masked != message:
            record.msg = masked
            record.args = ()
        return True
