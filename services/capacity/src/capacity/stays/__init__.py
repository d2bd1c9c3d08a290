"""Stays in institutions (admission, discharge) and single-child decisions (enetiltak)."""
