"""The class workflow through nbgrader's exchange: publish a release, collect submissions, return feedback.

    make release           release/NN_name/ -> exchange/sequence-models/outbound/NN_name/ (nbgrader's release)
    (students fetch, work, submit from Course > Assignment List)
    make collect           exchange/.../inbound/ -> submitted/STUDENT/NN_name/ (this module, below)
    make autograde; make feedback
    make release-feedback  feedback/STUDENT/NN_name/NAME.html -> exchange/.../feedback/ (nbgrader's, after checks)

The exchange is a folder: `exchange/` beside the course by default, or the
folder COURSE_EXCHANGE names (`make release EXCHANGE=/srv/nbgrader/exchange`
for a shared JupyterHub; the students' labs must name the same folder). Its
inbound folder is writable by every student, so collect trusts nothing in it:

- **no link is followed**: a submission folder, notebook, timestamp or
  secret that is a symbolic link, a hard link (a file with more than one
  name), a device, a pipe or a socket is refused;
- **no name is trusted**: on a multi-user exchange the student is the *owner*
  of the submission folder, every file taken must have that owner, and a
  folder named after someone else is refused. A folder owned by the collecting
  user (the local single-machine exchange, where the instructor's account
  holds everything) proves nothing about who wrote it: its name is taken as
  it is (COURSE_EXCHANGE_TRUST_NAMES=1 does the same everywhere, for a hub
  whose students share one account);
- **no time is backdated**: the submission time is the one in the folder's
  name unless the notebook's inode was changed later than that (its ctime,
  which a user cannot set back, unlike the modification time `touch -d`
  sets): then the later time is taken and the report says so. Clocks of a
  student's server and the exchange's file server may differ, so a gap up to
  CLOCK_SKEW_S is forgiven. An exchange copied from a backup has fresh
  ctimes: COURSE_EXCHANGE_TRUST_TIMES=1 takes the names' times as they are;
- **only the notebook travels**: submitted/STUDENT/ASSIGNMENT/ receives the
  assignment's notebook (at most COURSE_MAX_SUBMISSION_MB, 50 MB), the
  submission time read from the folder's name, and nbgrader's submission
  secret (which names the feedback file the student fetches); every other file
  stays in the exchange.

Every refusal is printed as one line naming the student and the reason, and
collect exits non-zero when there was one. Release-feedback hands nbgrader
only feedback folders holding exactly what `make feedback` wrote for that
student (feedback_files()), regular files only.

Usage:
    python -m graders.instructor.exchange publish          [ASSIGNMENT ...]
    python -m graders.instructor.exchange collect          [ASSIGNMENT ...]
    python -m graders.instructor.exchange release-feedback [ASSIGNMENT ...]
"""

import argparse
import glob
import os
import re
import shutil
import stat
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from nbgrader.exchange.default.collect import ExchangeCollect as NbgraderCollect
from nbgrader.exchange.default.release_feedback import ExchangeReleaseFeedback as NbgraderReleaseFeedback
from traitlets.config import Config

from graders.instructor import course, solutions

EXCHANGE_ENV_VAR = "COURSE_EXCHANGE"  # the student side reads the same variable (graders/student/lab.py)
TRUST_NAMES_ENV_VAR = "COURSE_EXCHANGE_TRUST_NAMES"
TRUST_TIMES_ENV_VAR = "COURSE_EXCHANGE_TRUST_TIMES"
# nbgrader's submit copies the notebook seconds after naming the folder; the rest is room for the clocks of
# a student's server and a networked file server to disagree (NTP keeps them within seconds, a drifting
# one within minutes). A backdating shorter than this passes unnoticed.
CLOCK_SKEW_S = 600
MAX_SIZE_ENV_VAR = "COURSE_MAX_SUBMISSION_MB"
MIB = 1 << 20
DEFAULT_MAX_NOTEBOOK_MB = 50  # a notebook saved with all its figures and audio stays far below
TIMESTAMP_FILE, SECRET_FILE = "timestamp.txt", "submission_secret.txt"
SMALL_FILE_BYTES = 4096  # timestamp and secret are one short line each
# nbgrader's user names; never '.'/'..' or a path, so a student id is always one plain folder name
STUDENT_ID = re.compile(r"[A-Za-z0-9_@-][A-Za-z0-9._@+-]{0,63}")
SECRET = re.compile(r"[0-9a-f]{16,256}")  # nbgrader writes secrets.token_hex(64)


class Refused(Exception):
    """A file or folder that is not taken; the message says why, in words a student understands."""


def max_notebook_bytes():
    return int(float(os.environ.get(MAX_SIZE_ENV_VAR, DEFAULT_MAX_NOTEBOOK_MB)) * MIB)


def _kind(mode):
    for test, name in ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a folder"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def user_name(uid):
    """The login name of `uid`, or None where this machine has none."""
    import pwd

    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return None


def _megabytes(size):
    return f"{size / MIB:.1f} MB"


def read_regular(name, dir_fd=None, max_bytes=None, owner_uid=None):
    """The bytes of the regular file `name` (relative to the open folder `dir_fd`), never following a link.

    owner_uid : when given, the file must belong to that user
    Raises
    ------
    FileNotFoundError  when there is no such entry
    Refused  for a symbolic link, a hard link, a device, pipe or socket, another owner's file,
             or a file larger than max_bytes (default: COURSE_MAX_SUBMISSION_MB)
    """
    max_bytes = max_notebook_bytes() if max_bytes is None else max_bytes
    found = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    if stat.S_ISLNK(found.st_mode):
        raise Refused(f"{name} is a symbolic link; only a real file is taken")
    if not stat.S_ISREG(found.st_mode):
        raise Refused(f"{name} is {_kind(found.st_mode)}, not a file")
    if owner_uid is not None and found.st_uid != owner_uid:
        raise Refused(f"{name} belongs to {user_name(found.st_uid) or f'user id {found.st_uid}'}, "
                      f"not to the student who submitted it")
    if found.st_nlink > 1:
        raise Refused(f"{name} is a hard link (one file under {found.st_nlink} names); submit a copy of your own")
    if found.st_size > max_bytes:
        raise Refused(f"{name} is {_megabytes(found.st_size)}, more than the {_megabytes(max_bytes)} a submission "
                      f"may be (clear the outputs and submit again)")
    fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd)
    try:
        opened = os.fstat(fd)
        if (opened.st_dev, opened.st_ino) != (found.st_dev, found.st_ino) or not stat.S_ISREG(opened.st_mode):
            raise Refused(f"{name} was replaced while it was read")
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(max_bytes + 1)
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise Refused(f"{name} grew past {_megabytes(max_bytes)} while it was read")
    return data


def read_submitted(path, max_bytes=None):
    """read_regular() on a path: the folder is opened without following a link, then the file in it."""
    path = Path(path)
    folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        return read_regular(path.name, folder, max_bytes)
    finally:
        os.close(folder)


# --------------------------------------------------------------------------- exchange and nbgrader


def exchange_root(course_root=course.REPO_ROOT):
    """The exchange folder: COURSE_EXCHANGE if set, else exchange/ in the course folder."""
    named = os.environ.get(EXCHANGE_ENV_VAR, "")
    return Path(named).resolve() if named else Path(course_root).resolve() / "exchange"


def inbound_folder(course_root=course.REPO_ROOT):
    return exchange_root(course_root) / course.course_id(course_root) / "inbound"


def exchange_api(course_root=course.REPO_ROOT, extra=None):
    """nbgrader's API on the course, with the exchange at exchange_root() and re-publishing allowed."""
    overrides = Config()
    overrides.Exchange.root = str(exchange_root(course_root))
    overrides.ExchangeReleaseAssignment.force = True  # a regenerated release replaces the published one
    if extra is not None:
        overrides.merge(extra)
    return course.nbgrader_api(course_root, overrides)


def publish(assignments=(), course_root=course.REPO_ROOT):
    """Copy released assignments into the exchange (students see them in the Assignment List)."""
    print(f"nbgrader exchange: {exchange_root(course_root)}")
    api = exchange_api(course_root)
    ok = True
    for assignment in course.assignments(list(assignments)):
        result = api.release_assignment(assignment)
        ok = _said(assignment, "published to the exchange", result) and ok
    return ok


def _said(assignment, step, result):
    print(f"{assignment}: {step}" if result["success"] else f"{assignment}: {step} FAILED")
    if not result["success"]:
        print("  " + (result.get("error") or result.get("log") or "").strip().replace("\n", "\n  "))
    return result["success"]


# --------------------------------------------------------------------------- collect


@dataclass
class Submission:
    """One folder of the inbound exchange that passed every check."""

    entry: str
    student: str
    timestamp: object  # datetime, UTC
    files: dict  # {file name: bytes}: the notebook, and the timestamp and secret when present
    left_behind: list = field(default_factory=list)  # other files in the folder, not collected
    notes: list = field(default_factory=list)  # what collect changed, said in the report


@dataclass
class Refusal:
    entry: str
    student: str  # who the folder claims to be (or belongs to)
    reason: str

    def line(self):
        return f"REFUSED {self.student}: {self.reason} ({self.entry})"


def _parse_entry(entry, assignment):
    """(claimed student, timestamp text) of an inbound folder name STUDENT+ASSIGNMENT+TIMESTAMP[+RANDOM], or None."""
    parts = entry.rsplit("+", 3)
    if len(parts) == 4 and parts[1] != assignment:  # a student name holding '+', no random suffix
        parts = [parts[0] + "+" + parts[1], *parts[2:]]
    if len(parts) < 3 or parts[1] != assignment:
        return None
    return parts[0], parts[2]


def _owner_student(entry, claimed, owner_uid, collector_uid):
    """The student a folder belongs to: its owner's name on a multi-user exchange, else the name it claims."""
    if owner_uid == collector_uid or os.environ.get(TRUST_NAMES_ENV_VAR) == "1":
        return claimed
    owner = user_name(owner_uid)
    if owner is None:
        raise Refused(f"the folder belongs to user id {owner_uid}, which has no user name on this machine")
    if owner != claimed:
        raise Refused(f"the folder is named as {claimed}'s submission but belongs to user {owner}")
    return owner


def inspect_submission(inbound_fd, entry, assignment, collector_uid=None):
    """A Submission from the inbound folder `entry`, or Refused (never following a link, trusting no name)."""
    from nbgrader.utils import parse_utc

    collector_uid = os.geteuid() if collector_uid is None else collector_uid
    claimed, stamp = _parse_entry(entry, assignment)
    found = os.stat(entry, dir_fd=inbound_fd, follow_symlinks=False)
    if not stat.S_ISDIR(found.st_mode):
        raise Refused(f"the submission is {_kind(found.st_mode)}, not a folder")
    student = _owner_student(entry, claimed, found.st_uid, collector_uid)
    if not STUDENT_ID.fullmatch(student):
        raise Refused(f"{student!r} is not a valid student id")
    try:
        timestamp = parse_utc(stamp)
    except (ValueError, OverflowError):
        raise Refused(f"the folder's name holds no valid submission time ({stamp!r})") from None
    owner = None if found.st_uid == collector_uid else found.st_uid
    folder = os.open(entry, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=inbound_fd)
    try:
        notebook = course.notebook_name(assignment)
        files = {}
        try:
            files[notebook] = read_regular(notebook, folder, owner_uid=owner)
        except FileNotFoundError:
            raise Refused(f"the submission holds no {notebook}") from None
        for name in (TIMESTAMP_FILE, SECRET_FILE):
            try:
                files[name] = read_regular(name, folder, SMALL_FILE_BYTES, owner_uid=owner)
            except FileNotFoundError:
                continue
        secret = files.get(SECRET_FILE, b"").decode("ascii", errors="replace").strip()
        if SECRET_FILE in files and not SECRET.fullmatch(secret):
            raise Refused(f"{SECRET_FILE} is not a secret nbgrader wrote")
        written = os.stat(notebook, dir_fd=folder, follow_symlinks=False).st_ctime
        timestamp, stamp, notes = submission_time(timestamp, stamp, written)
        files[TIMESTAMP_FILE] = stamp.encode()  # the time the newest is chosen by and lateness is computed from
        left = sorted(set(os.listdir(folder)) - set(files) - {".ipynb_checkpoints"})
    finally:
        os.close(folder)
    return Submission(entry, student, timestamp, files, left, notes)


def submission_time(named, stamp, written):
    """(time, its text, notes): the time in the folder's name, or the notebook's ctime when that is later.

    `named` is the naive UTC datetime parsed from `stamp` (the name's text); `written` is the notebook's
    st_ctime (s since the epoch). A ctime more than CLOCK_SKEW_S after the named time means the name was
    backdated (or the exchange copied: COURSE_EXCHANGE_TRUST_TIMES=1 keeps the names' times).
    """
    written_at = datetime.fromtimestamp(written, timezone.utc).replace(tzinfo=None)
    if os.environ.get(TRUST_TIMES_ENV_VAR) == "1" or (written_at - named).total_seconds() <= CLOCK_SKEW_S:
        return named, stamp, []
    text = written_at.strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    return written_at, text, [f"the folder's name gives the time {stamp}, but the notebook was written at {text}; "
                              "the later time is the submission time"]


def scan_inbound(inbound, assignment, collector_uid=None):
    """({student: newest Submission}, [Refusal]) for one assignment of the inbound folder."""
    newest, refused = {}, []
    try:
        inbound_fd = os.open(inbound, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except FileNotFoundError:
        return newest, refused
    try:
        for entry in sorted(os.listdir(inbound_fd)):
            parsed = _parse_entry(entry, assignment)
            if parsed is None:
                continue
            try:
                found = inspect_submission(inbound_fd, entry, assignment, collector_uid)
            except Refused as err:
                refused.append(Refusal(entry, parsed[0], str(err)))
                continue
            except OSError as err:
                refused.append(Refusal(entry, parsed[0], f"unreadable ({err.strerror or err})"))
                continue
            if found.student not in newest or found.timestamp > newest[found.student].timestamp:
                newest[found.student] = found
    finally:
        os.close(inbound_fd)
    return newest, refused


def _existing_timestamp(folder):
    from nbgrader.utils import parse_utc

    try:
        return parse_utc(read_submitted(folder / TIMESTAMP_FILE, SMALL_FILE_BYTES).decode().strip())
    except (OSError, ValueError, Refused):
        return None


def store(course_root, assignment, submission):
    """Write a Submission into submitted/STUDENT/ASSIGNMENT/ (replacing an older one whole); True if written."""
    target = Path(course_root) / "submitted" / submission.student / assignment
    if target.is_symlink():
        target.unlink()
    if target.is_dir():
        older = _existing_timestamp(target)
        if older is not None and older >= submission.timestamp:
            return False
    staging = target.with_name(f".{assignment}.collecting")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name, data in submission.files.items():
        (staging / name).write_bytes(data)
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)
    return True


def collect(assignments=(), course_root=course.REPO_ROOT, collector_uid=None):
    """Copy the newest acceptable submission of every student into submitted/STUDENT/ASSIGNMENT/.

    Returns True when no submission was refused. Each refusal is printed with the student and the reason.
    """
    inbound = inbound_folder(course_root)
    print(f"nbgrader exchange: {exchange_root(course_root)}")
    all_refused = []
    for assignment in course.assignments(list(assignments)):
        newest, refused = scan_inbound(inbound, assignment, collector_uid)
        if not newest and not refused:
            print(f"{assignment}: no submissions in the exchange")
            continue
        written = [s for s in newest.values() if store(course_root, assignment, s)]
        print(f"{assignment}: {len(newest)} student(s) submitted; {len(written)} new or newer submission(s) collected")
        for submission in sorted(written, key=lambda s: s.student):
            for note in submission.notes:
                print(f"  {submission.student}: {note}")
            if submission.left_behind:
                print(f"  {submission.student}: only the notebook was collected; left in the exchange: "
                      + ", ".join(submission.left_behind[:5]) + (" ..." if len(submission.left_behind) > 5 else ""))
        for refusal in refused:
            print("  " + refusal.line())
        all_refused += refused
    students = sorted({s for s, _ in course.submissions(course_root, assignments)})
    print(f"submitted/ holds work of {len(students)} student(s)"
          + (f"; {len(all_refused)} submission(s) refused" if all_refused else ""))
    return not all_refused


# --------------------------------------------------------------------------- release feedback


def feedback_files(assignment):
    """The only files a feedback folder may hold: NAME.html and the submission's timestamp and secret."""
    return (course.notebook_name(assignment).replace(".ipynb", ".html"), TIMESTAMP_FILE, SECRET_FILE)


def feedback_problems(folder, assignment):
    """Why a feedback folder must not go to the exchange ([] when it holds exactly what `make feedback` wrote)."""
    problems = []
    allowed = set(feedback_files(assignment))
    for entry in sorted(os.listdir(folder)):
        path = Path(folder) / entry
        mode = os.lstat(path).st_mode
        if entry not in allowed:
            problems.append(f"{entry} was not written by `make feedback`")
        elif not stat.S_ISREG(mode) or os.lstat(path).st_nlink > 1:
            problems.append(f"{entry} is {_kind(mode) if not stat.S_ISREG(mode) else 'a hard link'}")
    if not (Path(folder) / SECRET_FILE).is_file():
        problems.append(f"no {SECRET_FILE}: the submission did not come through the exchange, "
                        f"so no student can fetch this feedback")
    return problems


def release_feedback(assignments=(), course_root=course.REPO_ROOT):
    """Put feedback/STUDENT/ASSIGNMENT/NAME.html into the exchange, where each student's Assignment List fetches it.

    A student whose feedback folder holds anything else is skipped with a line saying why.
    """
    feedback_root = Path(course_root) / "feedback"
    ok, wanted = True, {}
    for student, assignment in course.submissions(course_root, assignments):
        folder = feedback_root / student / assignment
        if folder.is_symlink() or not folder.is_dir():
            continue
        problems = feedback_problems(folder, assignment)
        wanted.setdefault(assignment, {})[student] = problems
        for problem in problems:
            print(f"{assignment}: feedback of {student} NOT released: {problem}")
    if not wanted:
        print(f"no feedback under {feedback_root}: run `make feedback` first")
    for assignment, students in sorted(wanted.items()):
        skipped = sorted(s for s, problems in students.items() if problems)
        if len(skipped) == len(students):
            ok = False
            continue
        extra = Config()
        extra.CourseDirectory.student_id_exclude = ",".join(skipped)
        ok = _said(assignment, "feedback released", exchange_api(course_root, extra).release_feedback(assignment)) \
            and ok and not skipped
    return ok


# --------------------------------------------------------------------------- nbgrader's own commands


class CheckedCollect(NbgraderCollect):
    """`nbgrader collect` and formgrader's Collect button (nbgrader_config.py names it), doing what `make collect` does."""

    def start(self):
        inbound = Path(self.root) / self.coursedir.course_id / "inbound"
        newest, refused = scan_inbound(inbound, self.coursedir.assignment_id)
        for submission in newest.values():
            if store(self.coursedir.root, self.coursedir.assignment_id, submission):
                self.log.info(f"collected {submission.student}/{self.coursedir.assignment_id}")
                for note in submission.notes:
                    self.log.warning(f"{submission.student}: {note}")
        for refusal in refused:
            self.log.warning(refusal.line())


class CheckedReleaseFeedback(NbgraderReleaseFeedback):
    """`nbgrader release_feedback` and formgrader's button: a feedback folder holding anything else stays back."""

    def copy_files(self):
        held = list(filter(None, self.coursedir.student_id_exclude.split(",")))
        pattern = self.coursedir.format_path(self.coursedir.feedback_directory, "*", self.coursedir.assignment_id)
        for folder in sorted(Path(p) for p in glob.glob(pattern)):
            problems = feedback_problems(folder, self.coursedir.assignment_id)
            if problems:
                held.append(folder.parent.name)
                self.log.warning(f"feedback of {folder.parent.name} NOT released: {'; '.join(problems)}")
        self.coursedir.student_id_exclude = ",".join(held)
        super().copy_files()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m graders.instructor.exchange", description=__doc__.split("\n")[0])
    parser.add_argument("--course-root", default=str(course.REPO_ROOT), help="folder with release/, submitted/, ...")
    parser.add_argument("command", choices=("publish", "collect", "release-feedback"))
    parser.add_argument("assignments", nargs="*")
    args = parser.parse_args(argv)
    known = solutions.assignment_names()
    unknown = [a for a in args.assignments if a not in known]
    if unknown:
        parser.error(f"unknown assignment(s) {unknown}; known: {known}")
    action = {"publish": publish, "collect": collect, "release-feedback": release_feedback}[args.command]
    return 0 if action(args.assignments, course_root=args.course_root) else 1


if __name__ == "__main__":
    sys.exit(main())
