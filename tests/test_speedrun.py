"""The speedrun CNN: its whitening layer, its recipe, its training loop and its contestant, on tiny data."""

import itertools
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from shootout.estimators import SpeedrunCNN
from shootout.nets import SpeedrunNet, whitening_filters
from shootout.train import RecipeError
from shootout.train.schedules import triangle
from shootout.train.speedrun import _Stepper, batch_plan, predict_logits, train_speedrun
from shootout.train.speedrun_recipe import SpeedrunRecipe, SpeedrunRecipeError

SMALL = (8, 16, 16)  # conv group widths that keep each fit under a second or two
QUICK = SpeedrunRecipe(epochs=3, batch_size=64, lr=0.3, device="cpu")


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    """One intra-op thread for these tiny fits: two threads on the shared 2-core host spent seconds per
    epoch handing work between them where one needs a fifth of a second. Restored afterwards."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def colour_images(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """uint8 32×32×3 noise; class 1 is redder than class 0, class 0 bluer."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    images = rng.integers(0, 160, (n, 32, 32, 3)).astype(np.uint8)
    images[labels == 1, :, :, 0] += 60
    images[labels == 0, :, :, 2] += 60
    return images, labels


def patches_of(images: np.ndarray) -> np.ndarray:
    """Every 2×2 patch of N×C×H×W images, one per row in (channel, row, column) order, by plain loops."""
    n, _, h, w = images.shape
    rows = [
        images[i, :, y : y + 2, x : x + 2].reshape(-1) for i in range(n) for y in range(h - 1) for x in range(w - 1)
    ]
    return np.array(rows)


def correlated_images(seed: int = 0) -> torch.Tensor:
    """Random images whose neighbouring pixels and channels are correlated, as in photographs."""
    base = torch.randn(24, 3, 10, 10, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    return (base + 0.8 * base.roll(1, dims=3) + 0.6 * base.roll(1, dims=2) + 0.5 * base.roll(1, dims=1)).float()


def test_whitened_patches_have_identity_covariance_where_the_eigenvalues_dwarf_eps():
    images = correlated_images()
    eps = 1e-2
    weight, bias = whitening_filters(images, eps=eps)
    assert weight.shape == (24, 3, 2, 2) and bias.shape == (24,)
    patches = patches_of(images.double().numpy())  # (P, 12)
    eigenvalues = np.linalg.eigvalsh(np.cov(patches, rowvar=False, bias=True))[::-1]  # NumPy as the oracle
    whitened = F.conv2d(images.double(), weight[:12].double(), bias[:12].double())  # (N, 12, 9, 9)
    flat = whitened.permute(0, 2, 3, 1).reshape(-1, 12).numpy()
    np.testing.assert_allclose(flat.mean(axis=0), 0, atol=1e-4)
    np.testing.assert_allclose(
        np.cov(flat, rowvar=False, bias=True), np.diag(eigenvalues / (eigenvalues + eps)), atol=1e-4
    )


def test_without_eps_the_whitened_patches_are_exactly_decorrelated_and_the_second_half_is_the_negation():
    images = correlated_images(seed=1)
    weight, bias = whitening_filters(images, eps=0.0, chunk=7)  # chunks smaller than the set: sums carried over
    out = F.conv2d(images.double(), weight.double(), bias.double())  # (N, 24, 9, 9)
    flat = out[:, :12].permute(0, 2, 3, 1).reshape(-1, 12).numpy()
    np.testing.assert_allclose(np.cov(flat, rowvar=False, bias=True), np.eye(12), atol=1e-4)
    torch.testing.assert_close(out[:, 12:], -out[:, :12])


def test_the_net_starts_as_a_frozen_whitening_layer_and_three_groups_halving_the_side():
    net = SpeedrunNet(3, 10, (64, 256, 256))
    assert not net.whiten.weight.requires_grad and net.whiten.bias.requires_grad
    assert all(not norm.weight.requires_grad for norm in net.groups.modules() if isinstance(norm, torch.nn.BatchNorm2d))
    assert net.logits(torch.randn(2, 3, 32, 32)).shape == (2, 10)
    with pytest.raises(ValueError, match="side >= 9"):
        net.logits(torch.randn(2, 3, 8, 8))


def test_the_folded_net_computes_what_the_net_computes_in_eval_mode_without_batch_norms():
    torch.manual_seed(0)
    net = SpeedrunNet(3, 10, SMALL)
    x = torch.randn(16, 3, 12, 12)
    net.set_whitening(x)
    with torch.no_grad():
        net.logits(x)  # training mode: the batch norms' running statistics move away from 0 and 1
        for norm in net.groups.modules():
            if isinstance(norm, torch.nn.BatchNorm2d):
                norm.bias.normal_()
    folded = net.folded()
    assert net.training and not folded.training  # the net itself is left as it was
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in folded.modules())
    net.eval()
    torch.testing.assert_close(folded.logits(x), net.logits(x), rtol=1e-4, atol=1e-5)


def test_predictions_through_the_folded_net_equal_those_of_the_net_as_trained():
    images, labels = colour_images(96)
    model = SpeedrunCNN(widths=SMALL, recipe=QUICK.with_(epochs=2, tta=2)).fit(images, labels)
    test_images = colour_images(50, seed=3)[0]
    run = model.model_, model._images(test_images), model.result_.preprocess, 2, model.recipe_
    folded, plain = predict_logits(*run), predict_logits(*run, fold=False)
    torch.testing.assert_close(folded, plain, rtol=1e-4, atol=1e-5)
    assert folded.argmax(dim=1).equal(plain.argmax(dim=1))
    np.testing.assert_allclose(model.predict_proba(test_images), torch.softmax(plain, 1).numpy(), atol=1e-5)


def test_the_lr_rises_from_a_fifth_to_its_peak_then_falls_linearly_to_zero():
    total = 100
    lrs = [triangle(step, total, 0.2) for step in range(total + 1)]
    assert lrs[0] == pytest.approx(0.2) and lrs[20] == pytest.approx(1.0) and lrs[100] == 0.0
    assert lrs[60] == pytest.approx(0.5)
    assert all(a < b for a, b in itertools.pairwise(lrs[:21]))
    assert all(a > b for a, b in itertools.pairwise(lrs[20:]))


def test_every_batch_of_a_run_has_the_same_size_leaving_out_fewer_samples_than_there_are_steps():
    assert batch_plan(50_000, 1024) == (1020, 49)
    assert batch_plan(2000, 1024) == (1000, 2)
    assert batch_plan(30, 1024) == (30, 1)


def test_the_optimizer_gives_batch_norm_biases_a_larger_lr_and_no_weight_decay():
    images, labels = colour_images(64)
    net = SpeedrunNet(3, 2, SMALL)
    run = _Stepper(net, images, labels, QUICK.with_(bias_lr_scale=64.0, weight_decay=1e-3))
    run.set_lr(5, 0)
    weights, norm_biases, whiten_bias = run.optimizer.param_groups
    covered = [p for group in run.optimizer.param_groups for p in group["params"]]
    trainable = [p for p in net.parameters() if p.requires_grad]
    assert len(covered) == len({id(p) for p in covered}) == len(trainable)
    assert norm_biases["lr"] == pytest.approx(64 * weights["lr"]) and norm_biases["weight_decay"] == 0
    assert weights["weight_decay"] == 1e-3 and whiten_bias["weight_decay"] == 0
    run.set_lr(5, QUICK.whiten_bias_epochs)
    assert run.optimizer.param_groups[2]["lr"] == 0.0  # the whitening bias stops learning


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("lr", 0, "lr=0 is invalid; it must be a positive number"),
        ("lr", float("nan"), "lr=nan is invalid"),
        ("epochs", -1, "epochs=-1 is invalid; it must be an integer >= 0"),
        ("batch_size", 0, "batch_size=0 is invalid"),
        ("momentum", 1.0, "momentum=1.0 is invalid; it must lie in [0, 1)"),
        ("label_smoothing", 1.5, "label_smoothing=1.5 is invalid"),
        ("tta", 3, "tta=3 is invalid; use 0 (none), 1 (mirror)"),
        ("device", "tpu", "device='tpu' is invalid; use one of cpu, cuda, auto"),
        ("precision", "fp16", "precision='fp16' is invalid"),
        ("translate", 1.5, "translate=1.5 is invalid"),
        ("seed", -1, "seed=-1 is invalid; it must be an integer >= 0"),
        ("compile", "yes", "compile='yes' is invalid"),
    ],
)
def test_a_bad_recipe_value_fails_when_made_with_one_line_naming_it(field, value, message):
    with pytest.raises(SpeedrunRecipeError, match=re.escape(message)) as caught:
        SpeedrunRecipe(**{field: value})
    assert isinstance(caught.value, RecipeError) and isinstance(caught.value, ValueError)
    assert "\n" not in str(caught.value)
    with pytest.raises(SpeedrunRecipeError, match="unknown field"):
        QUICK.with_(optimizer="adam")


def test_tta_precision_and_compilation_follow_the_device_unless_asked_for():
    assert SpeedrunRecipe().tta_level("cuda") == 2 and SpeedrunRecipe().tta_level("cpu") == 0
    assert SpeedrunRecipe(tta=1).tta_level("cpu") == 1
    assert SpeedrunRecipe().autocast("cuda") and not SpeedrunRecipe().autocast("cpu")
    assert SpeedrunRecipe().compiled("cuda") and not SpeedrunRecipe().compiled("cpu")
    assert SpeedrunRecipe(compile=True).compiled("cpu") and not SpeedrunRecipe(compile=False).compiled("cuda")


def fit_once(images, labels, recipe=QUICK, **kwargs):
    torch.manual_seed(recipe.seed)
    net = SpeedrunNet(3, 2, SMALL)
    result = train_speedrun(net, images, labels, recipe, log=None, **kwargs)
    return net, result


def test_the_loop_is_deterministic_on_the_cpu_for_a_seed():
    images, labels = colour_images(96)
    recipe = QUICK.with_(epochs=2)
    (a, ra), (b, rb), (c, _) = (fit_once(images, labels, recipe.with_(seed=s)) for s in (0, 0, 1))
    for (name, pa), pb in zip(a.state_dict().items(), b.state_dict().values(), strict=True):
        assert pa.equal(pb), name
    assert [r["train_loss"] for r in ra.history] == [r["train_loss"] for r in rb.history]
    assert not a.head.weight.equal(c.head.weight)


def test_the_history_has_a_timed_row_per_epoch_and_the_timing_adds_up():
    images, labels = colour_images(96)
    _, result = fit_once(images, labels)
    assert [row["epoch"] for row in result.history] == [1, 2, 3]
    for row in result.history:
        assert {"train_loss", "train_accuracy", "lr", "seconds"} <= set(row) and row["seconds"] > 0
    assert result.train_seconds == pytest.approx(result.whiten_seconds + sum(r["seconds"] for r in result.history))
    assert result.history[-1]["lr"] < result.history[0]["lr"]  # the schedule falls to the end


def test_the_whitening_bias_learns_only_for_its_first_epochs():
    images, labels = colour_images(96)

    def biases_after_each_epoch(whiten_bias_epochs):
        biases = []
        torch.manual_seed(0)
        net = SpeedrunNet(3, 2, SMALL)
        recipe = QUICK.with_(whiten_bias_epochs=whiten_bias_epochs)
        train_speedrun(net, images, labels, recipe, log=lambda _: biases.append(net.whiten.bias.clone()))
        return biases

    frozen, one_epoch = biases_after_each_epoch(0), biases_after_each_epoch(1)
    assert frozen[0].equal(frozen[1]) and frozen[1].equal(frozen[2])  # the whitening bias as computed
    assert not one_epoch[0].equal(frozen[0])  # learned during the first epoch ...
    assert one_epoch[1].equal(one_epoch[0]) and one_epoch[2].equal(one_epoch[0])  # ... then kept


def test_a_fit_on_two_colour_classes_reaches_high_accuracy_in_three_epochs():
    images, labels = colour_images(400)
    test_images, test_labels = colour_images(200, seed=1)
    model = SpeedrunCNN(widths=SMALL, recipe=QUICK).fit(images, labels)
    assert model.score(test_images, test_labels) >= 0.95
    assert model.fit_facts()["tta"] == 0 and model.fit_facts()["device"] == "cpu"


def test_watch_scores_a_labelled_set_each_epoch_without_changing_the_weights():
    images, labels = colour_images(96)
    test = colour_images(40, seed=2)
    plain, _ = fit_once(images, labels)
    watched, result = fit_once(images, labels, watch=test)
    assert all(0 <= row["test_accuracy"] <= 1 and row["test_loss"] > 0 for row in result.history)
    assert plain.head.weight.equal(watched.head.weight)


def test_a_resumed_run_ends_with_exactly_the_weights_of_an_uninterrupted_one(tmp_path):
    images, labels = colour_images(96)
    whole, _ = fit_once(images, labels, checkpoint=tmp_path / "whole.pt")

    def stop_after_the_first_epoch(line):
        raise KeyboardInterrupt

    torch.manual_seed(0)
    with pytest.raises(KeyboardInterrupt):
        train_speedrun(
            SpeedrunNet(3, 2, SMALL),
            images,
            labels,
            QUICK,
            checkpoint=tmp_path / "cut.pt",
            log=stop_after_the_first_epoch,
        )
    torch.manual_seed(123)  # the resumed net starts from other weights: the checkpoint must replace them all
    resumed = SpeedrunNet(3, 2, SMALL)
    result = train_speedrun(resumed, images, labels, QUICK, checkpoint=tmp_path / "cut.pt", resume=True, log=None)
    assert [row["epoch"] for row in result.history] == [1, 2, 3]
    for (name, a), b in zip(whole.state_dict().items(), resumed.state_dict().values(), strict=True):
        assert a.equal(b), name


def test_resuming_with_another_recipe_is_refused(tmp_path):
    images, labels = colour_images(64)
    fit_once(images, labels, QUICK.with_(epochs=1), checkpoint=tmp_path / "run.pt")
    with pytest.raises(SpeedrunRecipeError, match=r"another recipe \(lr differ\)"):
        fit_once(images, labels, QUICK.with_(lr=0.1), checkpoint=tmp_path / "run.pt", resume=True)


def test_overrides_reach_the_recipe_and_the_catalog_entry_stays_untouched():
    original = SpeedrunCNN(widths=SMALL, recipe=QUICK)
    options = dict(epochs=7, seed=3, device="cpu", lr=0.5, batch_size=16, precision="bf16", max_train=10)
    copy = original.with_overrides(**options)
    r = copy.recipe
    assert (r.epochs, r.seed, r.device, r.lr, r.batch_size, r.precision) == (7, 3, "cpu", 0.5, 16, "bf16")
    assert original.recipe == QUICK and copy.widths == SMALL
    described = copy.describe()
    assert (
        described["class"] == "SpeedrunCNN" and described["recipe"]["lr"] == 0.5 and described["widths"] == list(SMALL)
    )


def test_feature_rows_train_as_square_images_without_mirrors_or_moves():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 5))
    y = (X[:, 0] + X[:, 3] > 0).astype(int)
    model = SpeedrunCNN(widths=SMALL, recipe=QUICK.with_(epochs=6, batch_size=32)).fit(X, y)
    assert model.score(X, y) > 0.9
    assert model.recipe_.flip is False and model.recipe_.translate == 0 and model.recipe_.tta == 0
    assert model._images(X).shape == (200, 9, 9, 1)  # 5 features -> 3×3, centred in the net's 9×9


def test_initial_scores_are_those_of_the_untrained_net_near_chance():
    images, labels = colour_images(96)
    model = SpeedrunCNN(widths=SMALL, recipe=QUICK.with_(epochs=1)).fit(images, labels)
    scores = model.initial_scores(images, labels)
    assert abs(scores["initial_loss"] - np.log(2)) < 0.3 and 0 <= scores["initial_accuracy"] <= 1
