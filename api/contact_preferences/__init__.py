"""A survivor's contact preferences: which channels are safe, and how to address them."""
