"""Instructor-only tools: never part of the student bundle.

- solutions.py   load the reference solutions from the source notebooks
- assignments/   one declaration per assignment: known-wrong variants, class-test bug, bench metrics
- judge.py       the judge: compares observations with the records, decides the scores
- record.py      `make references`: record expected outputs (public and hidden)
- hidden/        hidden expected values (written by record.py)
- pipeline.py    release, validate, autograde, feedback, export (the Makefile's targets)
- bench.py       `make bench`: quick/full wall time, peak memory and quality per notebook
"""
