"""Logging filters (imported by the LOGGING setting, before any app is ready)."""

import logging


class OneLineDenials(logging.Filter):
    """A refused request (403) is expected business: log its line, not a traceback (the
    security log records who was refused)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
