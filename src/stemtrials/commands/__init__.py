"""CLI command groups kept out of cli.py (which registers them): one module per group."""
