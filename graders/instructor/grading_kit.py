"""The grading kit: what a sandbox sees of the course, and the hashes that prove nobody changed it.

The kit is the student kit (helpers/, the public graders/, datasets/, the pins;
see course.build_kit) plus empty mount points for the environment when it
lives inside the repository. A sandbox mounts it read-only at the
repository's path, so ``import graders`` in the kernel finds the public
graders and nothing of graders/instructor/, notebooks/ or the course folder.

Two fingerprints guard a grading run:

- `file_hashes(judge_files(...))` of what the judge uses (the loaded
  modules of graders/ and helpers/, the records, the runner of its own run), taken when
  the run starts and checked before every judgement (`changed_files` names what changed);
- `kit_fingerprint(kit)`, checked by every worker before it runs a
  submission, so a worker whose kit differs from the client's (an old copy on
  a cluster node) refuses instead of grading with other code.
"""

import hashlib
import os
import sys
from pathlib import Path

from graders.instructor import course, solutions

REPO_ROOT = solutions.REPO_ROOT
CODE_FOLDERS = ("graders", "helpers")
SKIPPED_PARTS = ("__pycache__", ".ipynb_checkpoints", ".pytest_cache")


class KitChanged(RuntimeError):
    """Course code or the grading kit changed while grading: stop before judging with other code."""


def _files(root, folders):
    for folder in folders:
        base = Path(root) / folder
        for path in sorted(base.rglob("*")):
            if path.is_file() and not any(part in SKIPPED_PARTS or part.endswith(".egg-info")
                                          for part in path.relative_to(root).parts):
                yield path


def fingerprint(root, folders):
    """SHA-256 over the relative paths and bytes of every file below `folders` of `root`."""
    digest = hashlib.sha256()
    for path in _files(root, folders):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def judge_files(assignments):
    """The files the judge of `assignments` reads: every loaded module of graders/ and helpers/, the records, and
    the runner of the judge's own run (reprobe_runner.py, which makes the observations of behaviour-graded
    functions).

    Call it after the graders and records were loaded (the run does so before any sandbox starts).
    """
    from graders import records
    from graders.instructor import judge, reprobe

    files = {reprobe.RUNNER.resolve()}
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if name.split(".")[0] in CODE_FOLDERS and path and Path(path).is_file():
            files.add(Path(path).resolve())
    for assignment in assignments:
        for folder in (records.PUBLIC_RECORD_DIR, judge.HIDDEN_RECORD_DIR):
            files.update(p.resolve() for p in Path(folder).glob(f"{assignment}.*"))
    return sorted(files)


def code_fingerprint(files):
    """SHA-256 over the paths and bytes of `files` (judge_files()): changes if any of them is edited or removed."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest() if path.is_file() else b"missing")
    return digest.hexdigest()


def changed_files(files, expected):
    """The files among `files` whose bytes no longer give the fingerprints `expected` ({path: file_hashes' value})."""
    now = file_hashes(files)
    return [path for path in files if now.get(path) != expected.get(path)]


def file_hashes(files):
    """{path: SHA-256 of its bytes, or "missing"} of `files`."""
    return {path: hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing" for path in files}


def kit_fingerprint(kit_dir):
    return fingerprint(kit_dir, [p.name for p in sorted(Path(kit_dir).iterdir()) if p.is_dir()])


def build(destination):
    """Write the grading kit to `destination` (replacing it); return its fingerprint."""
    destination = Path(destination)
    course.build_kit(destination, quiet=True)
    venv = Path(sys.prefix).resolve()
    if REPO_ROOT in venv.parents:  # the environment is mounted over this empty folder
        (destination / venv.relative_to(REPO_ROOT)).mkdir(parents=True, exist_ok=True)
    for path in [destination, *destination.rglob("*")]:  # nobody, in the sandbox, must read it all
        path.chmod(0o755 if path.is_dir() else 0o644)
    return kit_fingerprint(destination)


def worker_kit(expected_fingerprint, cache_root=None):
    """The grading kit on this machine, built from this checkout, checked against the client's fingerprint.

    Raises
    ------
    KitChanged  when this checkout's kit differs from the client's (say which to update).
    """
    cache_root = Path(cache_root or os.environ.get("COURSE_KIT_CACHE", Path.home() / ".cache" / "course-grading"))
    kit = cache_root / expected_fingerprint[:16]
    if not (kit.is_dir() and kit_fingerprint(kit) == expected_fingerprint):
        staging = cache_root / f"staging-{os.getpid()}"
        found = build(staging)
        if found != expected_fingerprint:
            raise KitChanged(f"this worker's course code ({REPO_ROOT}) builds kit {found[:12]}, the client's is "
                             f"{expected_fingerprint[:12]}: update this worker's checkout to the client's commit")
        if kit.is_dir():
            import shutil

            shutil.rmtree(kit)
        staging.rename(kit)
    return kit
