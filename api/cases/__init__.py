"""Cases, their facts ("tell your story once"), applications, sharing and survivor access."""
