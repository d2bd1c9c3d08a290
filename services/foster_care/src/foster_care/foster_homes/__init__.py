"""Foster homes: recruitment from inquiry to approval (or withdrawal), places and pauses."""
