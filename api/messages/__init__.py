"""Messages between a survivor and the caseworkers of their case."""
