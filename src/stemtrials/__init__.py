"""stemtrials: an open registry of stem-cell clinical trials."""

__version__ = "0.1.0"
