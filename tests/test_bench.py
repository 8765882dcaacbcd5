"""make bench: the metrics cell and the table."""

import nbformat

from graders.instructor import bench
from graders.instructor.assignments import Metric


def test_metrics_cell_round_trip():
    metrics = [Metric("loss", "loss_value", "< 1", lambda v, _: v < 1)]
    cell = bench._metrics_cell(metrics)
    assert "float(loss_value)" in cell.source
    namespace = {"loss_value": 0.25}
    printed = []
    exec(cell.source, {**namespace, "print": printed.append})
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("")])
    nb.cells[-1].outputs = [nbformat.v4.new_output("stream", name="stdout", text=printed[0] + "\n")]
    assert bench.parse_metrics(nb) == {"loss": 0.25}


def test_table_marks_targets_met_missed_and_errors():
    rows = [
        {"assignment": "02_dinosaur_names", "mode": "full", "wall_s": 100.0, "peak_gib": 1.0, "error": None,
         "metrics": {"dinosaur held-out NLL per char (nats)": 1.8,
                     "US names held-out NLL per char, numpy RNN (nats)": 2.2,
                     "US names held-out NLL per char, Keras LSTM (nats)": 2.3}},
        {"assignment": "01_rnn_step_by_step", "mode": "quick", "wall_s": 9.0, "peak_gib": 0.8,
         "error": "RuntimeError: kernel died", "metrics": {}},
        {"assignment": "02_dinosaur_names", "mode": "quick", "wall_s": 20.0, "peak_gib": 1.0, "error": None,
         "metrics": {"dinosaur held-out NLL per char (nats)": 2.9}},
    ]
    table = bench._format_table(rows)
    lines = table.splitlines()
    assert any("dinosaur held-out" in line and line.endswith("| yes |") for line in lines)
    assert any("Keras LSTM" in line and line.endswith("| no |") for line in lines)  # 2.3 does not beat 2.2
    assert any("ERROR" in line and "kernel died" in line for line in lines)
    quick = [line for line in lines if "| quick |" in line and "dinosaur held-out" in line]
    assert quick and all(line.endswith(f"| {bench.QUICK_NOT_JUDGED} |") for line in quick)  # slices: not judged
    assert "| 900 |" in table and "| 90 |" in table


def test_merge_keeps_rows_not_rerun_and_replaces_the_rest_in_course_order():
    def row(assignment, mode, wall_s):
        return {"assignment": assignment, "mode": mode, "wall_s": wall_s}
    earlier = [row("09_nmt_attention", "quick", 1.0), row("09_nmt_attention", "full", 2.0),
               row("01_rnn_step_by_step", "quick", 3.0)]
    new = [row("09_nmt_attention", "full", 9.0), row("08_beam_search_bleu", "quick", 4.0)]
    merged = bench.merge_rows(earlier, new)
    assert [(r["assignment"], r["mode"], r["wall_s"]) for r in merged] == [
        ("01_rnn_step_by_step", "quick", 3.0), ("08_beam_search_bleu", "quick", 4.0),
        ("09_nmt_attention", "quick", 1.0), ("09_nmt_attention", "full", 9.0)]
