"""Greets everyone named on the command line, one task each."""
