"""Recorded outputs: what the reference solution (and each known-wrong variant) returned on each case.

`make references` writes one .npz file per assignment and suite. The public
record (graders/references/) ships to students; the hidden one stays with the
instructor and is read only by the judge, never by a student's kernel -- this
module does not even know where it is.

Keys:
    func|case|path              the reference output at `path` ("a_next", "gradients.dWax")
    func|case|~variant|path     the output of a known-wrong variant (names the bug)
    @fixture|name|case|path     an input built from a reference run (a backward
                                pass's cache), public because it is an input
"""

from pathlib import Path

import numpy as np

from graders.messages import CheckFailure

PUBLIC_RECORD_DIR = Path(__file__).resolve().parent / "references"
WRONG_MARK = "~"
FIXTURE_MARK = "@fixture"


def record_key(func_name, case_name, path, variant=None):
    """Key under which one recorded array is stored."""
    if variant is None:
        return f"{func_name}|{case_name}|{path}"
    return f"{func_name}|{case_name}|{WRONG_MARK}{variant}|{path}"


def fixture_key(name, case_name, path):
    return f"{FIXTURE_MARK}|{name}|{case_name}|{path}"


class Record:
    """Recorded reference outputs (and known-wrong outputs) of one assignment and suite."""

    def __init__(self, arrays, assignment="", suite="public"):
        self.arrays = dict(arrays)
        self.assignment = assignment
        self.suite = suite

    def expected_leaves(self, func_name, case_name):
        """{path: array} of every recorded reference output of one case."""
        prefix = f"{func_name}|{case_name}|"
        found = {key[len(prefix):]: value for key, value in self.arrays.items()
                 if key.startswith(prefix) and not key[len(prefix):].startswith(WRONG_MARK)}
        if not found:
            raise CheckFailure(
                f"no recorded reference outputs for {func_name} on case {case_name!r} in the {self.suite} "
                f"record of {self.assignment}; the instructor should run `make references`"
            )
        return found

    def _grouped(self, prefix):
        """{first key part after `prefix`: {rest of the key: array}} of the keys that start with `prefix`."""
        groups = {}
        for key, value in self.arrays.items():
            if key.startswith(prefix):
                group, path = key[len(prefix):].split("|", 1)
                groups.setdefault(group, {})[path] = value
        return groups

    def wrong_outputs(self, func_name, case_name):
        """{variant: {path: array}} recorded from the known-wrong variants for one case."""
        return self._grouped(f"{func_name}|{case_name}|{WRONG_MARK}")

    def fixtures(self, name):
        """{case name: {path: array}} of every input recorded under the fixture `name`, cases in sorted order."""
        return dict(sorted(self._grouped(f"{FIXTURE_MARK}|{name}|").items()))

    def fixture(self, name, case_name, path):
        """An input recorded from a reference run (see `Assignment.add_fixture`)."""
        key = fixture_key(name, case_name, path)
        if key not in self.arrays:
            raise CheckFailure(f"no recorded input {key!r} in the {self.suite} record of {self.assignment}; "
                               f"the instructor should run `make references`")
        return self.arrays[key]


def record_file(assignment, folder=PUBLIC_RECORD_DIR):
    return Path(folder) / f"{assignment}.npz"


def load_record(assignment, folder=PUBLIC_RECORD_DIR, suite="public"):
    """Load a record file; a missing file says which command makes it."""
    path = record_file(assignment, folder)
    if not path.is_file():
        raise CheckFailure(f"recorded outputs {path} are missing; the instructor should run `make references`")
    with np.load(path, allow_pickle=False) as data:
        return Record({key: data[key] for key in data.files}, assignment, suite)


def save_record(record, folder):
    path = record_file(record.assignment, folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **record.arrays)
    return path
