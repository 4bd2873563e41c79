"""chainwatch: supply-chain guard for AI agents."""

__version__ = "0.1.0"
