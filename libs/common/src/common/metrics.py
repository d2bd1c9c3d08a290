"""Prometheus metrics: HTTP requests and latencies, outbox backlog and age, events published,
consumer lag, events applied, dead letters and those waiting. Defined once per process with
a `service` label, so several apps in one process (as in the tests) never collide."""

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests answered.", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer an HTTP request.",
    ["service", "method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

OUTBOX_BACKLOG = Gauge("outbox_backlog", "Outbox rows not yet published.", ["service"])
OUTBOX_OLDEST_UNSENT_AGE = Gauge(
    "outbox_oldest_unsent_age_seconds", "Age of the oldest unpublished outbox row.", ["service"]
)
OUTBOX_PUBLISHED = Counter("outbox_published_total", "Events published to JetStream.", ["service"])
OUTBOX_PUBLISH_FAILURES = Counter(
    "outbox_publish_failures_total",
    "Relay rounds that failed (NATS or database down).",
    ["service"],
)
CONSUMER_LAG = Gauge(
    "consumer_lag",
    "Messages in the stream not yet delivered to the consumer.",
    ["service", "consumer"],
)
CONSUMER_APPLIED = Counter(
    "consumer_applied_total", "Events applied by a consumer.", ["service", "consumer"]
)
CONSUMER_DUPLICATES = Counter(
    "consumer_duplicates_total",
    "Deliveries skipped because the inbox had the event.",
    ["service", "consumer"],
)
CONSUMER_FAILURES = Counter(
    "consumer_failures_total", "Deliveries whose handler failed.", ["service", "consumer"]
)
CONSUMER_DEAD_LETTERS = Counter(
    "consumer_dead_letters_total", "Messages sent to dead_letter.", ["service", "consumer"]
)
DEAD_LETTERS_WAITING = Gauge(
    "dead_letters_waiting",
    "Dead letters of a consumer not yet redriven (rows in dead_letter).",
    ["service", "consumer"],
)
