"""Experiments as data, the runner and its run folder, the report — on digits and tiny recipes."""

import base64
import json
import re

import numpy as np
import pytest

from shootout.cli import main
from shootout.data import DATASETS, SYNTHETIC
from shootout.estimators import SoftmaxRegression, TorchNet
from shootout.experiments import (
    EXPERIMENTS,
    Demonstration,
    Entry,
    Experiment,
    OptionsError,
    RunOptions,
    get_experiment,
    rebuild_report,
    run_experiment,
)
from shootout.svm import SVM
from shootout.train import DivergenceError, Recipe

TINY = Experiment(
    name="tiny-digits",
    dataset="digits",
    title="tiny",
    contestants=(
        Entry("softmax", SoftmaxRegression(batch_size=64, lr=0.5, epochs=3, scale=16.0), 0.5),
        Entry("logreg", TorchNet("logreg", recipe=Recipe(optimizer="adam", lr=0.01, epochs=2, device="cpu")), 0.99),
        Entry("svm", SVM(kernel="linear", scale=16.0)),
    ),
)
CONTRACT = {"model": str, "test_accuracy": float, "train_seconds": float, "epochs": int, "params": int}


def test_every_mission_experiment_is_defined_with_unique_contestants():
    assert set(EXPERIMENTS) == {
        "digits",
        "gmm",
        "mnist-linear",
        "fashion-linear",
        "fashion-softmax-scratch",
        "fashion-mlp",
        "mnist-lenet",
        "cifar-lenet",
        "mnist-shootout",
        "cifar-speedrun",
        "mnist-speedrun",
        "fashion-init",
        "gmm-depth",
        "gmm-lambda",
        "gmm-many",
        "cifar-fc",
        "filters",
        "linreg",
    }
    for experiment in EXPERIMENTS.values():
        if isinstance(experiment, Demonstration):
            assert callable(experiment.show)
            continue
        names = [e.name for e in experiment.contestants]
        assert len(names) == len(set(names)) and names
        assert experiment.dataset in set(DATASETS) | set(SYNTHETIC)


def test_mnist_shootout_covers_the_labs_list():
    shootout = EXPERIMENTS["mnist-shootout"]
    hidden = {e.estimator.hidden for e in shootout.contestants if isinstance(e.estimator, TorchNet)}
    assert {(), (100,), (100, 100), (100, 100, 100)} <= hidden
    recipes = [e.estimator.recipe for e in shootout.contestants if isinstance(e.estimator, TorchNet)]
    assert any(r.optimizer == "adam" and r.lr == 1e-4 and r.schedule == "none" for r in recipes)
    assert any(r.schedule == "exponential" and r.gamma == 1 - 1e-4 for r in recipes)
    assert all(r.early_stopping and r.validation_fraction == 0.2 for r in recipes)
    assert any(e.estimator.batchnorm for e in shootout.contestants if isinstance(e.estimator, TorchNet))
    assert len({r.l2 for r in recipes}) >= 3  # several regularization strengths for the weight images
    kernels = {e.estimator.kernel for e in shootout.contestants if isinstance(e.estimator, SVM)}
    assert kernels == {"linear", "rbf"}


def test_targets_follow_mission():
    targets = {(x.name, e.name): e.target for x in EXPERIMENTS.values() for e in getattr(x, "contestants", ())}
    assert targets[("mnist-linear", "linear")] == 0.918
    assert targets[("fashion-mlp", "mlp-tuned")] == 0.885
    assert targets[("cifar-lenet", "lenet-seed")] == targets[("cifar-lenet", "lenet-tuned")] == 0.60
    assert targets[("cifar-lenet", "lenet-fast")] == 0.60
    assert targets[("digits", "small-cnn")] == targets[("digits", "rbf-svm")] == 0.98


def test_the_fast_lenet_stops_at_a_validation_target_never_at_the_test_split():
    recipe = get_experiment("cifar-lenet").entry("lenet-fast").estimator.recipe
    assert recipe.stop_at is not None and recipe.stop_at > 0.60  # a margin over the test target
    assert recipe.validation_fraction == 0.1  # held out of the training split


def test_run_options_override_hyper_parameters_only_where_they_mean_something():
    options = RunOptions(epochs=7, seed=3, device="cpu", lr=0.5, batch_size=16, precision="bf16")
    torch_net = TINY.entry("logreg").estimator.with_overrides(**options.overrides())
    recipe = torch_net.recipe
    assert (recipe.epochs, recipe.seed, recipe.device, recipe.lr, recipe.batch_size) == (7, 3, "cpu", 0.5, 16)
    assert recipe.precision == "bf16"
    options = RunOptions(epochs=9, seed=4, lr=0.2, batch_size=8, device="cpu", precision="bf16")
    softmax = TINY.entry("softmax").estimator.with_overrides(**options.overrides())
    assert (softmax.epochs, softmax.seed, softmax.lr, softmax.batch_size) == (9, 4, 0.2, 8)
    svm = SVM(max_train=5000).with_overrides(**RunOptions(svm_samples=0).overrides())
    assert svm.max_train is None
    assert SVM(max_train=5000).with_overrides(**RunOptions(epochs=3).overrides()).max_train == 5000
    assert TINY.entry("logreg").estimator.recipe.epochs == 2  # the catalog entry is untouched


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"epochs": 0}, "--epochs: must be an integer >= 1, got 0"),
        ({"batch_size": 2.5}, "--batch-size: must be an integer >= 1, got 2.5"),
        ({"svm_samples": -1}, "--svm-samples: must be an integer >= 0, got -1"),
        ({"lr": float("inf")}, "--lr: must be a positive number, got inf"),
        ({"device": "tpu"}, "--device: invalid choice: 'tpu'"),
        ({"precision": "fp16"}, "--precision: invalid choice: 'fp16'"),
        ({"seed": "3"}, "--seed: must be an integer"),
    ],
)
def test_run_options_refuse_bad_values_naming_the_option(fields, message):
    with pytest.raises(OptionsError, match=re.escape(message)):
        RunOptions(**fields)


def test_run_options_survive_a_round_trip_through_plain_data(tmp_path):
    options = RunOptions(epochs=3, seed=1, data_dir=str(tmp_path), verify=False, only=("a", "b"))
    assert RunOptions.from_dict(json.loads(json.dumps(options.to_dict()))) == options
    with pytest.raises(OptionsError, match="unknown run option"):
        RunOptions.from_dict({"epochs": 3, "colour": "red"})


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "tiny"
    return run_experiment(TINY, out=out, log=None, progress=False)


def test_run_folder_has_the_contract_files(tiny_run):
    assert tiny_run.is_dir() and not tiny_run.with_name("tiny.partial").exists()
    names = {p.name for p in tiny_run.iterdir()}
    assert {"metrics.json", "history.csv", "report.html", "pictures", "checkpoints", "run.json"} <= names
    started = json.loads((tiny_run / "run.json").read_text())
    assert started["experiment"] == "tiny-digits" and RunOptions.from_dict(started["options"]) == RunOptions()
    assert (tiny_run / "checkpoints" / "logreg.pt").is_file()


def test_metrics_json_follows_the_contract(tiny_run):
    metrics = json.loads((tiny_run / "metrics.json").read_text())
    assert metrics["experiment"] == "tiny-digits" and metrics["dataset"] == "digits"
    assert [r["model"] for r in metrics["results"]] == ["softmax", "logreg", "svm"]
    for result in metrics["results"]:
        for key, kind in CONTRACT.items():
            assert isinstance(result[key], kind), (key, result[key])
        assert 0.0 <= result["test_accuracy"] <= 1.0
    assert {"torch", "numpy", "device", "torch_threads", "seed"} <= set(metrics["environment"])
    by_model = {r["model"]: r for r in metrics["results"]}
    assert by_model["softmax"]["met"] is True and by_model["logreg"]["met"] is False  # 0.99 is out of reach
    assert by_model["logreg"]["epochs"] == 2 and by_model["softmax"]["params"] == 650
    assert by_model["svm"]["train_samples"] == 1437


def test_history_csv_has_a_row_per_epoch_of_each_contestant(tiny_run):
    lines = (tiny_run / "history.csv").read_text().splitlines()
    assert lines[0].startswith("model,epoch,train_loss")
    assert [line.split(",")[0] for line in lines[1:]] == ["softmax"] * 3 + ["logreg"] * 2


def test_pictures_exist_for_each_kind_and_are_png(tiny_run):
    pictures = {p.name for p in (tiny_run / "pictures").iterdir()}
    for name in ("softmax", "logreg", "svm"):
        assert {f"{name}-confusion.png", f"{name}-predictions.png", f"{name}-largest-loss.png"} <= pictures
    assert {"softmax-weights.png", "logreg-weights.png", "learning-curves.png"} <= pictures
    assert "svm-weights.png" not in pictures
    assert (tiny_run / "pictures" / "learning-curves.png").read_bytes().startswith(b"\x89PNG")


def test_report_is_self_contained_with_every_picture_embedded(tiny_run):
    html = (tiny_run / "report.html").read_text()
    embedded = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert len(embedded) == len(list((tiny_run / "pictures").iterdir()))
    assert all(base64.b64decode(e).startswith(b"\x89PNG") for e in embedded)
    assert 'src="http' not in html and "<table>" in html and "Environment" in html and "recipe" in html


def test_report_can_be_rebuilt(tiny_run):
    (tiny_run / "report.html").unlink()
    assert rebuild_report(tiny_run) == tiny_run / "report.html"
    assert main(["report", str(tiny_run)]) == 0


def test_existing_non_empty_out_folder_is_refused(tiny_run):
    with pytest.raises(RuntimeError, match="already exists and is not empty"):
        run_experiment(TINY, out=tiny_run, log=None)


def test_a_failing_run_leaves_only_a_partial_folder_with_the_reason(tmp_path):
    broken = Experiment(
        "broken",
        "digits",
        "diverges",
        (
            Entry("fine", SoftmaxRegression(epochs=1, scale=16.0)),
            Entry("diverges", TorchNet("deep", hidden=(32,), recipe=Recipe(lr=1e20, epochs=2, device="cpu"))),
        ),
    )
    with pytest.raises(DivergenceError, match="at epoch 1, step"):
        run_experiment(broken, out=tmp_path / "run", log=None, progress=False)
    assert not (tmp_path / "run").exists()
    failure = json.loads((tmp_path / "run.partial" / "failure.json").read_text())
    assert failure["error"] == "DivergenceError" and "learning rate" in failure["message"]
    assert (tmp_path / "run.partial" / "results" / "fine.json").is_file()


def test_resume_skips_finished_contestants_and_completes_the_folder(tmp_path):
    broken = Experiment(
        "resumable",
        "digits",
        "x",
        (
            Entry("fine", SoftmaxRegression(epochs=1, scale=16.0)),
            Entry("net", TorchNet("deep", hidden=(32,), recipe=Recipe(lr=1e20, epochs=1, device="cpu"))),
        ),
    )
    with pytest.raises(DivergenceError):
        run_experiment(broken, out=tmp_path / "run", log=None, progress=False)
    first = json.loads((tmp_path / "run.partial" / "results" / "fine.json").read_text())
    fixed = Experiment(
        "resumable",
        "digits",
        "x",
        (broken.contestants[0], Entry("net", TorchNet("logreg", recipe=Recipe(lr=0.01, epochs=1, device="cpu")))),
    )
    lines = []
    folder = run_experiment(fixed, resume=tmp_path / "run.partial", log=lines.append, progress=False)
    assert folder == tmp_path / "run" and not (tmp_path / "run.partial").exists()
    metrics = json.loads((folder / "metrics.json").read_text())
    assert metrics["results"][0] == first  # not trained again
    assert "fine: already done in the resumed run" in lines


def test_gmm_experiment_draws_surfaces_with_support_vectors(tmp_path):
    only = RunOptions(only=("scratch-logreg", "rbf-svm"))
    folder = run_experiment("gmm", only, out=tmp_path / "gmm", log=None)
    metrics = json.loads((folder / "metrics.json").read_text())
    for result in metrics["results"]:
        assert result["train_accuracy"] is not None and result["train_accuracy"] > 0.8
    assert {"scratch-logreg-surface.png", "rbf-svm-surface.png"} <= {p.name for p in (folder / "pictures").iterdir()}


def test_unknown_contestant_is_named(tmp_path):
    with pytest.raises(OptionsError, match="unknown contestant\\(s\\) nope"):
        run_experiment("digits", RunOptions(only=("nope",)), out=tmp_path / "x", log=None)


def test_digits_reaches_mission_numbers_through_the_cli(tmp_path, capsys):
    assert main(["run", "digits", "--out", str(tmp_path / "digits")]) == 0
    out = capsys.readouterr().out
    assert "report: " in out and "NO" not in out
    metrics = json.loads((tmp_path / "digits" / "metrics.json").read_text())
    accuracy = {r["model"]: r["test_accuracy"] for r in metrics["results"]}
    assert min(accuracy.values()) >= 0.95
    assert accuracy["small-cnn"] >= 0.98 and accuracy["rbf-svm"] >= 0.98
    assert np.all([r["met"] for r in metrics["results"]])


def test_a_seed_recipe_records_test_accuracy_per_epoch_without_it_changing_anything(tmp_path):
    watched = Experiment(
        "watched",
        "digits",
        "x",
        (
            Entry("net", TorchNet("logreg", recipe=Recipe(lr=0.05, epochs=3, device="cpu")), watch_test=True),
            Entry("numpy", SoftmaxRegression(epochs=3, scale=16.0), watch_test=True),
        ),
    )
    plain = Experiment("plain", "digits", "x", tuple(Entry(e.name, e.estimator) for e in watched.contestants))
    with_test = json.loads((run_experiment(watched, out=tmp_path / "a", log=None) / "metrics.json").read_text())
    without = json.loads((run_experiment(plain, out=tmp_path / "b", log=None) / "metrics.json").read_text())
    for a, b in zip(with_test["results"], without["results"], strict=True):
        assert [row["test_accuracy"] for row in a["history"]][-1] == pytest.approx(a["test_accuracy"])
        assert "test_accuracy" not in b["history"][0]
        assert [row["train_loss"] for row in a["history"]] == [row["train_loss"] for row in b["history"]]
        assert a["test_accuracy"] == b["test_accuracy"]
    assert "test_accuracy" in (tmp_path / "a" / "history.csv").read_text().splitlines()[0]


def test_the_untrained_model_reports_its_loss_and_accuracy(tiny_run):
    metrics = json.loads((tiny_run / "metrics.json").read_text())
    softmax, logreg, svm = metrics["results"]
    for result in (softmax, logreg):
        assert result["initial_loss"] == pytest.approx(np.log(10), rel=0.2)
        assert 0.0 <= result["initial_accuracy"] <= 0.3  # about 1/10 before any training
    assert "initial_loss" not in svm  # a closed-form fit has no untrained state


def test_a_contestant_that_never_saw_a_class_is_scored_over_all_the_datasets_classes():
    from shootout.data import Splits
    from shootout.experiments.scoring import in_dataset_classes

    data = Splits(np.zeros((4, 2)), np.array([0, 2, 0, 2]), np.zeros((3, 2)), np.array([0, 1, 2]), ("a", "b", "c"))
    proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.3, 0.7]])  # columns: the classes it saw, 0 and 2
    full, labels = in_dataset_classes(proba, np.array([0, 2]), data)
    np.testing.assert_array_equal(full, [[0.9, 0.0, 0.1], [0.2, 0.0, 0.8], [0.3, 0.0, 0.7]])
    assert labels.tolist() == [0, 1, 2] and (full.argmax(axis=1) == labels).sum() == 2  # class 1 can only be wrong
