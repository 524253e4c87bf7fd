"""Notify service: turns what happens into timely alerts for mentors, mentees and admins."""
