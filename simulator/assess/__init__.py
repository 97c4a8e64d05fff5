"""Sealed, timed assessments: seal a pack, draw each candidate's charts fairly, seal the results
to the screener, and score them (docs/ASSESSMENTS.md).

The modules import nothing heavy at package import: `crypto` needs `cryptography`, the rest the
core only; nothing here imports textual or rich.
"""
