"""Questions an advocate asks the survivor to answer on their own pages."""
