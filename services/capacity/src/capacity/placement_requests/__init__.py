"""Placement requests from municipalities, candidates by the 5-step priority order, offers,
decisions, and the duty-to-assist deadlines and breaches."""
