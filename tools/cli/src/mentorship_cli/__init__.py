"""The `mentorship` command."""
