"""Summaries and exports of sessions; every one is de-identified (no names, dates, MRNs)."""

from simulator.reports.summary import session_summary, summary_lines

__all__ = ["session_summary", "summary_lines"]
