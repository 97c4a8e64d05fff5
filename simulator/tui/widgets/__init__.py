"""Reusable widgets of the CodeDesk interface."""
