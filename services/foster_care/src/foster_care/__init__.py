"""foster_care: foster-home recruitment, municipal requests, the waiting list, matching."""
