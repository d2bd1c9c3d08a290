"""reporting_gateway: the single entry point (token checks, proxy to the three services,
the local token issuer) and the read models, KPIs and reports built from their events."""
