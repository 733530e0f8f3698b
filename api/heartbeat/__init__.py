"""Service heartbeats: background processes report in, and the health report reads them."""
