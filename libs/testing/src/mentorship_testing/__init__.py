"""Test support: where the real infrastructure is, and isolated topics and databases on it."""
