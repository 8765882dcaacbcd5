"""The course's test library: the grading core, and one module of checks per assignment.

The core, by concept: spec (cases, outputs, tolerances, hints), probe (runs
student code and records what it observes), judge (compares observations with
what was expected), compare (tolerances), messages (what a student reads),
records (recorded reference outputs), assignment (the registry and the test
cells' entry points, with their two modes) and behaviour (the shared toolkit of
behaviour checks: calls, generators, models, oracles, the no-loop count).

Public modules ship to students. The `instructor` package -- the judge at
autograde time, hidden records, the solution loader, the known-wrong variants
and the autograding and release scripts -- stays with the instructor and is
left out of the student bundle; no public module imports it.
"""
