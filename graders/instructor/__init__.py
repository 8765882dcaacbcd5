"""Instructor-only tools: never part of the student bundle.

- solutions.py   load the reference solutions from the source notebooks
- known_wrong/   the bugs students really make, as edits of the reference
- record.py      `make references`: record expected outputs (public and hidden)
- hidden/        hidden expected values (written by record.py)
- pipeline.py    release, validate, autograde, feedback, export (the Makefile's targets)
- bench.py       `make bench`: quick/full wall time, peak memory and quality per notebook
"""
