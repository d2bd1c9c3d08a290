"""JSON logs on stdout, each line carrying the current `trace_id` and `span_id`."""

from __future__ import annotations

import logging
import re
import sys

from opentelemetry import trace
from pythonjsonlogger.orjson import OrjsonFormatter


class TraceContextFilter(logging.Filter):
    """Adds the active OpenTelemetry trace and span ids to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        span_context = trace.get_current_span().get_span_context()
        if span_context.is_valid:
            record.trace_id = format(span_context.trace_id, "032x")
            record.span_id = format(span_context.span_id, "016x")
        else:
            record.trace_id = None
            record.span_id = None
        return True


class RedactNationalIds(logging.Filter):
    """Defence in depth: an 11-digit run in a log message is masked, whatever logged it."""

    _PATTERN = re.compile(r"(?<!\d)\d{11}(?!\d)")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self._PATTERN.search(message):
            record.msg = self._PATTERN.sub("***********", message)
            record.args = None
        return True


def configure_logging(service_name: str, level: str = "INFO", fmt: str = "json") -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(TraceContextFilter())
    handler.addFilter(RedactNationalIds())
    if fmt == "json":
        handler.setFormatter(
            OrjsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(trace_id)s %(span_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                static_fields={"service": service_name},
                timestamp=False,
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(trace_id)s] %(message)s")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Uvicorn's own handlers would print a second, unstructured copy.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers[:] = []
        uvicorn_logger.propagate = True
    # Request lines come from our own middleware with the route, status and trace id.
    logging.getLogger("uvicorn.access").disabled = True
    # httpx logs each outgoing call at INFO; the service called logs it with the same trace id.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))
