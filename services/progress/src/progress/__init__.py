"""Progress service: where each mentee stands on their learning path."""
