"""The events foster_care publishes (subjects `foster_care.<aggregate>.<event>.v1`)."""

from common.events import EventRegistry

registry = EventRegistry("foster_care")
