"""The benchmark scripts' own logic: fair alternatives, verdicts, candidates derived from the catalog."""

import itertools
import json

import numpy as np
import pytest
import torch

from benchmarks import rows as rows_module
from benchmarks import speedrun as speedrun_bench
from benchmarks.ablations import REGISTRY
from benchmarks.ablations import __main__ as ablations_cli
from benchmarks.ablations.common import catalog
from benchmarks.ablations.data_path import FloatSet, PerSampleSet
from benchmarks.ablations.measure import markdown, measure
from benchmarks.ablations.registry import Ablation, Registry
from benchmarks.tune import CANDIDATES, LINEAR, _variant
from shootout.data import Batches
from shootout.experiments import get_experiment
from tests.fakes import cifar_archive, tiny_cifar


def _images(n=20, side=4, channels=3):
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(n, side, side, channels), dtype=np.uint8), rng.integers(0, 10, n)


def test_the_per_sample_dataset_gives_what_the_whole_tensor_batches_give():
    images, labels = _images()
    mean, std = torch.tensor([10.0, 20.0, 30.0]), torch.tensor([2.0, 3.0, 4.0])
    per_sample = PerSampleSet(images, labels, mean, std)
    ((x, y),) = Batches(images, labels, None, shuffle=False, mean=mean.tolist(), std=std.tolist(), layout="flat")
    for i in (0, 7, 19):
        sample, label = per_sample[i]
        np.testing.assert_allclose(sample.numpy(), x[i], rtol=1e-6)
        assert int(label) == y[i]


def test_the_float_set_gives_what_the_per_batch_normalization_gives():
    images, labels = _images()
    mean, std = torch.tensor([10.0, 20.0, 30.0]), torch.tensor([2.0, 3.0, 4.0])
    floats = FloatSet(images, labels, 8, mean, std)
    assert floats.x.dtype == torch.float32 and floats.x.nbytes == 4 * images.nbytes
    per_batch = Batches(
        torch.from_numpy(images), torch.from_numpy(labels), 8, mean=mean.tolist(), std=std.tolist(), layout="nchw"
    )  # seed 0, epoch 0: the same order as the float set's
    for (xf, yf), (xb, yb) in zip(floats, per_batch, strict=True):
        torch.testing.assert_close(xf, xb)
        assert torch.equal(yf, yb)


def _ablation(before, after):
    """An ablation whose variants take the given seconds: constants, or one value per run from a list."""
    runs = {False: itertools.cycle(np.atleast_1d(before)), True: itertools.cycle(np.atleast_1d(after))}
    return Ablation("k", "the code", "the other", "w", lambda data, is_after: {"seconds": float(next(runs[is_after]))})


@pytest.mark.parametrize(
    ("before", "after", "verdict"),
    [
        (2.0, 1.0, "kept: faster"),
        (1.02, 1.0, "kept: no slower"),
        (0.97, 1.0, "kept: no slower"),
        (1.0, 2.0, "check: slower than the alternative"),
    ],
)
def test_the_verdict_says_whether_the_codes_way_measured_faster(before, after, verdict):
    row = measure(_ablation(before, after), data=None, repeats=3)
    assert row["verdict"] == verdict
    assert row["speedup"] == pytest.approx(before / after)
    assert row["before_seconds"] == before and row["after_seconds"] == after
    assert "in_code" not in row and row["against"] == "the other"


def test_a_row_against_a_bare_loop_states_the_codes_fixed_cost():
    bare = _ablation(1.0, 1.3)
    row = measure(Ablation(**{**bare.__dict__, "overhead": True}), data=None, repeats=3)
    assert row["verdict"] == "fixed cost: ×1.30 the bare loop's time"


def test_the_trainers_fixed_cost_is_measured_on_the_labs_full_batch_workload():
    row = REGISTRY["trainer-per-epoch"]
    assert row.overhead and "full-batch" in row.workload
    assert catalog("gmm", "ptdeep-2-10-10-2").recipe.batch_size is None


def test_the_speedup_is_the_median_of_the_per_repeat_ratios_with_their_range():
    row = measure(_ablation([2.0, 3.0, 8.0], [1.0, 3.0, 2.0]), data=None, repeats=3)  # ratios 2, 1, 4
    assert row["ratios"] == [2.0, 1.0, 4.0]
    assert (row["speedup"], row["speedup_min"], row["speedup_max"]) == (2.0, 1.0, 4.0)
    assert (row["before_seconds"], row["after_seconds"]) == (3.0, 2.0)  # medians of each variant
    assert "×2.00 (1.00–4.00)" in markdown([row])


def test_the_variants_alternate_which_runs_first():
    calls = []
    ablation = Ablation("k", "c", "a", "w", lambda data, after: calls.append(after) or {"seconds": 1.0})
    measure(ablation, data=None, repeats=4)
    assert calls == [True, False, False, True, True, False, False, True]


def test_the_markdown_table_has_one_line_per_ablation():
    rows = [measure(_ablation(2.0, 1.0), None, 1), measure(_ablation(1.0, 1.0), None, 1)]
    lines = markdown(rows).splitlines()
    assert len(lines) == 4 and "| ×2.00 |" in lines[2] and "| ×1.00 |" in lines[3]


def test_a_workload_declares_its_ablation_where_it_is_defined():
    registry = Registry()

    @registry.ablation(key="k", change="the code", against="the other", workload="w", needs_cifar=True)
    def workload(data, after):
        return {"seconds": 1.0}

    assert registry.keys() == ["k"]
    assert registry["k"] == Ablation("k", "the code", "the other", "w", workload, needs_cifar=True)
    with pytest.raises(ValueError, match="two ablations are called 'k'"):
        registry.ablation(key="k", change="", against="", workload="")(workload)


def test_every_speed_change_is_registered_once_in_the_tables_order():
    assert REGISTRY.keys() == [
        "uint8-batches",
        "per-batch-normalization",
        "fused-normalize",
        "index-select",
        "out-major-weights",
        "default-optimizer",
        "no-host-sync",
        "inference-mode-eval",
        "torch-threads",
        "trainer-per-epoch",
        "checkpoint-every-epoch",
        "numpy-threads",
        "fused-numpy-loop",
        "record-gather",
        "fcann2-workspace",
        "eigh-nystroem",
        "contiguous-weights",
        "no-torch-compile",
        "no-torch-compile-warm",
        "lenet-batch-128",
        "fp32-on-cpu",
        "folded-batch-norms",
        "keep-freed-memory",
    ]
    for ablation in REGISTRY:
        assert ablation.change and ablation.against and ablation.workload
        assert ablation.needs_cifar == ("CIFAR" in ablation.workload)


def test_alternatives_are_recipe_fields_of_a_fresh_copy_of_the_catalog_contestant():
    estimator = catalog("mnist-linear", "linear", epochs=1, sync_every=1, fused_optimizer=True)
    assert (estimator.recipe.epochs, estimator.recipe.sync_every, estimator.recipe.fused_optimizer) == (1, 1, True)
    original = get_experiment("mnist-linear").entry("linear").estimator
    assert original.recipe.sync_every == 50 and original.recipe.fused_optimizer is False
    assert original.recipe.with_(epochs=1, sync_every=1, fused_optimizer=True) == estimator.recipe


def test_the_command_line_measures_the_chosen_ablations_and_writes_json(tmp_path, monkeypatch, capsys):
    registry = Registry()
    registry.ablation(key="fast", change="c", against="a", workload="w")(lambda data, after: {"seconds": 3 - 2 * after})
    registry.ablation(key="other", change="c", against="a", workload="w")(lambda data, after: pytest.fail("not chosen"))
    monkeypatch.setattr(ablations_cli, "REGISTRY", registry)
    monkeypatch.setattr(ablations_cli.Data, "load", classmethod(lambda cls, cifar_dir, with_cifar: None))
    ablations_cli.main(["--only", "fast", "--repeats", "2", "--json", str(tmp_path / "a.json")])
    result = json.loads((tmp_path / "a.json").read_text())
    (row,) = result["rows"]
    assert row["key"] == "fast" and row["speedup"] == 3.0 and row["verdict"] == "kept: faster"
    assert "| ×3.00 (3.00–3.00) |" in capsys.readouterr().out


def test_tuning_candidates_include_the_catalog_choice_itself_and_variants_of_it():
    chosen = get_experiment("mnist-linear").entry("linear-tuned").estimator
    assert any(candidate is chosen for candidate in CANDIDATES[("mnist", "linear-tuned")])
    variant = _variant(LINEAR, lr=0.05, width=8)
    assert variant.recipe.lr == 0.05 and variant.width == 8
    assert variant.recipe.with_(lr=chosen.recipe.lr) == chosen.recipe  # nothing else changed
    assert chosen.recipe.lr == 0.1  # the catalog's estimator is untouched


def test_the_scaling_table_compares_each_contestant_with_its_one_process_time():
    from benchmarks.scaling import markdown_table, rows_of

    def run(nproc, seconds, world):
        results = [
            {"model": "net", "train_seconds": seconds, "test_accuracy": 0.9, "epochs": 2, "recipe": {"recipe": {}}},
            {
                "model": "svm",
                "train_seconds": 0.5,
                "test_accuracy": 0.95,
                "epochs": 1,
                "recipe": {},
                "train_samples": 80,
            },
        ]
        results[0]["world_size"] = world
        env = {"torch_threads": 2 // nproc}
        return {"results": results, "train_samples": 100, "wall_seconds": 9.0, "environment": env}

    rows = rows_of([(1, run(1, 4.0, 1)), (2, run(2, 2.0, 2))])
    two = {r["contestant"]: r for r in rows if r["processes"] == 2}
    assert two["net"]["speedup"] == 2.0 and two["net"]["samples_per_second"] == 100.0  # 200 samples in 2 s
    assert two["svm"]["samples_per_second"] == 160.0 and two["svm"]["trained_by"] == 1
    table = markdown_table(rows)
    assert "| net | 2 × 1 | 2 process(es) | 2.00 | 2.00 |" in table and "| svm | 2 × 1 | rank 0 |" in table


def _aggregated(experiment, contestant, accuracy, seconds):
    return {
        "experiment": experiment,
        "contestant": contestant,
        "accuracy_mean": accuracy,
        "seconds_mean": seconds,
        "seconds_std": 0.1,
    }


def test_a_rows_time_is_the_fastest_contestant_that_reaches_its_target():
    measured = [
        _aggregated("mnist-linear", "linear-tuned", 0.9195, 0.3),  # faster, but short of 0.92
        _aggregated("mnist-linear", "linear", 0.9230, 2.4),
    ]
    row = next(r for r in rows_module.time_to_target(measured) if r["row"].startswith("MNIST linear"))
    assert row["contestant"] == "mnist-linear / linear" and row["seconds_mean"] == 2.4 and row["met"] is False
    table = rows_module.markdown_table([row], None, {"mnist-linear": 4.8})
    assert "| 4.80 | 2.0× |" in table


def test_a_row_no_contestant_reached_says_so():
    rows = rows_module.time_to_target([_aggregated("mnist-linear", "linear", 0.5, 1.0)])
    row = next(r for r in rows if r["row"].startswith("MNIST linear"))
    assert row["contestant"] is None and row["met"] is None
    assert "none reached it" in rows_module.markdown_table([row], None, {})


def test_every_rows_contestant_is_in_the_catalog():
    for experiment, names in rows_module.contestants_by_experiment().items():
        for name in names:
            assert get_experiment(experiment).entry(name).target is not None


@pytest.fixture
def tiny_cifar_dir(tmp_path):
    """A folder holding a CIFAR-10 archive of 40 training images (4 of each class) and 12 test images."""
    splits = tiny_cifar(seed=3, train_per_batch=8, test=12)
    splits["train"] = (splits["train"][0], np.arange(40) % 10)
    (tmp_path / "cifar-10-binary.tar.gz").write_bytes(cifar_archive(splits))
    return tmp_path


def test_the_speedrun_benchmark_times_seeds_after_an_uncounted_warm_up_and_names_the_data_copy(
    tiny_cifar_dir, tmp_path, capsys
):
    data = ["--data-dir", str(tiny_cifar_dir), "--no-verify", "--train-samples", "20"]
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        result = speedrun_bench.main(
            ["--device", "cpu", *data, "--epochs", "1", "--seeds", "2", "--json", str(tmp_path / "speedrun.json")]
        )
    finally:
        torch.set_num_threads(threads)
    assert json.loads((tmp_path / "speedrun.json").read_text()) == json.loads(json.dumps(result))
    assert [run["seed"] for run in result["runs"]] == [0, 1] and result["warm_up"]["seed"] == 2  # not counted
    assert result["train_samples"] == 20 and result["test_samples"] == 12
    for run in result["runs"]:
        assert run["fit"]["device"] == "cpu" and run["fit"]["tta"] == 0 and run["fit"]["precision"] == "fp32"
        assert 0 <= run["accuracy"] <= 1 and run["train_seconds"] > 0 and run["eval_seconds"] > 0
        assert run["total_seconds"] == pytest.approx(run["train_seconds"] + run["eval_seconds"])
    accuracies = [run["accuracy"] for run in result["runs"]]
    assert result["summary"]["accuracy"]["mean"] == pytest.approx(np.mean(accuracies))
    assert result["summary"]["accuracy"]["std"] == pytest.approx(np.std(accuracies, ddof=1))
    assert result["device"]["device"] == "cpu" and result["device"]["torch"] == torch.__version__
    assert result["data"]["published"] is False and result["data"]["checksum_warnings"]  # a home-made archive
    out = capsys.readouterr().out
    assert "CPU:" in out and "a copy whose checksums differ" in out and "not counted" in out
    assert "| cifar-speedrun | 2 |" in out and " ± " in out


def test_the_jpeg_derived_cifar_copy_is_named_and_a_gpu_header_gives_driver_and_versions():
    jpeg = next(iter(speedrun_bench.KNOWN_COPIES))
    copy = {"dataset": "cifar-10", "published": False, "files": [{"file": "x.tar.gz", "sha256": jpeg, "known_as":
            speedrun_bench.KNOWN_COPIES[jpeg]}]}  # fmt: skip
    assert "JPEG-derived CIFAR-10 copy" in speedrun_bench.describe_copy(copy)
    gpu = {"device": "cuda", "gpu": "NVIDIA H100", "gpu_memory_gb": 79.1, "driver": None, "torch": "2.13.0"}
    text = speedrun_bench.header({**gpu, "cuda": "12.8", "cudnn": 91000}, copy, (50_000, 10_000))
    assert "GPU: NVIDIA H100" in text and "driver unknown (no nvidia-smi)" in text and "CUDA 12.8, cuDNN 91000" in text
    assert "50,000 training and 10,000 test images" in text and "CUDA events" in text


def test_only_keeps_the_named_contestants_and_drops_experiments_left_without_any():
    from benchmarks.__main__ import _keep_only

    only, experiments = _keep_only(["fashion-mlp", "mnist-linear"], {}, ["mlp-to-0.85", "no-such-contestant"])
    assert (only, experiments) == ({"fashion-mlp": ["mlp-to-0.85"]}, ["fashion-mlp"])
    # with --rows, only the rows' contestants are candidates: the seed recipe of mnist-linear is not among them
    rows = {"mnist-linear": ["linear-tuned"]}
    assert _keep_only(["mnist-linear"], rows, ["linear", "linear-tuned"]) == (
        {"mnist-linear": ["linear-tuned"]},
        ["mnist-linear"],
    )
