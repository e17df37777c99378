"""The report of a run, read as a browser reads it: the answer first, every picture embedded, the run's numbers."""

import shutil

import numpy as np
import pytest

from shootout.data import Splits, describe_test_split, load
from shootout.estimators import SoftmaxRegression
from shootout.experiments import rebuild_report
from shootout.experiments.pictures import GRID, draw_contestant, per_class_sample
from shootout.experiments.scoring import train_accuracy
from tests.pages import embedded_png, parse


@pytest.fixture(scope="module")
def digits(small_runs):
    run = small_runs["digits"]
    return run, parse(run.report.read_text())


def test_the_report_opens_with_table_then_accuracy_against_time_then_learning_curves(digits):
    run, page = digits
    order = page.order
    results = order.index("h2:Results")
    table = order.index("table", results)
    chart = next(i for i, item in enumerate(order) if "Test accuracy against training seconds" in item)
    curves = next(i for i, item in enumerate(order) if item.startswith("img:Learning curves"))
    contestants = order.index("h2:Contestants")
    assert results < table < chart < curves < contestants
    assert order[chart].startswith(f"img:Claim: {run.metrics['claim']}")  # the claim is the chart's caption
    first_details = order.index("details")
    assert first_details > contestants and order.count("details") == len(run.results)
    assert all("open" not in details for details in page.details)  # collapsed until clicked


def test_every_picture_is_an_embedded_png_and_each_file_is_shown(digits):
    run, page = digits
    shown = [embedded_png(image) for image in page.images]
    files = sorted((run.folder / "pictures").glob("*.png"))
    assert sorted(shown) == sorted(path.read_bytes() for path in files)


def test_the_results_table_holds_the_runs_numbers(digits):
    run, page = digits
    head, *rows = page.table_after("Results")
    assert head[:3] == ["model", "test accuracy", "target"] and "train accuracy" in head
    assert [row[0] for row in rows] == ["scratch-softmax", "ptlogreg"]
    for row, result in zip(rows, run.results, strict=True):
        cell = dict(zip(head, row, strict=True))
        assert cell["test accuracy"] == f"{result['test_accuracy']:.4f}"
        assert cell["train accuracy"] == f"{result['train_accuracy']:.4f}"
        assert cell["train seconds"] == f"{result['train_seconds']:.2f}"
        assert cell["params"] == f"{result['params']:,}" == "650"
        assert cell["epochs"] == "2"


def test_the_report_says_what_the_test_split_is(small_runs, digits):
    _, page = digits
    assert "a fixed stratified 20 % split of scikit-learn's digits" in page.text and "official" not in page.text
    gmm = parse(small_runs["gmm"].report.read_text())
    assert "fresh points drawn from the same mixture" in gmm.text and "official" not in gmm.text
    assert describe_test_split("mnist") == "the official test split (10,000 images)"


def test_the_sample_of_a_test_set_ordered_by_class_shows_every_class_seeded():
    labels = np.repeat(np.arange(10), 1000)  # ordered by class, as some CIFAR-10 copies are
    shown = per_class_sample(labels)
    assert len(shown) == GRID and len(set(shown)) == GRID
    assert list(labels[shown]) == list(range(10)) * (GRID // 10)  # round by round: a column per class
    assert list(shown) == list(per_class_sample(labels)) and list(shown) != list(per_class_sample(labels, seed=1))
    assert sorted(set(labels[per_class_sample(labels[:1500])])) == [0, 1]  # only the classes present


def test_the_prediction_grid_of_a_class_ordered_test_set_has_every_class(tmp_path):
    images, labels = load("digits", "test")
    order = np.argsort(labels, kind="stable")
    data = Splits(*load("digits", "train"), images[order], labels[order], tuple("0123456789"))
    model = SoftmaxRegression(epochs=1, scale=16.0).fit(data.train_x, data.train_y)
    proba = model.predict_proba(data.test_x)
    pictures = dict(
        draw_contestant(
            "m", model, data, proba, np.eye(10), lambda name: tmp_path / name, lambda name: tmp_path / f"{name}.npz"
        )
    )
    (caption,) = [c for c in pictures if "test images drawn at random" in c]
    shown = per_class_sample(data.test_y)
    wrong = int(np.sum(proba[shown].argmax(axis=1) != data.test_y[shown]))
    assert "3 of each class" in caption and f"({wrong} of {GRID} wrong, in red)" in caption
    assert pictures[caption].read_bytes().startswith(b"\x89PNG")


def test_train_accuracy_is_the_returned_weights_on_the_training_split_or_a_fixed_sample_of_it():
    images, labels = load("digits", "train")
    repeat = 20_001 // len(labels) + 1  # past the size where the last epoch's running accuracy used to stand in
    data = Splits(np.tile(images, (repeat, 1, 1, 1)), np.tile(labels, repeat), images[:10], labels[:10], ())
    model = SoftmaxRegression(batch_size=256, lr=0.5, epochs=1, scale=16.0).fit(data.train_x, data.train_y)
    measured, samples = train_accuracy(model, data)
    assert samples == 10_000
    assert measured == pytest.approx(np.mean(model.predict(data.train_x) == data.train_y), abs=0.01)
    assert measured != model.history_[-1]["train_accuracy"]  # not the running accuracy of the last epoch
    small = Splits(images, labels, images[:10], labels[:10], ())
    assert train_accuracy(model, small) == (pytest.approx(np.mean(model.predict(images) == labels)), len(labels))


def test_a_costly_contestant_is_scored_on_a_fixed_sample_of_its_own_size():
    images, labels = load("digits", "train")
    data = Splits(images, labels, images[:10], labels[:10], ())
    model = SoftmaxRegression(batch_size=256, lr=0.5, epochs=1, scale=16.0).fit(images, labels)
    model.scoring_samples = 300  # as SpeedrunCNN declares 1,000 for its class
    measured, samples = train_accuracy(model, data)
    assert samples == 300 and train_accuracy(model, data) == (measured, 300)  # the same seeded sample each time
    assert measured == pytest.approx(np.mean(model.predict(images) == labels), abs=0.1)


def test_rebuilding_the_report_of_an_older_run_draws_its_missing_chart(small_runs, tmp_path):
    older = tmp_path / "older"
    shutil.copytree(small_runs["digits"].folder, older)
    (older / "pictures" / "accuracy-vs-seconds.png").unlink()
    (older / "report.html").unlink()
    page = parse(rebuild_report(older).read_text())
    assert (older / "pictures" / "accuracy-vs-seconds.png").is_file()
    assert any("Test accuracy against training seconds" in image["alt"] for image in page.images)
