"""The trainer on tiny generated images: recipes, determinism, resume, early stopping, divergence."""

import subprocess
import sys

import numpy as np
import pytest
import torch

from shootout.data.batches import Batches
from shootout.nets import LeNet, PTDeep, PTLogreg
from shootout.train import (
    CheckpointError,
    DivergenceError,
    Recipe,
    RecipeError,
    evaluate,
    fit,
    learning_rate,
    load_checkpoint,
    predict_proba,
    resolve_device,
    save_checkpoint,
    split_validation,
)
from shootout.train import trainer as trainer_module
from shootout.train.evaluate import eval_batch_size


def blobs(n=240, side=4, classes=3, seed=0):
    """uint8 images whose class decides which quarter of the image is bright."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, classes, n)
    images = rng.integers(0, 60, size=(n, side, side, 1))
    for c in range(classes):
        images[labels == c, c % side, :, 0] += 150
    return images.astype(np.uint8), labels


def quiet(**kwargs):
    return dict(log=None, progress=False, **kwargs)


def _model(seed=0, config=(16, 12, 3), **kwargs):
    torch.manual_seed(seed)
    return PTDeep(list(config), **kwargs)


def _weights(model):
    return {k: v.clone() for k, v in model.state_dict().items()}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (dict(lr=0.0), "lr=0.0 is invalid"),
        (dict(lr=-1.0), "lr=-1.0 is invalid"),
        (dict(batch_size=0), "batch_size=0 is invalid"),
        (dict(optimizer="rmsprop"), "optimizer='rmsprop' is invalid; use one of sgd, sgd\\+momentum, adam"),
        (dict(schedule="step"), "schedule='step' is invalid"),
        (dict(epochs=-1), "epochs=-1 is invalid"),
        (dict(device="tpu"), "device='tpu' is invalid"),
        (dict(early_stopping=True, val_fraction=0.0), "early stopping needs a validation split"),
        (dict(precision="fp16"), "precision='fp16' is invalid; use one of fp32, bf16, auto"),
        (dict(eval_batch_size=0), "eval_batch_size=0 is invalid"),
        (dict(sync_every=0), "sync_every=0 is invalid"),
        (dict(stop_at=1.5), "stop_at=1.5 is invalid"),
        (dict(stop_at=0.9, val_fraction=0.0), "stopping at a validation accuracy needs a validation split"),
        (dict(label_smoothing=1.0), "label_smoothing=1.0 is invalid"),
        (dict(val_every=10), "val_every=10 is invalid; .* only with stop_at"),
    ],
)
def test_bad_recipes_fail_with_one_clear_message(changes, message):
    with pytest.raises(RecipeError, match=message):
        Recipe(**changes)


def test_input_dimension_that_does_not_match_the_data_fails_before_training():
    images, labels = blobs()
    model = PTDeep([10, 3])
    with pytest.raises(RecipeError, match="PTDeep expects inputs of dimension 10, but the data give 16"):
        fit(model, images, labels, Recipe(epochs=1), **quiet())


def test_cnn_on_images_too_small_fails_before_training():
    images, labels = blobs(side=4)
    with pytest.raises(RecipeError, match="LeNet cannot take inputs of shape"):
        fit(LeNet(1, 3, 28), images, labels, Recipe(epochs=1, layout="nchw"), **quiet())


def test_too_few_outputs_for_the_labels_fail_before_training():
    images, labels = blobs(classes=3)
    with pytest.raises(RecipeError, match="need 3 classes"):
        fit(PTDeep([16, 2]), images, labels, Recipe(epochs=1), **quiet())


def test_cuda_without_cuda_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(RecipeError, match="CUDA is not available"):
        resolve_device("cuda")
    assert resolve_device("auto").type == "cpu"


@pytest.mark.parametrize("optimizer", ["sgd", "sgd+momentum", "adam"])
def test_training_learns_the_blobs_with_every_optimizer(optimizer):
    images, labels = blobs()
    model = _model()
    lr = 0.01 if optimizer == "adam" else 0.1
    result = fit(model, images, labels, Recipe(optimizer=optimizer, lr=lr, batch_size=32, epochs=8), **quiet())
    assert result.history[-1]["train_loss"] < result.history[0]["train_loss"]
    assert evaluate(model, images, labels, result.preprocess)["accuracy"] > 0.95


def _trained(recipe, seed=1):
    """(history without the timings, weights) of a fit of the blobs under ``recipe``."""
    images, labels = blobs()
    model = _model(seed=seed)
    result = fit(model, images, labels, recipe, **quiet())
    return [{k: v for k, v in row.items() if k != "seconds"} for row in result.history], _weights(model)


def test_how_often_the_host_checks_the_losses_changes_nothing_it_computes(monkeypatch):
    checks = []
    real_check = trainer_module._first_nonfinite
    monkeypatch.setattr(trainer_module, "_first_nonfinite", lambda *args: checks.append(args[1:]) or real_check(*args))
    # 192 training blobs in batches of 16: 12 steps an epoch
    recipe = Recipe(optimizer="sgd+momentum", lr=0.05, batch_size=16, epochs=2, val_fraction=0.2)
    history, weights = _trained(recipe)
    # a healthy epoch shorter than sync_every is looked at once, through its loss sum at its end
    assert recipe.sync_every == 50 and checks == []
    for sync_every, expected in ((1, 22), (5, 4)):  # inside each epoch: after steps 1..11, or 5 and 10
        checks.clear()
        other_history, other_weights = _trained(recipe.with_(sync_every=sync_every))
        assert len(checks) == expected
        assert other_history == history
        for key, value in weights.items():
            assert torch.equal(value, other_weights[key]), key


@pytest.mark.parametrize("optimizer", ["sgd", "sgd+momentum", "adam"])
def test_fused_optimizer_kernels_learn_the_weights_of_the_default_ones(optimizer):
    recipe = Recipe(optimizer=optimizer, lr=0.01 if optimizer == "adam" else 0.1, batch_size=32, epochs=3)
    assert recipe.fused_optimizer is False
    default_history, default_weights = _trained(recipe)
    fused_history, fused_weights = _trained(recipe.with_(fused_optimizer=True))
    assert trainer_module.make_optimizer(_model(), recipe.with_(fused_optimizer=True)).defaults["fused"] is True
    assert not trainer_module.make_optimizer(_model(), recipe).defaults["fused"]
    for key, value in default_weights.items():
        if optimizer == "sgd":  # the same arithmetic, element by element
            assert torch.equal(value, fused_weights[key]), key
        else:  # momentum and Adam: the fused kernel rounds its intermediate terms differently
            torch.testing.assert_close(value, fused_weights[key], rtol=1e-5, atol=1e-6)
    assert [row["train_accuracy"] for row in fused_history] == [row["train_accuracy"] for row in default_history]


def test_a_resumed_run_may_check_the_losses_more_often(tmp_path):
    images, labels = blobs()
    fit(_model(), images, labels, Recipe(epochs=1), checkpoint=tmp_path / "c.pt", **quiet())
    result = fit(
        _model(), images, labels, Recipe(epochs=2, sync_every=1), checkpoint=tmp_path / "c.pt", resume=True, **quiet()
    )
    assert len(result.history) == 2


def test_full_batch_training_takes_one_step_per_epoch():
    images, labels = blobs()
    model = PTLogreg(16, 3)
    result = fit(model, images, labels, Recipe(batch_size=None, lr=0.5, epochs=30), **quiet())
    assert len(result.history) == 30
    assert result.history[-1]["train_accuracy"] > 0.9


def test_history_has_one_row_per_epoch_with_every_field():
    images, labels = blobs()
    result = fit(_model(), images, labels, Recipe(epochs=3, early_stopping=True), **quiet())
    assert [row["epoch"] for row in result.history] == [1, 2, 3]
    for row in result.history:
        assert set(row) >= {"train_loss", "train_accuracy", "val_accuracy", "val_loss", "lr", "seconds"}
        assert 0.0 <= row["val_accuracy"] <= 1.0


def test_same_seed_gives_identical_histories_and_weights():
    images, labels = blobs()
    recipe = Recipe(optimizer="adam", lr=0.01, epochs=3, seed=4, early_stopping=True)
    a, b = _model(seed=1), _model(seed=1)
    ra, rb = fit(a, images, labels, recipe, **quiet()), fit(b, images, labels, recipe, **quiet())
    strip = [{k: v for k, v in row.items() if k != "seconds"} for row in ra.history]
    assert strip == [{k: v for k, v in row.items() if k != "seconds"} for row in rb.history]
    for key, value in a.state_dict().items():
        assert torch.equal(value, b.state_dict()[key])


def test_resumed_run_ends_with_exactly_the_weights_of_an_uninterrupted_one(tmp_path, monkeypatch):
    images, labels = blobs()
    # no early stopping, so the final weights are those of the last epoch, not a restored best
    recipe = Recipe(optimizer="sgd+momentum", lr=0.05, batch_size=16, epochs=5, schedule="cosine", val_fraction=0.2)
    reference = _model(seed=3, batchnorm=True)
    fit(reference, images, labels, recipe, checkpoint=tmp_path / "ref.pt", **quiet())

    saves = {"n": 0}
    real_save = trainer_module.save_checkpoint

    def interrupt_after_two(path, state):
        real_save(path, state)
        saves["n"] += 1
        if saves["n"] == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(trainer_module, "save_checkpoint", interrupt_after_two)
    interrupted = _model(seed=3, batchnorm=True)
    with pytest.raises(KeyboardInterrupt):
        fit(interrupted, images, labels, recipe, checkpoint=tmp_path / "run.pt", **quiet())
    monkeypatch.setattr(trainer_module, "save_checkpoint", real_save)

    resumed = _model(seed=99, batchnorm=True)  # other initial weights: everything must come from the checkpoint
    result = fit(resumed, images, labels, recipe, checkpoint=tmp_path / "run.pt", resume=True, **quiet())
    assert len(result.history) == 5
    for key, value in reference.state_dict().items():
        assert torch.equal(value, resumed.state_dict()[key]), key


def test_resume_refuses_a_checkpoint_of_another_recipe(tmp_path):
    images, labels = blobs()
    fit(_model(), images, labels, Recipe(epochs=1), checkpoint=tmp_path / "c.pt", **quiet())
    with pytest.raises(RecipeError, match="another recipe \\(lr differ\\)"):
        fit(_model(), images, labels, Recipe(epochs=2, lr=0.5), checkpoint=tmp_path / "c.pt", resume=True, **quiet())


def test_early_stopping_restores_the_weights_of_the_best_validation_epoch():
    images, labels = blobs(n=300, seed=2)
    rng = np.random.default_rng(1)
    noisy = rng.random(300) < 0.25  # label noise and a large step make validation accuracy jump around
    labels[noisy] = rng.integers(0, 3, noisy.sum())
    recipe = Recipe(optimizer="sgd+momentum", lr=0.3, batch_size=8, epochs=8, early_stopping=True, seed=1)
    model = _model(seed=2)
    result = fit(model, images, labels, recipe, **quiet())
    best = max(result.history, key=lambda row: row["val_accuracy"])
    assert result.best_epoch == best["epoch"]
    assert best["val_accuracy"] > result.history[-1]["val_accuracy"]  # the last epoch is not the best
    _, val_idx = split_validation(len(images), 0.2, recipe.seed)
    restored = evaluate(model, images[val_idx], labels[val_idx], result.preprocess)["accuracy"]
    assert restored == pytest.approx(best["val_accuracy"])


def test_patience_stops_training_early():
    images, labels = blobs()
    recipe = Recipe(lr=1e-9, epochs=20, early_stopping=True, patience=2)  # too small a step to ever improve
    result = fit(_model(), images, labels, recipe, **quiet())
    assert result.stopped_early and len(result.history) == 3


def test_a_validation_target_stops_after_the_first_epoch_that_reaches_it():
    images, labels = blobs(n=400)
    recipe = Recipe(optimizer="sgd+momentum", lr=0.05, batch_size=16, epochs=30, stop_at=0.9)
    result = fit(_model(), images, labels, recipe, **quiet())
    accuracies = [row["val_accuracy"] for row in result.history]
    assert recipe.validation_fraction == 0.1  # a held-out tenth by default
    assert accuracies[-1] >= 0.9 and all(a < 0.9 for a in accuracies[:-1])
    assert result.reached_target == len(result.history) < 30


def test_an_unreached_validation_target_trains_every_epoch():
    images, labels = blobs()
    result = fit(_model(), images, labels, Recipe(lr=1e-9, epochs=3, stop_at=1.0), **quiet())
    assert result.reached_target is None and len(result.history) == 3


def test_stopping_at_the_target_keeps_the_weights_of_that_epoch():
    images, labels = blobs(n=400)
    recipe = Recipe(optimizer="sgd+momentum", lr=0.05, batch_size=16, epochs=30, stop_at=0.9)
    stopped = fit(model := _model(), images, labels, recipe, **quiet())
    same = fit(
        other := _model(),
        images,
        labels,
        recipe.with_(stop_at=None, val_fraction=0.1, epochs=stopped.reached_target),
        **quiet(),
    )
    assert same.history[-1]["val_accuracy"] == stopped.history[-1]["val_accuracy"]
    for (name, a), b in zip(model.state_dict().items(), other.state_dict().values(), strict=True):
        assert torch.equal(a, b), name


def test_validation_every_few_steps_stops_inside_the_epoch_that_reaches_the_target():
    images, labels = blobs(n=800)
    recipe = Recipe(optimizer="sgd+momentum", lr=0.05, batch_size=8, epochs=3, stop_at=0.9, val_every=5)
    result = fit(_model(), images, labels, recipe, **quiet())
    last = result.history[-1]
    assert result.reached_target == 1 and len(result.history) == 1
    assert last["val_accuracy"] >= 0.9 and last["steps"] % 5 == 0 and last["steps"] < 90  # 720 / 8 = 90 steps
    assert 0 < last["train_accuracy"] <= 1  # over the samples of the steps taken


def test_a_resumed_run_that_had_reached_its_target_trains_no_further(tmp_path):
    images, labels = blobs(n=400)
    recipe = Recipe(optimizer="sgd+momentum", lr=0.05, batch_size=16, epochs=30, stop_at=0.9)
    first = fit(model := _model(), images, labels, recipe, checkpoint=tmp_path / "c.pt", **quiet())
    again = fit(other := _model(seed=5), images, labels, recipe, checkpoint=tmp_path / "c.pt", resume=True, **quiet())
    assert again.reached_target == first.reached_target and len(again.history) == len(first.history)
    for a, b in zip(model.state_dict().values(), other.state_dict().values(), strict=True):
        assert torch.equal(a, b)


def test_label_smoothing_keeps_the_predicted_probabilities_away_from_one():
    images, labels = blobs()
    recipe = Recipe(optimizer="sgd+momentum", lr=0.05, batch_size=16, epochs=20)
    confidence = {}
    for smoothing in (0.0, 0.2):
        result = fit(model := _model(), images, labels, recipe.with_(label_smoothing=smoothing), **quiet())
        confidence[smoothing] = predict_proba(model, images, result.preprocess).max(axis=1).mean()
    # the smoothed targets put 0.2 · 2/3 of the mass on the wrong classes: the optimum is 0.8 + 0.2/3
    assert confidence[0.0] > 0.95
    assert confidence[0.2] == pytest.approx(0.8 + 0.2 / 3, abs=0.05)


def test_huge_learning_rate_stops_at_the_first_non_finite_loss_naming_epoch_step_and_lr():
    images, labels = blobs()
    with pytest.raises(DivergenceError, match=r"loss is (nan|inf) at epoch 1, step \d+ of 8, learning rate 1e\+20"):
        fit(_model(), images, labels, Recipe(lr=1e20, batch_size=32, epochs=3), **quiet())


def test_a_full_batch_run_that_diverges_names_the_epoch_of_its_one_step():
    images, labels = blobs()
    with pytest.raises(DivergenceError, match=r"loss is (nan|inf) at epoch [2-9], step 1 of 1, learning rate 1e\+20"):
        fit(_model(), images, labels, Recipe(lr=1e20, batch_size=None, epochs=9), **quiet())


def test_full_batch_epochs_reuse_one_batch_in_the_stored_order():
    images, labels = blobs(n=50)
    batches = Batches(torch.from_numpy(images), torch.from_numpy(labels), None, seed=3, layout="flat", mean=0, std=1)
    first = list(batches)
    batches.set_epoch(7)
    again = list(batches)
    assert len(first) == len(again) == 1 and first[0][0] is again[0][0]
    assert torch.equal(first[0][1], torch.from_numpy(labels))  # not shuffled: a full batch's order changes no mean


def test_checkpoints_are_written_atomically_each_epoch(tmp_path):
    images, labels = blobs()
    fit(_model(), images, labels, Recipe(epochs=2), checkpoint=tmp_path / "c.pt", **quiet())
    assert [p.name for p in tmp_path.iterdir()] == ["c.pt"]
    state = load_checkpoint(tmp_path / "c.pt")
    assert state["epoch"] == 2 and len(state["history"]) == 2 and "optimizer" in state and "rng" in state


class Payload:
    def __reduce__(self):
        return (print, ("this must never run",))


def test_a_checkpoint_holding_a_pickled_object_is_refused(tmp_path, capsys):
    path = tmp_path / "evil.pt"
    torch.save({"model": {}, "payload": Payload()}, path)
    with pytest.raises(CheckpointError, match="refused: the checkpoint holds more than tensors and plain data"):
        load_checkpoint(path)
    assert "this must never run" not in capsys.readouterr().out


def test_a_truncated_checkpoint_is_a_clear_error(tmp_path):
    save_checkpoint(tmp_path / "c.pt", {"model": {"w": torch.zeros(100)}})
    data = (tmp_path / "c.pt").read_bytes()
    (tmp_path / "c.pt").write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match=r"c\.pt: cannot read checkpoint"):
        load_checkpoint(tmp_path / "c.pt")


def test_schedules_are_pure_functions_of_the_step():
    exp = Recipe(schedule="exponential", gamma=0.5, lr=1.0, epochs=3)
    assert [learning_rate(exp, s, 10) for s in (0, 9, 10, 25)] == [1.0, 1.0, 0.5, 0.25]
    cos = Recipe(schedule="cosine", lr=1.0, epochs=2)
    assert learning_rate(cos, 0, 10) == 1.0 and learning_rate(cos, 10, 10) == pytest.approx(0.5)
    assert learning_rate(cos, 20, 10) == pytest.approx(0.0, abs=1e-12)
    one = Recipe(schedule="onecycle", lr=1.0, epochs=4, warmup=0.25)
    lrs = [learning_rate(one, s, 10) for s in range(40)]
    assert max(lrs) == pytest.approx(1.0) and lrs.index(max(lrs)) == 10
    assert lrs[0] == pytest.approx(0.04) and lrs[-1] < 0.01


def _stripes(n=64, side=16):
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, n)
    images = rng.integers(0, 50, size=(n, side, side, 3))
    images[labels == 1, : side // 2] += 200  # class 1: bright top half
    return images.astype(np.uint8), labels


def test_cnn_trains_with_the_nchw_layout():
    images, labels = _stripes()
    model = LeNet(3, 2, 16)
    result = fit(
        model, images, labels, Recipe(optimizer="adam", lr=3e-3, batch_size=16, epochs=6, layout="nchw"), **quiet()
    )
    probs = predict_proba(model, images, result.preprocess)
    assert probs.shape == (64, 2) and np.mean(probs.argmax(axis=1) == labels) > 0.9


@pytest.mark.parametrize("channels_last", [True, False])
def test_cnn_weights_take_the_memory_format_the_recipe_asks_for(channels_last):
    images, labels = _stripes()
    model = LeNet(3, 2, 16)
    recipe = Recipe(optimizer="adam", lr=3e-3, batch_size=16, epochs=1, layout="nchw", channels_last=channels_last)
    fit(model, images, labels, recipe, **quiet())
    weight = model.conv1.weight
    assert weight.is_contiguous(memory_format=torch.channels_last) is channels_last
    assert weight.is_contiguous() is not channels_last


def test_channels_last_and_contiguous_cnns_learn_the_same_weights():
    images, labels = _stripes()
    trained = []
    for channels_last in (True, False):
        torch.manual_seed(0)
        model = LeNet(3, 2, 16)
        recipe = Recipe(optimizer="sgd", lr=0.05, batch_size=16, epochs=2, layout="nchw", channels_last=channels_last)
        fit(model, images, labels, recipe, **quiet())
        trained.append(model.state_dict())
    for key, value in trained[0].items():
        torch.testing.assert_close(value, trained[1][key], rtol=1e-4, atol=1e-5)  # summation order only


def _dtypes_seen_in_training(recipe):
    images, labels = _stripes()
    torch.manual_seed(0)
    model = LeNet(3, 2, 16)
    seen = set()
    model.fc1.register_forward_hook(lambda module, args, out: seen.add(out.dtype) if module.training else None)
    result = fit(model, images, labels, recipe.with_(layout="nchw"), **quiet())
    return seen, model, evaluate(model, images, labels, result.preprocess)["accuracy"]


def test_bf16_precision_runs_the_forward_pass_under_autocast_and_still_learns():
    seen, model, accuracy = _dtypes_seen_in_training(
        Recipe(optimizer="adam", lr=3e-3, batch_size=16, epochs=6, precision="bf16")
    )
    assert seen == {torch.bfloat16}
    assert all(p.dtype == torch.float32 for p in model.parameters())  # the weights themselves stay fp32
    assert accuracy > 0.9


def test_auto_precision_is_fp32_on_the_cpu_and_bf16_on_cuda():
    seen, *_ = _dtypes_seen_in_training(Recipe(epochs=1, precision="auto"))
    assert seen == {torch.float32}
    assert Recipe(precision="auto").autocast("cuda") and not Recipe(precision="auto").autocast("cpu")
    assert Recipe(precision="bf16").autocast("cpu") and not Recipe().autocast("cuda")


def test_evaluation_batches_default_by_device_and_do_not_change_the_scores():
    assert eval_batch_size("cpu") == 256 and eval_batch_size("cuda") == 4096
    images, labels = blobs(n=300)
    model = _model()
    result = fit(model, images, labels, Recipe(optimizer="adam", lr=0.01, epochs=3), **quiet())
    default = evaluate(model, images, labels, result.preprocess)  # 256 a batch: two batches here
    for batch_size in (1, 7, 300, 10_000):
        scores = evaluate(model, images, labels, result.preprocess, batch_size)
        assert scores["accuracy"] == default["accuracy"]
        assert scores["loss"] == pytest.approx(default["loss"], rel=1e-6)


def test_after_the_warm_up_the_first_optimizer_step_imports_nothing_more():
    code = (
        "import sys, torch\n"
        "from shootout.train.trainer import warm_up_torch\n"
        "warm_up_torch()\n"
        "before = set(sys.modules)\n"
        "p = torch.nn.Parameter(torch.ones(3)); p.grad = torch.ones(3)\n"
        "torch.optim.SGD([p], lr=0.1, fused=True).step()\n"
        "print(sorted(m for m in set(sys.modules) - before if m.startswith('torch._dynamo')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_l2_penalty_shrinks_the_weights():
    images, labels = blobs()
    plain, decayed = PTLogreg(16, 3), PTLogreg(16, 3)
    fit(plain, images, labels, Recipe(lr=0.1, epochs=5), **quiet())
    fit(decayed, images, labels, Recipe(lr=0.1, epochs=5, l2=0.1), **quiet())
    assert decayed.W.norm() < plain.W.norm()


def test_per_epoch_log_lines(capsys):
    images, labels = blobs()
    lines = []
    fit(_model(), images, labels, Recipe(epochs=2), log=lines.append, progress=False)
    assert len(lines) == 2 and lines[0].startswith("epoch 1/2  loss ")


def test_float_feature_matrices_train_with_per_column_standardization():
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal((0, 100), (1, 50), (50, 2)), rng.normal((4, 300), (1, 50), (50, 2))])
    y = np.repeat([0, 1], 50)
    model = PTDeep([2, 10, 2])
    result = fit(model, X, y, Recipe(optimizer="adam", lr=0.05, batch_size=None, epochs=100), **quiet())
    assert result.preprocess.mean == pytest.approx(tuple(X.mean(axis=0)))
    assert evaluate(model, X.astype(np.float32), y, result.preprocess)["accuracy"] > 0.95


def test_constant_images_do_not_divide_by_zero():
    images = np.full((20, 4, 4, 1), 7, dtype=np.uint8)
    labels = np.arange(20) % 2
    result = fit(PTLogreg(16, 2), images, labels, Recipe(epochs=1), **quiet())
    assert result.preprocess.std == (1.0,)


def test_a_checkpoint_write_that_dies_half_way_leaves_the_previous_one_loadable(tmp_path, monkeypatch):
    from shootout.train import checkpoint as checkpoint_module

    path = tmp_path / "c.pt"
    save_checkpoint(path, {"model": {"w": torch.ones(3)}, "epoch": 1})

    def dies_half_way(state, target):
        with open(target, "wb") as handle:
            handle.write(b"PK\x03\x04 half a zip")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(checkpoint_module.torch, "save", dies_half_way)
    with pytest.raises(OSError, match="No space left"):
        save_checkpoint(path, {"model": {"w": torch.zeros(3)}, "epoch": 2})
    monkeypatch.undo()
    assert [p.name for p in tmp_path.iterdir()] == ["c.pt"]
    assert load_checkpoint(path)["epoch"] == 1


def test_host_memory_is_kept_for_reuse_under_glibc_and_left_alone_elsewhere(monkeypatch):
    from shootout.train import host_memory

    glibc = sys.platform.startswith("linux") and host_memory._mallopt() is not None
    assert host_memory.keep_freed_memory() is glibc
    assert host_memory.keep_freed_memory(False) is glibc and host_memory.keep_freed_memory() is glibc
    monkeypatch.setattr(host_memory.sys, "platform", "darwin")
    assert host_memory.keep_freed_memory() is False  # nothing to set: no glibc there
