"""OpenTelemetry tracing: one tracer provider per process, exporters chosen by a setting.

The trace context travels HTTP → outbox row → NATS headers → consumer, so one trace shows a
request and everything it caused; `inject_context`/`extract_context` are the two ends.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

from opentelemetry import context, propagate, trace
from opentelemetry.context import Context
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags
from starlette.types import ASGIApp, Receive, Scope, Send

_configured = False
_recording = False


def configure_tracing(service_name: str, exporter: str) -> None:
    """Once per process. With an exporter, the SDK records spans (FastAPI's server span, one
    per SQL statement, outbox publish, consumer process). Without one (the default) nothing is
    recorded, but `TraceContextMiddleware` still gives every request a trace id and carries
    the caller's, so logs, outbox rows, NATS headers and inbox rows correlate, at a small
    fraction of the cost of even unrecorded SDK spans."""
    global _configured, _recording
    if _configured:
        return
    if exporter != "none":
        _recording = True
        provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
        if exporter == "console":
            provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
        else:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        trace.set_tracer_provider(provider)
        SQLAlchemyInstrumentor().instrument()
    # Outgoing HTTP calls (the gateway's proxy) carry the trace context onwards either way.
    HTTPXClientInstrumentor().instrument()
    _configured = True


class TraceContextMiddleware:
    """The trace context of a request without recording spans: the caller's `traceparent`
    continued (a new span id under its trace id), or a new trace."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        parent = None
        for name, value in scope["headers"]:
            if name == b"traceparent":
                parent = trace.get_current_span(
                    propagate.extract({"traceparent": value.decode("latin-1")})
                ).get_span_context()
                break
        if parent is not None and parent.is_valid:
            trace_id, flags = parent.trace_id, parent.trace_flags
        else:
            trace_id, flags = random.getrandbits(128), TraceFlags(TraceFlags.DEFAULT)
        span_context = SpanContext(
            trace_id=trace_id, span_id=random.getrandbits(64), is_remote=False, trace_flags=flags
        )
        token = context.attach(trace.set_span_in_context(NonRecordingSpan(span_context)))
        try:
            await self.app(scope, receive, send)
        finally:
            context.detach(token)


def tracer(name: str) -> trace.Tracer:
    return trace.get_tracer(name)


def spans_recorded() -> bool:
    """Whether spans go anywhere. Hot paths skip their own spans when not: even a no-op
    span's context switch costs more than the bookkeeping it would describe."""
    return _recording


def inject_context() -> dict[str, str]:
    """The current trace context as W3C headers (`traceparent`, `tracestate`)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def extract_context(headers: Mapping[str, str] | None) -> Context:
    return propagate.extract(dict(headers or {}))


def current_trace_id() -> str | None:
    span_context = trace.get_current_span().get_span_context()
    return format(span_context.trace_id, "032x") if span_context.is_valid else None
