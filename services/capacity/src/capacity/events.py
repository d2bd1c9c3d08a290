"""The events capacity publishes (subjects `capacity.<aggregate>.<event>.v1`)."""

from common.events import EventRegistry

registry = EventRegistry("capacity")
