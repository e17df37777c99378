"""Resuming a run: the options it was started with come back from run.json; weight-changing ones stay fixed."""

import json

import pytest

from shootout.cli import main
from shootout.experiments import OptionsError, RunOptions, resume_experiment, run_experiment
from shootout.experiments.rundir import RunFolderError, read_run_record
from tests.cli_calls import usage_error

QUICK_GMM = RunOptions(seed=3, only=("scratch-logreg", "rbf-svm"))


def _interrupted(tmp_path, options=QUICK_GMM, experiment="gmm"):
    """A run folder as a killed run leaves it: run.json written, nothing completed."""
    work = tmp_path / "run.partial"
    work.mkdir()
    record = {"experiment": experiment, "options": options.to_dict(), "resumes": []}
    (work / "run.json").write_text(json.dumps(record))
    return work


def test_a_run_records_how_it_was_started_in_run_json(tmp_path):
    folder = run_experiment("gmm", QUICK_GMM, out=tmp_path / "run", log=None, progress=False)
    record = json.loads((folder / "run.json").read_text())
    assert record["experiment"] == "gmm"
    assert RunOptions.from_dict(record["options"]) == QUICK_GMM
    assert {"python", "numpy", "torch", "scikit-learn", "shootout"} <= set(record["environment"])
    assert record["resumes"] == []
    metrics = json.loads((folder / "metrics.json").read_text())
    assert metrics["resumed"] is False and metrics["options"] == QUICK_GMM.to_dict()


def test_resume_restores_the_recorded_options_and_says_it_resumed(tmp_path):
    work = _interrupted(tmp_path)
    folder = resume_experiment(work, log=None, progress=False)
    metrics = json.loads((folder / "metrics.json").read_text())
    assert metrics["resumed"] is True
    assert metrics["environment"]["seed"] == 3  # the recorded --seed, not the default 0
    assert [r["model"] for r in metrics["results"]] == ["scratch-logreg", "rbf-svm"]  # the recorded --only
    record = json.loads((folder / "run.json").read_text())
    assert len(record["resumes"]) == 1 and record["resumes"][0]["options"] == QUICK_GMM.to_dict()


def test_a_resumed_run_equals_an_uninterrupted_one(tmp_path):
    reference = run_experiment("gmm", QUICK_GMM, out=tmp_path / "reference", log=None, progress=False)
    resumed = resume_experiment(_interrupted(tmp_path), log=None, progress=False)

    def comparable(folder):
        results = json.loads((folder / "metrics.json").read_text())["results"]
        return [{k: v for k, v in r.items() if not k.endswith("seconds")} for r in results]

    assert comparable(resumed) == comparable(reference)


@pytest.mark.parametrize(
    ("given", "named"),
    [({"seed": 4}, "--seed 4 (the run has 3)"), ({"lr": 0.5}, "--lr 0.5 (the run has each recipe's own)")],
)
def test_an_option_that_changes_the_weights_is_refused_on_resume_naming_it(given, named):
    with pytest.raises(OptionsError, match="cannot resume with") as caught:
        QUICK_GMM.resumed_with(**given)
    assert named in str(caught.value)


def test_options_that_keep_the_weights_are_taken_on_resume():
    resumed = QUICK_GMM.resumed_with(epochs=9, device="cpu", seed=3, only=["rbf-svm"])
    assert (resumed.epochs, resumed.device, resumed.seed, resumed.only) == (9, "cpu", 3, ("rbf-svm",))


def test_the_experiment_name_given_with_resume_must_match_the_folder(tmp_path):
    with pytest.raises(OptionsError, match="holds a run of gmm, not of digits"):
        resume_experiment(_interrupted(tmp_path), "digits", log=None)


def test_a_folder_without_run_json_cannot_be_resumed(tmp_path):
    (tmp_path / "old.partial").mkdir()
    with pytest.raises(RunFolderError, match="run.json is missing"):
        read_run_record(tmp_path / "old")


def test_a_completed_run_is_named_as_such_when_resumed(tmp_path):
    (tmp_path / "done").mkdir()
    with pytest.raises(RunFolderError, match="is a completed run"):
        read_run_record(tmp_path / "done")


def test_the_cli_refuses_a_changed_seed_on_resume_with_one_line(tmp_path, capsys):
    work = _interrupted(tmp_path)
    line = usage_error(["run", "--resume", str(work), "--seed", "4"], capsys)
    assert "cannot resume with --seed 4 (the run has 3)" in line


def test_the_cli_refuses_another_experiment_name_or_out_on_resume(tmp_path, capsys):
    work = _interrupted(tmp_path)
    assert "not of digits" in usage_error(["run", "digits", "--resume", str(work)], capsys)
    assert "--out cannot be given" in usage_error(["run", "--resume", str(work), "--out", "x"], capsys)


def test_the_cli_needs_an_experiment_or_resume(capsys):
    assert "name an experiment" in usage_error(["run"], capsys)


def test_the_cli_resumes_with_the_folder_alone(tmp_path, capsys):
    work = _interrupted(tmp_path)
    assert main(["run", "--resume", str(work)]) == 0
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["resumed"] is True and metrics["options"]["seed"] == 3
    assert "resuming gmm in" in capsys.readouterr().err
