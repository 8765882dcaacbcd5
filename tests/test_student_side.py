"""The student's side without a browser: workspace sync, Validate's report, the lab's configuration, the kit.

The browser test (tests/test_browser.py) drives all of it in JupyterLab; these
tests pin each rule down on its own, in seconds.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from traitlets.config.loader import PyFileConfigLoader

from graders.instructor import course_kit, exchange, pipeline, solutions
from graders.student import kernel, lab, validation, workspace

# --------------------------------------------------------------------------- workspace


def _notebook(text):
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(text))
    return nb


def _release(root, text, name="01_demo"):
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(_notebook(text), folder / "demo.ipynb")
    (folder / "data.txt").write_text(text)
    return root


def _edit(path, text):
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source = text
    nbformat.write(nb, path)


def test_sync_adds_missing_notebooks_and_then_does_nothing(tmp_path):
    release = _release(tmp_path / "release", "v1")
    ws = tmp_path / "ws"
    assert workspace.sync(release, ws) == ["added 01_demo/data.txt", "added 01_demo/demo.ipynb"]
    assert workspace.sync(release, ws) == []
    assert nbformat.read(ws / "01_demo" / "demo.ipynb", as_version=4).cells[0].source == "v1"


def test_a_changed_notebook_is_never_overwritten_and_a_new_release_goes_beside_it(tmp_path):
    release = _release(tmp_path / "release", "v1")
    ws = tmp_path / "ws"
    workspace.sync(release, ws)
    mine = ws / "01_demo" / "demo.ipynb"
    _edit(mine, "my work")
    (ws / "01_demo" / "data.txt").write_text("my notes")
    assert workspace.sync(release, ws) == []  # same release: nothing to do
    _release(release, "v2")
    lines = workspace.sync(release, ws)
    assert len(lines) == 1 and "new release is beside your copy" in lines[0] and "untouched" in lines[0]
    assert nbformat.read(mine, as_version=4).cells[0].source == "my work"
    assert (ws / "01_demo" / "data.txt").read_text() == "my notes"
    beside = list((ws / "01_demo").glob("demo.new-release-*.ipynb"))
    assert len(beside) == 1 and beside[0].name in lines[0]
    assert nbformat.read(beside[0], as_version=4).cells[0].source == "v2"
    assert workspace.sync(release, ws) == []  # said once, placed once


def test_an_unchanged_notebook_follows_the_release(tmp_path):
    release = _release(tmp_path / "release", "v1")
    ws = tmp_path / "ws"
    workspace.sync(release, ws)
    _release(release, "v2")
    assert workspace.sync(release, ws) == ["updated 01_demo/demo.ipynb to the new release (you had not changed it)"]
    assert nbformat.read(ws / "01_demo" / "demo.ipynb", as_version=4).cells[0].source == "v2"
    assert not list((ws / "01_demo").glob("*.new-release-*"))


def test_a_fetched_notebook_is_kept_and_a_deleted_one_comes_back(tmp_path):
    release = _release(tmp_path / "release", "v1")
    ws = tmp_path / "ws"
    (ws / "01_demo").mkdir(parents=True)
    nbformat.write(_notebook("fetched and edited"), ws / "01_demo" / "demo.ipynb")
    assert workspace.sync(release, ws) == ["added 01_demo/data.txt"]
    assert nbformat.read(ws / "01_demo" / "demo.ipynb", as_version=4).cells[0].source == "fetched and edited"
    (ws / "01_demo" / "demo.ipynb").unlink()
    assert workspace.sync(release, ws) == ["added 01_demo/demo.ipynb"]


def test_sync_without_a_release_says_how_to_make_one(tmp_path):
    with pytest.raises(FileNotFoundError, match="make release"):
        workspace.sync(tmp_path / "nowhere", tmp_path / "ws")


# --------------------------------------------------------------------------- kernel log filter

# captured from `import tensorflow` on a machine without a GPU (TensorFlow 2.21)
TF_NOISE = [
    b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    b"I0000 00:00:1795330398.214947    7821 cudart_stub.cc:31] Could not find cuda drivers on your machine, "
    b"GPU will not be used.",
    b"E0000 00:00:1795330403.502803    7821 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA error: "
    b"Failed call to cuInit: UNKNOWN ERROR (303)",
    b"I0000 00:00:1795330405.042683    7833 cpu_feature_guard.cc:227] This TensorFlow binary is optimized to use "
    b"available CPU instructions in performance-critical operations.",
    b"To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow with the "
    b"appropriate compiler flags.",
]
KEPT = [
    b"E0000 00:00:1795330403.502803    7821 op_kernel.cc:1830] OP_REQUIRES failed: out of memory",
    b"Segmentation fault",
    b"Traceback (most recent call last):",
]


@pytest.mark.parametrize("line", TF_NOISE)
def test_tensorflow_start_up_noise_is_filtered(line):
    assert kernel.is_noise(line)


@pytest.mark.parametrize("line", KEPT)
def test_real_errors_still_reach_the_terminal(line):
    assert not kernel.is_noise(line)


def test_the_filter_sits_on_file_descriptor_2_of_the_kernel_process():
    written = b"\n".join(TF_NOISE + KEPT) + b"\n"
    script = ("import os, time; from graders.student import kernel; kernel.filter_stderr(); "
              f"os.write(2, {written!r}); time.sleep(0.5)")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert result.stderr.splitlines() == KEPT


# --------------------------------------------------------------------------- Validate's report


def _error_cell(ename, evalue, grade_id="test_f", points=2):
    cell = nbformat.v4.new_code_cell("check(f)")
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": grade_id, "points": points}
    cell.outputs = [nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=["x" * 5000])]
    return cell


def test_a_failing_check_shows_its_message_and_other_errors_one_line_never_a_traceback():
    message = 'f failed on case "tiny"\n  hint:   add the bias'
    assert validation.cell_message(_error_cell("CheckFailure", message)) == message
    name_error = validation.cell_message(_error_cell("NameError", "name 'f' is not defined"))
    assert name_error.startswith("NameError: name 'f' is not defined -- run the cell that defines it first")
    assert validation.cell_message(_error_cell("ValueError", "bad shape")) == "ValueError: bad shape"
    long = validation.cell_message(_error_cell("CheckFailure", "\n".join(f"line {i}" for i in range(40))))
    assert len(long.splitlines()) == validation.MAX_MESSAGE_LINES + 1 and "more lines" in long


def test_the_report_puts_the_summary_first_and_escapes_what_the_dialog_renders_as_html():
    report = validation.Report([validation.CellResult("test_a", 2, ""),
                                validation.CellResult("test_b", 3, "b failed: expected <1>, got 2"),
                                validation.CellResult("test_c", 4, "NameError: x")])
    assert report.summary() == "1 of 3 graded cells pass (2 of 9 points)"
    assert report.text().splitlines()[0] == report.summary()
    dialog = validation.dialog_value(report)
    (entry,) = dialog["failed"]
    assert entry["source"] == report.summary()
    assert "expected &lt;1&gt;" in entry["error"] and "<b>test_b</b>" in entry["error"]
    assert "test_a" not in entry["error"]
    assert validation.dialog_value(validation.Report([validation.CellResult("test_a", 2, "")])) == {}


# --------------------------------------------------------------------------- the lab's configuration


def _instructor_config():
    return PyFileConfigLoader("nbgrader_config.py", path=str(solutions.REPO_ROOT)).load_config()


def _student_nbgrader_config(prefix, monkeypatch, exchange_dir=None):
    if exchange_dir is None:
        monkeypatch.delenv(lab.EXCHANGE_ENV_VAR, raising=False)
    else:
        monkeypatch.setenv(lab.EXCHANGE_ENV_VAR, str(exchange_dir))
    return PyFileConfigLoader("nbgrader_config.py", path=str(prefix / "etc" / "jupyter")).load_config()


def test_install_writes_a_student_only_configuration(tmp_path, monkeypatch):
    prefix = tmp_path / "env"
    (prefix / "etc" / "jupyter").mkdir(parents=True)
    (prefix / "etc" / "jupyter" / "jupyter_server_config.json").write_text('{"ServerApp": {"port": 9999}}')
    lab.install(prefix)
    etc = prefix / "etc" / "jupyter"

    server = json.loads((etc / "jupyter_server_config.json").read_text())
    assert server["KernelSpecManager"]["allowed_kernelspecs"] == ["python3"]
    assert server["ServerApp"]["port"] == 9999  # what was there is kept
    extensions = json.loads((etc / "jupyter_server_config.d" / lab.COURSE_FILE).read_text())["ServerApp"]
    assert extensions["jpserver_extensions"]["nbgrader.server_extensions.formgrader"] is False
    assert extensions["jpserver_extensions"]["graders.student.server"] is True
    disabled = json.loads((etc / "labconfig" / "page_config.d" / lab.COURSE_FILE).read_text())["disabledExtensions"]
    for plugin in ("formgrader", "create-assignment", "course-list", "assignment-list"):
        assert disabled[f"@jupyter/nbgrader:{plugin}"] is True
    layer = json.loads((lab.exchange_layer(prefix) / "labconfig" / "page_config.d" / lab.COURSE_FILE).read_text())
    assert layer["disabledExtensions"] == {lab.ASSIGNMENT_LIST_PLUGIN: False}
    overrides = prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.d" / lab.COURSE_FILE
    assert json.loads(overrides.read_text())["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    spec = json.loads((prefix / "share" / "jupyter" / "kernels" / "python3" / "kernel.json").read_text())
    assert spec["argv"][1:3] == ["-m", "graders.student.kernel"]

    without = _student_nbgrader_config(prefix, monkeypatch)
    assert "root" not in without.Exchange
    with_exchange = _student_nbgrader_config(prefix, monkeypatch, tmp_path / "ex")
    assert with_exchange.Exchange.root == str(tmp_path / "ex")
    instructor = _instructor_config()
    assert with_exchange.CourseDirectory.course_id == instructor.CourseDirectory.course_id
    assert with_exchange.Execute.timeout == instructor.Execute.timeout
    assert lab.install(prefix)  # idempotent


def test_a_lab_with_an_exchange_adds_the_exchange_layer_and_one_without_drops_it(tmp_path):
    env = lab.lab_environment(tmp_path / "ex", environ={"JUPYTER_CONFIG_PATH": "/other", "COURSE_EXCHANGE": "x"})
    assert env[lab.EXCHANGE_ENV_VAR] == str(tmp_path / "ex")
    assert env["JUPYTER_CONFIG_PATH"].split(os.pathsep) == [str(lab.exchange_layer()), "/other"]
    assert lab.EXCHANGE_ENV_VAR not in lab.lab_environment("", environ={"COURSE_EXCHANGE": "x"})


def test_the_exchange_is_the_course_folder_unless_named(tmp_path, monkeypatch):
    monkeypatch.delenv(exchange.EXCHANGE_ENV_VAR, raising=False)
    assert exchange.exchange_root(tmp_path) == tmp_path.resolve() / "exchange"
    monkeypatch.setenv(exchange.EXCHANGE_ENV_VAR, str(tmp_path / "shared"))
    assert exchange.exchange_root(tmp_path) == tmp_path / "shared"
    assert exchange.EXCHANGE_ENV_VAR == lab.EXCHANGE_ENV_VAR  # both ends read the same variable


# --------------------------------------------------------------------------- the course kit


def test_the_kit_is_a_student_package_whose_one_command_opens_the_lab_on_its_workspace(tmp_path):
    release = _release(tmp_path / "release", "v1")
    kit = pipeline.build_kit(release / pipeline.KIT_DIR_NAME)
    course_kit.add_student_files(release, pipeline.KIT_DIR_NAME)
    assert (kit / "README.md").read_text().count("make lab") >= 2
    assert (kit / "assignments" / "01_demo" / "demo.ipynb").is_file()
    assert not (kit / "graders" / "instructor").exists() and not (kit / "nbgrader_config.py").exists()
    assert not (kit / "notebooks").exists()
    # the kit's `make lab`, with this environment standing in for the .venv it would build
    venv = Path(sys.prefix)
    result = subprocess.run(["make", "-C", str(kit), "lab", f"VENV={venv}", "-o", str(venv / ".installed"),
                             "LAB_ARGS=--version"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "added 01_demo/demo.ipynb" in result.stdout
    assert (kit / "workspace" / "01_demo" / "demo.ipynb").is_file()


# --------------------------------------------------------------------------- the notebooks

RUN_ALL_NOTE = ("*Run ▸ Run All Cells* stops at the first check that fails", "*Run ▸ Run Selected Cell and All Below*")
NOTEBOOKS_WITH_THE_NOTE = tuple(solutions.assignment_names())


@pytest.mark.parametrize("assignment", NOTEBOOKS_WITH_THE_NOTE)
def test_the_introduction_says_run_all_stops_at_the_first_failing_check_and_how_to_run_a_part(assignment):
    intro = nbformat.read(solutions.notebook_path(assignment), as_version=4).cells[0]
    assert intro.cell_type == "markdown"
    for phrase in RUN_ALL_NOTE:
        assert phrase in intro.source


EFFECTIVE_EXTENSIONS = """import json
from jupyter_core.paths import jupyter_config_path
from jupyter_server.extension.config import ExtensionConfigManager
print(json.dumps(ExtensionConfigManager(read_config_path=jupyter_config_path()).get_jpserver_extensions()))
"""


def _server_extensions(env):
    done = subprocess.run([sys.executable, "-c", EFFECTIVE_EXTENSIONS], env=env, capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout)


def test_the_instructors_lab_adds_formgrader_and_the_students_lab_never_shows_it(tmp_path):
    prefix = tmp_path / "prefix"
    lab.install(prefix)
    layer = pipeline.instructor_layer(prefix)
    student_env = {k: v for k, v in os.environ.items() if k != "JUPYTER_CONFIG_PATH"}
    student_env["JUPYTER_CONFIG_PATH"] = str(prefix / "etc" / "jupyter")
    instructor_env = dict(student_env,
                          JUPYTER_CONFIG_PATH=os.pathsep.join([str(layer), str(prefix / "etc" / "jupyter")]))
    student, instructor = _server_extensions(student_env), _server_extensions(instructor_env)
    assert student["nbgrader.server_extensions.formgrader"] is False
    assert instructor["nbgrader.server_extensions.formgrader"] is True
    assert instructor["graders.student.server"] is True and student["graders.student.server"] is True
    pages = json.loads((layer / "labconfig" / "page_config.d" / pipeline.INSTRUCTOR_FILE).read_text())
    assert pages["disabledExtensions"]["@jupyter/nbgrader:formgrader"] is False
