"""Mentoring service: who takes part in which program, and who is matched with whom."""
