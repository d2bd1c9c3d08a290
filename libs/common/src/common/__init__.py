"""What every service shares. No domain code."""
