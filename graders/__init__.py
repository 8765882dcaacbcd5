"""The course's test library: one module of checks per assignment, plus core.py.

Public modules (core and one per assignment) ship to students. The
`instructor` package -- hidden expected values, the solution loader, the
known-wrong variants and the autograding and release scripts -- stays with
the instructor and is left out of the student bundle.
"""
