"""Mediation certificates (meklingsattest): issued after an attended mediation session,
checked by number."""
