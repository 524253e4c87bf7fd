"""Runtime shared by the platform's services: one way to configure, consume, publish and log."""
