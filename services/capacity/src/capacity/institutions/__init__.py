"""Institutions and their effective-dated place contracts."""
