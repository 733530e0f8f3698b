"""A survivor's own data: a copy to download, and a request to delete it."""
