"""The events family_counselling publishes: subjects `family_counselling.<aggregate>.<event>.v1`."""

from common.events import EventRegistry

registry = EventRegistry("family_counselling")
