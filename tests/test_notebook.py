"""The notebook API: ``shootout.run`` and ``shootout.compare`` return objects that a notebook shows inline."""

import subprocess
import sys

import pytest

import shootout
from shootout.experiments import OptionsError
from tests.pages import embedded_png, parse


def _framed(html: str):
    """The page inside the one frame a notebook cell shows (the parser has already unescaped srcdoc)."""
    (frame,) = parse(html).frames
    return parse(frame["srcdoc"])


def test_a_run_shows_its_report_inline(small_runs):
    run = small_runs["digits"]
    assert run.folder.is_dir() and run.metrics["experiment"] == "digits"
    assert [r["model"] for r in run.results] == ["scratch-softmax", "ptlogreg"]
    page = _framed(run._repr_html_())
    assert page.headings[0] == "digits"
    assert len(page.images) == len(list((run.folder / "pictures").glob("*.png")))
    for image in page.images:
        embedded_png(image)
    head, *rows = page.table_after("Results")
    assert [row[head.index("test accuracy")] for row in rows] == [f"{r['test_accuracy']:.4f}" for r in run.results]
    assert "run folder: " in str(run) and "scratch-softmax" in str(run)


def test_a_comparison_shows_its_table_inline(small_runs, tmp_path):
    shown = shootout.compare(small_runs["digits"], small_runs["digits-seed-1"].folder, out=tmp_path / "cmp")
    assert shown.paths["compare.html"] == tmp_path / "cmp" / "compare.html"
    page = _framed(shown._repr_html_())
    (image,) = page.images
    assert embedded_png(image) == (tmp_path / "cmp" / "compare.png").read_bytes()
    top, subheads, *rows = page.tables[0]
    assert top == ["contestant", "digits"] and subheads == ["test accuracy", "train seconds", "params"]
    assert [row[0] for row in rows] == ["scratch-softmax", "ptlogreg"]
    assert all(" ± " in row[1] for row in rows)  # two seeds: mean ± std
    assert str(shown).startswith("| contestant | digits accuracy |")


def test_a_bad_option_is_refused_as_the_command_refuses_it(tmp_path):
    with pytest.raises(OptionsError, match="--epochs"):
        shootout.run("digits", epochs=0, out=tmp_path / "x", log=None)
    assert not (tmp_path / "x").exists()


def test_import_shootout_loads_no_heavy_library():
    code = "import sys, shootout; print(sorted({'torch', 'numpy', 'matplotlib', 'sklearn'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
