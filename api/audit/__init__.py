"""The audit trail: an append-only record of who saw or changed what in a case, and when."""
