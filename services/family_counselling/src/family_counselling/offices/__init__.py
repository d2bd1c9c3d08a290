"""Family counselling offices (state and church-run), their capacity and mediation slots."""
