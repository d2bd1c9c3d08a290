"""OpenTelemetry tracing: one tracer provider per process, exporters chosen by a setting.

The trace context travels HTTP → outbox row → NATS headers → consumer, so one trace shows a
request and everything it caused; `inject_context`/`extract_context` are the two ends.
"""

from __future__ import annotations

from collections.abc import Mapping

from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF

_configured = False


def configure_tracing(service_name: str, exporter: str) -> None:
    """Install the SDK tracer provider once per process. Trace ids exist even with the
    exporter off, so logs and events can still be correlated."""
    global _configured
    if _configured:
        return
    # With nowhere to send spans, record none: trace ids are still made and carried along
    # (logs, outbox rows, NATS headers), which is what correlation needs, at a fraction of the
    # cost of recording spans nobody reads.
    sampler = ALWAYS_OFF if exporter == "none" else None
    provider = TracerProvider(
        resource=Resource.create({"service.name": service_name}), sampler=sampler
    )
    if exporter == "console":
        provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
    elif exporter == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    # Outgoing HTTP calls (the gateway's proxy) carry the trace context onwards.
    HTTPXClientInstrumentor().instrument()
    if exporter != "none":
        # A span for every SQL statement, worth its cost only where spans go somewhere.
        SQLAlchemyInstrumentor().instrument()
    _configured = True


def tracer(name: str) -> trace.Tracer:
    return trace.get_tracer(name)


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
