"""`python -m rag` runs the `sourcebrief` command line."""

from rag.cli import main

main()
