"""capacity: institutions, places and contracts, placement requests, the 5-step priority
order, stays, and the duty-to-assist deadlines and breaches."""
