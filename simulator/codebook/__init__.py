"""Code sets: build the local index, look codes up, validate them, read their notes."""

from simulator.codebook.index import Codebook, CodeEntry, Note
from simulator.codebook.validate import Validation, Verdict, normalize_code

__all__ = ["CodeEntry", "Codebook", "Note", "Validation", "Verdict", "normalize_code"]
