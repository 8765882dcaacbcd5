"""`make references`: record the reference outputs every check compares against.

For each assignment and suite (public, hidden) this runs the reference
solution on every case and stores each compared output, then runs every
known-wrong variant on the same cases and stores its outputs as the
signature that lets a check name the bug. Public records go to
graders/references/, hidden ones to graders/instructor/hidden/.

Usage: python -m graders.instructor.record [assignment ...]
"""

import sys

import numpy as np

from graders import core
from graders.instructor import solutions


def _leaves(func, spec, case):
    named = core.split_outputs(core.call_student(func, spec.name, case), spec, case)
    return core.flatten_outputs(named, spec, case)


def record_assignment(assignment):
    """Write the public and hidden records of one assignment; return {suite: number of arrays}."""
    grader = solutions.grader_module(assignment).GRADER
    reference = solutions.load_solutions(assignment)
    mutants = list(solutions.iter_mutants(assignment))
    mutant_namespaces = {
        (func_name, variant): solutions.load_solutions(assignment, (func_name, mutant))
        for func_name, variant, mutant in mutants
    }
    counts = {}
    for suite in core.SUITES:
        record = core.Record({}, assignment, suite)
        for func_name, graded in grader.graded.items():
            if graded.check is not None:
                continue  # behaviour-based check: nothing to record
            spec = graded.spec
            for case in graded.build_cases(suite, record):
                for path, value in _leaves(reference[func_name], spec, case).items():
                    record.arrays[core.record_key(func_name, case.name, path)] = np.asarray(value)
                for (mutated, variant), namespace in mutant_namespaces.items():
                    if mutated != func_name:
                        continue
                    try:
                        wrong = _leaves(namespace[func_name], spec, case)
                    except core.CheckFailure:
                        continue  # a variant that crashes needs no signature
                    for path, value in wrong.items():
                        record.arrays[core.record_key(func_name, case.name, path, variant)] = np.asarray(value)
        path = core.record_path(assignment, suite)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, **record.arrays)
        counts[suite] = len(record.arrays)
    return counts


def main(argv):
    for assignment in argv or solutions.assignment_names():
        counts = record_assignment(assignment)
        print(f"{assignment}: recorded " + ", ".join(f"{n} {suite} arrays" for suite, n in counts.items()))


if __name__ == "__main__":
    main(sys.argv[1:])
