"""Appointments and their outcomes, and digital booking of mediation slots (O 1.8.1)."""
