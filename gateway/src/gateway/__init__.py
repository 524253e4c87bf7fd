"""GraphQL gateway of the mentoring platform."""
