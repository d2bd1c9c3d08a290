"""Foster placements: a child living in a foster home, from start to end."""
