"""The local stack: real PostgreSQL and NATS JetStream from their PyPI wheels, for `make run`
and for the tests. Nothing here is used by a service in production."""
