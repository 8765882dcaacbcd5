"""Paths to the course data and checksum-verified loading.

Every data file the notebooks read lives under ``datasets/`` and is listed in
``datasets/SHA256SUMS``. `dataset_path` verifies the file before handing out
its path, so a missing, truncated or edited file is reported at once, by name,
with the checksum it should have -- never as a confusing error three cells later.
"""

import hashlib
import os
from pathlib import Path

DATA_DIR_ENV_VAR = "COURSE_DATA_DIR"
MANIFEST_NAME = "SHA256SUMS"
_HASH_CHUNK_BYTES = 1 << 20  # read files in 1 MiB pieces so large files need little memory


class DataFileError(RuntimeError):
    """A data file is missing, unlisted, or does not match its recorded checksum."""


def data_dir():
    """The folder holding the course data: $COURSE_DATA_DIR, else ``datasets/`` beside helpers/."""
    override = os.environ.get(DATA_DIR_ENV_VAR)
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[1] / "datasets"


def read_manifest(root=None):
    """Parse SHA256SUMS into {relative path: hex digest}.

    Raises
    ------
    DataFileError  if the manifest itself is missing.
    """
    root = Path(root) if root is not None else data_dir()
    manifest = root / MANIFEST_NAME
    if not manifest.is_file():
        raise DataFileError(
            f"checksum manifest {manifest} is missing; the datasets/ folder looks "
            f"incomplete -- restore it from the course repository"
        )
    sums = {}
    for line in manifest.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        digest, name = line.split(maxsplit=1)
        sums[name.lstrip("*").strip()] = digest
    return sums


def sha256_of(path):
    """Hex SHA-256 digest of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_HASH_CHUNK_BYTES), b""):
            h.update(chunk)
    return h.hexdigest()


def dataset_path(relative_path, root=None):
    """Verified path of a data file, e.g. ``dataset_path("names/dinos.txt")``.

    Parameters
    ----------
    relative_path : str   path below datasets/, as written in SHA256SUMS
    root : path, optional the data folder (default: `data_dir()`)

    Returns
    -------
    pathlib.Path          absolute path of a file whose sha256 matches the manifest

    Raises
    ------
    DataFileError  if the file is not in the manifest, is missing, or its
                   checksum differs; the message names the file and the
                   expected sha256.
    """
    root = Path(root) if root is not None else data_dir()
    sums = read_manifest(root)
    key = str(relative_path).replace(os.sep, "/")
    if key not in sums:
        raise DataFileError(
            f"{key} is not listed in {root / MANIFEST_NAME}; known files: "
            + ", ".join(sorted(sums))
        )
    expected = sums[key]
    path = root / key
    if not path.is_file():
        raise DataFileError(
            f"data file {path} is missing (expected sha256 {expected}); "
            f"restore it from the course repository (git checkout -- datasets/{key})"
        )
    actual = sha256_of(path)
    if actual != expected:
        raise DataFileError(
            f"data file {path} is corrupt or was edited: sha256 {actual}, "
            f"expected {expected}; restore it with git checkout -- datasets/{key}"
        )
    return path


def read_lines(relative_path, root=None):
    """Lines of a verified UTF-8 text file, without line endings; empty lines dropped."""
    text = dataset_path(relative_path, root).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip()]
