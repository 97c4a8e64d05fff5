"""The Textual user interface: a thin client of the core that renders what the session says."""
