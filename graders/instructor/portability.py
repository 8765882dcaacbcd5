"""Prove that the records and the verdicts do not depend on the CPU kernels BLAS and oneDNN pick.

Run in a fresh process with another kernel forced, e.g.

    OPENBLAS_CORETYPE=Prescott ONEDNN_MAX_CPU_ISA=AVX2 python -m graders.instructor.portability

it re-records every assignment from the reference solutions (as `make
references` would on that machine), compares the result with the committed
records within the tolerance of "references are current", and judges the
reference of every graded function on every public and hidden case. It
prints one line per assignment and exits 1 on any difference. The variables
must be set before numpy starts, hence a process of its own
(tests/test_portability.py runs it for each setting).
"""

import os
import sys

import numpy as np

from graders.assignment import SUITES
from graders.instructor import judge, record, solutions

# float64 re-association across BLAS kernels: ~1e-15 relative per operation,
# below 1e-12 after the longest case; a changed reference moves values by far more
RTOL = 1e-9
ATOL = 1e-12
SETTINGS = ("OPENBLAS_CORETYPE", "ONEDNN_MAX_CPU_ISA")


def record_differences(assignment):
    """What differs between a fresh recording and the committed records, beyond round-off ([] when current)."""
    problems = []
    fresh = record.build_records(assignment)
    for suite in SUITES:
        committed = judge.load_suite_record(assignment, suite)
        if sorted(fresh[suite].arrays) != sorted(committed.arrays):
            problems.append(f"{suite}: the recorded keys differ")
            continue
        for key, value in fresh[suite].arrays.items():
            stored = committed.arrays[key]
            if value.shape != stored.shape or not np.allclose(value, stored, rtol=RTOL, atol=ATOL, equal_nan=True):
                problems.append(f"{suite}: {key} differs beyond rtol={RTOL:g}, atol={ATOL:g}")
    return problems


def reference_failures(assignment):
    """Failure messages of the reference solution judged on every public and hidden case ([] when it passes)."""
    grader = solutions.grader_module(assignment).GRADER
    reference = solutions.load_solutions(assignment)
    records_by_suite = judge.suite_records(assignment)
    failures = [judge.judge_function(assignment, func_name, reference[func_name], records_by_suite)
                for func_name in grader.graded]
    return [f"the reference fails its own check:\n{failure}" for failure in failures if failure]


def main(argv):
    settings = ", ".join(f"{name}={os.environ.get(name, '(default)')}" for name in SETTINGS)
    ok = True
    for assignment in argv or solutions.assignment_names():
        problems = record_differences(assignment) + reference_failures(assignment)
        print(f"{assignment} [{settings}]: " + ("records and verdicts reproduce" if not problems else
                                               f"{len(problems)} problem(s)"))
        for problem in problems[:10]:
            print("  - " + problem.replace("\n", "\n    "))
        ok = ok and not problems
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
