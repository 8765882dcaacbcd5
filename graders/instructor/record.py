"""`make references`: record the outputs every record-based check compares against.

For each assignment this runs the reference solution, through the same probe
a student's function goes through, on every case of every suite, and stores
each observed leaf; then it runs every known-wrong variant on the same cases
and stores its leaves as the signature that lets the judge name the bug.
Fixtures (inputs built from a reference run, such as a backward pass's
caches) go to the public record first, since later cases are built from them.
Public records go to graders/references/, hidden ones to graders/instructor/hidden/.

Usage: python -m graders.instructor.record [assignment ...]
"""

import sys

import numpy as np

from graders import probe, records
from graders.assignment import SUITES
from graders.instructor import solutions
from graders.instructor.judge import suite_folder


def _leaves(func, graded, case):
    """The reference's observation of one case, through the same observer a student's function meets."""
    observation = probe.observe(graded.observer(), func, case, graded.spec.name)
    if observation.failure:
        raise RuntimeError(observation.failure)
    return observation


def build_records(assignment):
    """{suite: Record} of one assignment, computed from the notebook's reference solution and variants."""
    grader = solutions.grader_module(assignment).GRADER
    reference = solutions.load_solutions(assignment)
    variants = {}
    for func_name, variant, mutant in solutions.iter_mutants(assignment):
        variants.setdefault(func_name, {})[variant] = solutions.load_solutions(assignment, (func_name, mutant))
    built = {suite: records.Record({}, assignment, suite) for suite in SUITES}
    public = built["public"]
    for fixture in grader.fixtures.values():
        fixture_graded = grader.graded[fixture.func_name]
        for suite in SUITES:
            for case in fixture.build_cases(suite):
                for path, value in _leaves(reference[fixture.func_name], fixture_graded, case).leaves.items():
                    public.arrays[records.fixture_key(fixture.name, case.name, path)] = np.asarray(value)
    declared = getattr(solutions.declaration(assignment), "hidden_records", None)
    if declared is not None:  # hidden cases the instructor declares: inputs public, answers hidden
        inputs, answers = declared()
        public.arrays.update(inputs)
        built["hidden"].arrays.update(answers)
    for suite in SUITES:
        record = built[suite]
        for func_name, graded in grader.graded.items():
            if graded.expect is not None or graded.observe is not None:
                continue  # oracle- or behaviour-based: nothing to record
            spec = graded.spec
            for case in graded.build_cases(suite, public):
                observed = _leaves(reference[func_name], graded, case)
                if observed.changed and not set(observed.changed) <= set(spec.mutates):
                    raise RuntimeError(f"the reference {func_name} changes {observed.changed} on case {case.name}")
                for path, value in observed.leaves.items():
                    record.arrays[records.record_key(func_name, case.name, path)] = np.asarray(value)
                for variant, namespace in variants.get(func_name, {}).items():
                    wrong = probe.observe(graded.observer(), namespace[func_name], case, func_name)
                    for path, value in wrong.leaves.items():  # a variant that crashes needs no signature
                        record.arrays[records.record_key(func_name, case.name, path, variant)] = np.asarray(value)
    return built


def record_assignment(assignment, public_folder=None, hidden_folder=None):
    """Write the public and hidden records of one assignment; return {suite: number of arrays}."""
    built = build_records(assignment)
    folders = {"public": public_folder or suite_folder("public"), "hidden": hidden_folder or suite_folder("hidden")}
    for suite, record in built.items():
        records.save_record(record, folders[suite])
    return {suite: len(record.arrays) for suite, record in built.items()}


def main(argv):
    for assignment in argv or solutions.assignment_names():
        counts = record_assignment(assignment)
        print(f"{assignment}: recorded " + ", ".join(f"{n} {suite} arrays" for suite, n in counts.items()))


if __name__ == "__main__":
    main(sys.argv[1:])
