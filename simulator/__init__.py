"""CodeDesk: a terminal simulator of a medical coder's working day."""

__version__ = "0.1.0"
