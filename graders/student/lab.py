"""The student-mode JupyterLab: this environment's Jupyter configuration, and the command that opens the lab.

`install()` writes the configuration into the environment itself (sys.prefix),
where Jupyter reads it for everyone who uses the environment; a student sets
nothing. It is idempotent, and each file is the course's own (a `.d` folder
entry where Jupyter has one), so nothing another package wrote is changed.

- etc/jupyter/nbgrader_config.py: the student side of nbgrader -- the course
  id, the per-cell timeout while validating, and the exchange: the folder
  COURSE_EXCHANGE names, or none (self-study);
- etc/jupyter/jupyter_server_config.d/: nbgrader's instructor extensions
  (formgrader, course list) off; its Validate replaced by graders.student.server;
- etc/jupyter/jupyter_server_config.json: only the notebook kernel ("python3")
  is offered -- the grading sandbox kernel of an instructor's environment is
  never listed;
- etc/jupyter/labconfig/page_config.d/: nbgrader's Create Assignment,
  Formgrader, Course List and menu plugins off, and its Assignment List too;
- share/jupyter/lab/settings/overrides.d/: no "get notified about Jupyter
  news?" popup, no update check;
- etc/jupyter/course_exchange/: the layer a lab with an exchange adds (through
  JUPYTER_CONFIG_PATH): the Assignment List on, under a "Course" menu;
- share/jupyter/kernels/python3: the notebook kernel (graders.student.kernel),
  with TensorFlow's C++ log lines out of cell outputs and its start-up noise out
  of the terminal.

A lab with an exchange (a class) runs with COURSE_EXCHANGE=<folder> and
JUPYTER_CONFIG_PATH=<prefix>/etc/jupyter/course_exchange; `start --exchange`
sets both, and on JupyterHub the spawner's environment does.

Usage:
    python -m graders.student.lab install
    python -m graders.student.lab start --release DIR --workspace DIR [--exchange DIR] [-- JUPYTER LAB ARGS]
`start` installs, brings the workspace up to date with the release (never
overwriting a notebook, see graders.student.workspace), prints what it did and
replaces itself with `jupyter lab` on the workspace.
"""

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

from graders.student import workspace
from helpers.budget import CELL_TIMEOUT_S

COURSE_ID = "sequence-models"  # the same as nbgrader_config.py's (a test compares them)
EXCHANGE_ENV_VAR = "COURSE_EXCHANGE"
NOTEBOOK_KERNEL = "python3"  # what every notebook's metadata names
SERVER_CONFIG_NAME = "sequence_models_student.json"  # sorts after nbgrader.json, which enables all of nbgrader
COURSE_FILE = "sequence_models_student.json"  # the course's entry in each `.d` folder
EXCHANGE_LAYER = "course_exchange"  # etc/jupyter/<this>: the configuration a lab with an exchange adds
STUDENT_EXTENSIONS = {
    "nbgrader.server_extensions.formgrader": False,
    "nbgrader.server_extensions.course_list": False,
    "nbgrader.server_extensions.validate_assignment": False,  # replaced, at the same address, by:
    "graders.student.server": True,
    "nbgrader.server_extensions.assignment_list": True,  # unreachable unless its page plugin is on
}
ASSIGNMENT_LIST_PLUGIN = "@jupyter/nbgrader:assignment-list"
HIDDEN_PLUGINS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                  "@jupyter/nbgrader:course-list",
                  "@jupyter/nbgrader:menu",  # lists every nbgrader page, instructors' too (blank when they are off)
                  ASSIGNMENT_LIST_PLUGIN)
SETTINGS_OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}
COURSE_MENU = {
    "@jupyterlab/mainmenu-extension:plugin": {"menus": [{
        "id": "jp-mainmenu-course", "label": "Course", "rank": 55,  # between Kernel (50) and Tabs (500)
        "items": [{"command": "nbgrader:open-assignment-list", "rank": 0}],
    }]},
}
KERNEL_CONFIG = "c.IPKernelApp.capture_fd_output = False\n"
NBGRADER_CONFIG = '''"""nbgrader, student side (written by `python -m graders.student.lab install`, rewritten by `make lab`)."""
import os

c = get_config()  # noqa: F821 -- provided by nbgrader
c.CourseDirectory.course_id = {course_id!r}
c.Execute.timeout = {timeout}  # seconds per cell while validating (nbgrader's default is 30)
exchange = os.environ.get({env_var!r}, "")
if exchange:  # no exchange: self-study
    c.Exchange.root = os.path.abspath(exchange)
'''


def _read_json(path):
    return json.loads(path.read_text()) if path.is_file() and path.stat().st_size else {}


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def _write_json(path, data):
    _write(path, json.dumps(data, indent=1, sort_keys=True) + "\n")


def kernel_spec(prefix):
    config = Path(prefix) / "etc" / "ipython" / "course_kernel_config.py"
    return {
        "argv": [sys.executable, "-m", "graders.student.kernel", "-f", "{connection_file}", f"--config={config}"],
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "env": {"TF_CPP_MIN_LOG_LEVEL": "2"},
        "metadata": {"debugger": True},
    }


def exchange_layer(prefix=sys.prefix):
    return Path(prefix) / "etc" / "jupyter" / EXCHANGE_LAYER


def install(prefix=sys.prefix):
    """Write the student-mode Jupyter configuration into the environment at `prefix`; return the files written."""
    prefix = Path(prefix)
    etc = prefix / "etc" / "jupyter"
    files = {
        etc / "nbgrader_config.py": NBGRADER_CONFIG.format(course_id=COURSE_ID, timeout=CELL_TIMEOUT_S,
                                                            env_var=EXCHANGE_ENV_VAR),
        etc / "jupyter_server_config.d" / COURSE_FILE: {"ServerApp": {"jpserver_extensions": STUDENT_EXTENSIONS}},
        etc / "labconfig" / "page_config.d" / COURSE_FILE: {"disabledExtensions": dict.fromkeys(HIDDEN_PLUGINS, True)},
        prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.d" / COURSE_FILE: SETTINGS_OVERRIDES,
        exchange_layer(prefix) / "labconfig" / "page_config.d" / COURSE_FILE: {
            "disabledExtensions": {ASSIGNMENT_LIST_PLUGIN: False}},
        exchange_layer(prefix) / "labconfig" / "default_setting_overrides.json": COURSE_MENU,
        prefix / "etc" / "ipython" / "course_kernel_config.py": KERNEL_CONFIG,
        prefix / "share" / "jupyter" / "kernels" / NOTEBOOK_KERNEL / "kernel.json": kernel_spec(prefix),
    }
    for path, content in files.items():
        if isinstance(content, str):
            _write(path, content)
        else:
            _write_json(path, content)
    # traitlets reads no `.d` folder for this setting: merge it into the environment's server config
    path = etc / "jupyter_server_config.json"
    server_config = _read_json(path)
    server_config.setdefault("KernelSpecManager", {})["allowed_kernelspecs"] = [NOTEBOOK_KERNEL]
    _write_json(path, server_config)
    return [*files, path]


def lab_environment(exchange="", environ=None):
    """The environment variables of a lab: with an exchange, COURSE_EXCHANGE and the exchange layer."""
    env = dict(os.environ if environ is None else environ)
    if exchange:
        env[EXCHANGE_ENV_VAR] = str(Path(exchange).resolve())
        layers = [str(exchange_layer()), *filter(None, env.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep))]
        env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(dict.fromkeys(layers))
    else:
        env.pop(EXCHANGE_ENV_VAR, None)
    return env


def jupyter_lab_command(workspace_dir, extra_args=()):
    jupyter = shutil.which("jupyter", path=str(Path(sys.executable).parent)) or "jupyter"
    return [jupyter, "lab", f"--ServerApp.root_dir={workspace_dir}", *extra_args]


def start(release_dir, workspace_dir, exchange="", extra_args=()):
    """Install the configuration, sync the workspace, print what changed, and exec JupyterLab on the workspace."""
    workspace_dir = Path(workspace_dir).resolve()
    install()
    for line in workspace.sync(release_dir, workspace_dir):
        print(line)
    env = lab_environment(exchange)
    print(f"your notebooks are in {workspace_dir}: work there; `make lab` never overwrites them"
          + (f"\nnbgrader exchange: {env[EXCHANGE_ENV_VAR]} (Course > Assignment List)" if exchange else ""),
          flush=True)
    os.chdir(workspace_dir)  # no course configuration of the folder make ran in is read by the lab
    command = jupyter_lab_command(workspace_dir, extra_args)
    os.execve(command[0], command, env)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m graders.student.lab", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("install", help="write this environment's student-mode Jupyter configuration")
    p = sub.add_parser("start", help="install, sync the workspace, open JupyterLab on it")
    p.add_argument("--release", required=True, help="folder with one folder per released assignment")
    p.add_argument("--workspace", required=True, help="the student's folder")
    p.add_argument("--exchange", default="", help="nbgrader exchange folder (shows the Assignment List)")
    p.add_argument("jupyter_args", nargs=argparse.REMAINDER, help="passed to `jupyter lab` (after --)")
    args = parser.parse_args(argv)
    if args.command == "install":
        for path in install():
            print(f"wrote {path}")
        return 0
    extra = [a for a in args.jupyter_args if a != "--"]
    start(args.release, args.workspace, exchange=args.exchange, extra_args=extra)
    return 0


if __name__ == "__main__":
    sys.exit(main())
