"""Fixtures every test can use: real PostgreSQL and NATS (see devstack.testing)."""

pytest_plugins = ["devstack.testing"]
