"""The student's workspace: released notebooks copied in once, and never overwritten after.

A student works in their own folder (the workspace), never in the release an
instructor regenerates. `sync(release_dir, workspace_dir)` brings the
workspace up to date with a release and returns one line per thing it did:

- a file the workspace lacks is copied in (a deleted notebook comes back);
- a notebook the student has not changed since it was placed (byte for byte)
  is replaced by a newer release of it: there is no work in it to lose;
- a notebook the student has changed is never touched: a newer release goes
  beside it as ``name.new-release-<8 hex digits>.ipynb`` and a line says so;
- a notebook that did not come from here (fetched from nbgrader's Assignment
  List, say) is kept as it is and counted as up to date with the release.

What was placed is remembered in ``.course-workspace.json`` in the workspace
(sha256 of the release and of the file placed, per notebook). The release
folder holds one folder per assignment (``01_rnn_step_by_step/...``), the same
layout nbgrader's fetch uses, so the Assignment List sees these notebooks as
fetched and can submit them.
"""

import hashlib
import json
import shutil
from pathlib import Path

MANIFEST_NAME = ".course-workspace.json"
MANIFEST_VERSION = 1
NEW_RELEASE_TAG = "new-release"
HASH_CHARS_IN_NAME = 8  # enough to tell releases apart by name; the manifest keeps the full hash
SKIPPED_NAMES = {".ipynb_checkpoints", "__pycache__", "course_kit"}


def sha256_of(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def assignment_folders(release_dir):
    """The assignment folders of a release (``NN_name``), in course order."""
    release_dir = Path(release_dir)
    if not release_dir.is_dir():
        raise FileNotFoundError(f"no release folder at {release_dir}: run `make release` (or unpack the course kit)")
    return sorted(p for p in release_dir.iterdir() if p.is_dir() and p.name[:2].isdigit() and p.name not in SKIPPED_NAMES)


def _released_files(folder):
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not SKIPPED_NAMES.intersection(path.relative_to(folder).parts):
            yield path


def beside_name(notebook, release_sha):
    """Where a newer release of a changed notebook goes: rnn.ipynb -> rnn.new-release-1a2b3c4d.ipynb."""
    notebook = Path(notebook)
    return notebook.with_name(f"{notebook.stem}.{NEW_RELEASE_TAG}-{release_sha[:HASH_CHARS_IN_NAME]}{notebook.suffix}")


def is_beside_copy(path):
    return f".{NEW_RELEASE_TAG}-" in Path(path).name


def load_manifest(workspace_dir):
    path = Path(workspace_dir) / MANIFEST_NAME
    if not path.is_file():
        return {}
    data = json.loads(path.read_text())
    if data.get("version") != MANIFEST_VERSION:
        raise ValueError(f"{path} has version {data.get('version')!r}, expected {MANIFEST_VERSION}; "
                         f"move it away to start the record afresh (your notebooks are not affected)")
    return data["notebooks"]


def _save_manifest(workspace_dir, notebooks):
    path = Path(workspace_dir) / MANIFEST_NAME
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"version": MANIFEST_VERSION, "notebooks": notebooks}, indent=1, sort_keys=True))
    tmp.replace(path)  # atomic: an interrupted sync leaves the old record, never half a file


def _copy(source, dest):
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".partial")
    shutil.copy2(source, tmp)
    tmp.replace(dest)


def sync(release_dir, workspace_dir):
    """Bring the workspace up to date with the release without losing any work; return what was done.

    Parameters
    ----------
    release_dir : path     folder with one folder per assignment (release/ or the kit's assignments/)
    workspace_dir : path   the student's folder; created when missing

    Returns
    -------
    list of str   one sentence per file added, updated or placed beside (empty when nothing changed)

    Raises
    ------
    FileNotFoundError  if release_dir does not exist.
    """
    release_dir, workspace_dir = Path(release_dir), Path(workspace_dir)
    folders = assignment_folders(release_dir)
    workspace_dir.mkdir(parents=True, exist_ok=True)
    manifest = load_manifest(workspace_dir)
    lines = []
    for folder in folders:
        for source in _released_files(folder):
            rel = source.relative_to(release_dir).as_posix()
            dest = workspace_dir / rel
            if source.suffix != ".ipynb":
                if not dest.exists():
                    _copy(source, dest)
                    lines.append(f"added {rel}")
                continue
            release_sha = sha256_of(source)
            entry = manifest.get(rel)
            if not dest.exists():
                _copy(source, dest)
                manifest[rel] = {"release": release_sha, "placed": release_sha}
                lines.append(f"added {rel}")
            elif entry is None:
                # not placed by us (fetched from the Assignment List, or from an older workspace): keep it
                manifest[rel] = {"release": release_sha, "placed": sha256_of(dest)}
            elif entry["release"] == release_sha:
                continue
            elif sha256_of(dest) == entry["placed"]:
                _copy(source, dest)
                manifest[rel] = {"release": release_sha, "placed": release_sha}
                lines.append(f"updated {rel} to the new release (you had not changed it)")
            else:
                beside = beside_name(dest, release_sha)
                if not beside.exists():
                    _copy(source, beside)
                manifest[rel] = {"release": release_sha, "placed": entry["placed"]}
                lines.append(f"{rel}: a new release is beside your copy as {beside.name}; your copy is untouched "
                             f"(move your work across, or keep going in yours)")
    _save_manifest(workspace_dir, manifest)
    return lines
