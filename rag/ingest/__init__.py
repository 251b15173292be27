"""Turning files into cleaned, chunked, embedded documents."""
