"""Privacy rights of clients: the right of access (a complete copy of a client's data)."""
