"""`shootout compare`: one table of several runs, printed as Markdown and written as compare.html and compare.csv."""

import csv
import json
import shutil
import statistics

import pytest

from shootout.cli import main
from tests.pages import embedded_png, parse


def _folder(small_runs, name):
    return str(small_runs[name].folder)


def _status(argv) -> int:
    """The exit status of the command (argparse exits with 2 on a usage error)."""
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code


def test_two_seeds_of_one_experiment_share_a_column_of_mean_and_std(small_runs, tmp_path, capsys):
    out = tmp_path / "cmp"
    folders = [_folder(small_runs, "digits"), _folder(small_runs, "digits-seed-1")]
    assert main(["compare", *folders, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    lines = printed.splitlines()
    assert lines[0] == "| contestant | digits accuracy | digits seconds | digits params |"
    runs = [small_runs["digits"].results, small_runs["digits-seed-1"].results]
    for model_index, model in enumerate(("scratch-softmax", "ptlogreg")):
        accuracies = [results[model_index]["test_accuracy"] for results in runs]
        mean, std = statistics.fmean(accuracies), statistics.stdev(accuracies)
        row = next(line for line in lines if line.startswith(f"| {model} |"))
        assert f"{mean:.4f} ± {std:.4f}" in row
    assert "2 runs, mean ± std over seeds default, 1" in printed
    assert {p.name for p in out.iterdir()} == {"compare.html", "compare.csv", "compare.png"}  # no temporary left

    with (out / "compare.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["column"], r["model"], r["runs"]) for r in rows] == [
        ("digits", "scratch-softmax", "2"),
        ("digits", "ptlogreg", "2"),
    ]
    first = [results[0]["test_accuracy"] for results in runs]
    assert float(rows[0]["accuracy_mean"]) == pytest.approx(statistics.fmean(first))
    assert float(rows[0]["accuracy_std"]) == pytest.approx(statistics.stdev(first))
    assert sum(r["best_accuracy"] == "True" for r in rows) == 1


def test_runs_of_two_experiments_make_a_models_by_datasets_table(small_runs, tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main(["compare", _folder(small_runs, "digits"), _folder(small_runs, "gmm"), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.splitlines()[0] == (
        "| contestant | digits accuracy | digits seconds | digits params | gmm accuracy | gmm seconds | gmm params |"
    )
    page = parse((out / "compare.html").read_text())
    (picture,) = page.images
    assert embedded_png(picture) == (out / "compare.png").read_bytes()
    top, sub, *rows = page.tables[0]
    assert top == ["contestant", "digits", "gmm"] and sub == ["test accuracy", "train seconds", "params"] * 2
    cells = {row[0]: row[1:] for row in rows}
    assert set(cells) == {"scratch-softmax", "ptlogreg", "scratch-logreg", "rbf-svm"}
    for name in ("digits", "gmm"):
        column = 0 if name == "digits" else 3
        for result in small_runs[name].results:
            row = cells[result["model"]]
            assert row[column : column + 3] == [
                f"{result['test_accuracy']:.4f}",
                f"{result['train_seconds']:.2f}",
                f"{result['params']:,}",
            ]
    assert cells["scratch-logreg"][:3] == ["", "", ""]  # digits has no contestant of that name
    assert "fresh points drawn from the same mixture" in page.text and "stratified 20 %" in page.text


def test_the_best_of_each_column_is_marked(small_runs, tmp_path, capsys):
    assert main(["compare", _folder(small_runs, "gmm"), "--out", str(tmp_path / "c")]) == 0
    lines = capsys.readouterr().out.splitlines()
    results = small_runs["gmm"].results
    best = max(results, key=lambda r: r["test_accuracy"])
    row = next(line for line in lines if line.startswith(f"| {best['model']} |"))
    assert f"**{best['test_accuracy']:.4f}**" in row
    html = (tmp_path / "c" / "compare.html").read_text()
    assert f'<td class="best">{best["test_accuracy"]:.4f}</td>' in html


def test_an_unfinished_or_foreign_folder_is_refused_in_one_line(small_runs, tmp_path, capsys):
    partial = tmp_path / "run.partial"
    shutil.copytree(small_runs["gmm"].folder, partial)
    empty = tmp_path / "empty"
    empty.mkdir()
    for folder, status, said in (
        (partial, 1, "unfinished run (.partial)"),
        (empty, 1, "metrics.json not found"),
        (tmp_path / "missing", 2, "is not a folder"),
        (small_runs["gmm"].folder, 2, "given twice"),
    ):
        assert _status(["compare", _folder(small_runs, "gmm"), str(folder), "--out", str(tmp_path / "c")]) == status
        err = capsys.readouterr().err
        assert said in err and "Traceback" not in err
        if status == 1:
            assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "c").exists()  # nothing written for a refused comparison


def test_a_demonstration_has_nothing_to_compare(tmp_path, capsys):
    folder = tmp_path / "linreg"
    folder.mkdir()
    (folder / "metrics.json").write_text(json.dumps({"experiment": "linreg", "results": [], "demonstration": {}}))
    assert main(["compare", str(folder), "--out", str(tmp_path / "c")]) == 1
    assert "a demonstration (linreg): no contestants to compare" in capsys.readouterr().err


def test_runs_of_one_experiment_with_other_options_get_columns_named_by_them(small_runs, tmp_path, capsys):
    longer = tmp_path / "digits-longer"
    shutil.copytree(small_runs["digits"].folder, longer)
    metrics = json.loads((longer / "metrics.json").read_text())
    metrics["options"]["epochs"] = 3  # as if run with --epochs 3: not to be averaged with --epochs 2
    (longer / "metrics.json").write_text(json.dumps(metrics))
    assert main(["compare", _folder(small_runs, "digits"), str(longer), "--out", str(tmp_path / "c")]) == 0
    head = capsys.readouterr().out.splitlines()[0]
    assert "| digits (epochs 2) accuracy |" in head and "| digits (epochs 3) accuracy |" in head
