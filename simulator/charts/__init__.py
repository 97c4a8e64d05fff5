"""Turn a case template into a concrete chart: synthetic patient, dates, one variant."""
