"""Every experiment, written as data: the seeds' headline results here, their lessons in ``lessons.py``.

Adding one is adding an ``Experiment(...)`` (or a ``Demonstration``) and naming it in ``EXPERIMENTS``.

Recipes marked "seed" follow their tutorial (batch size, optimizer, learning rate, epochs, init); those
marked "tuned" are chosen for time-to-accuracy on this machine, among candidates scored on a validation
split of the training set (``python -m benchmarks.tune``), never on the test set.
"""

from __future__ import annotations

import difflib

from shootout.estimators import Fcann2, ScratchLogreg, SoftmaxRegression, SpeedrunCNN, TorchNet
from shootout.experiments.lessons import LESSONS
from shootout.experiments.spec import Demonstration, Entry, Experiment
from shootout.svm import SVM, NystroemSVM
from shootout.train import Recipe
from shootout.train.speedrun_recipe import SpeedrunRecipe

MNIST_MEAN, MNIST_STD = 33.3184, 78.5675  # seed 000's normalization constants

SEED_000 = Recipe(optimizer="sgd", lr=0.01, batch_size=64, epochs=5)  # + zero init (PTLogreg)
SEED_001 = Recipe(optimizer="sgd", lr=0.01, batch_size=64, epochs=5)
SEED_002 = Recipe(optimizer="sgd", lr=0.01, batch_size=64, epochs=50, layout="nchw", early_stopping=True)
SHOOTOUT = Recipe(optimizer="sgd", lr=0.1, batch_size=100, epochs=20, early_stopping=True, patience=5)
MLP_TUNED = Recipe(optimizer="sgd+momentum", lr=0.1, batch_size=256, epochs=10, schedule="onecycle", weight_decay=5e-4)


def _deep(hidden: tuple[int, ...], recipe: Recipe = SHOOTOUT, **kwargs) -> TorchNet:
    return TorchNet("deep", hidden=hidden, recipe=recipe, **kwargs)


DIGITS = Experiment(
    name="digits",
    dataset="digits",
    title="scikit-learn digits: every kind of contestant on the embedded 8×8 images",
    contestants=(
        Entry("scratch-softmax", SoftmaxRegression(batch_size=32, lr=0.5, epochs=40, scale=16.0), 0.95, "NumPy"),
        Entry(
            "ptlogreg",
            TorchNet("logreg", recipe=Recipe(optimizer="sgd+momentum", lr=0.1, batch_size=64, epochs=20)),
            0.95,
        ),
        Entry(
            "ptdeep-128",
            TorchNet(
                "deep",
                hidden=(128,),
                recipe=Recipe(optimizer="adam", lr=2e-3, batch_size=64, epochs=20, label_smoothing=0.1),
            ),
            0.95,
        ),
        Entry(
            "small-cnn",
            TorchNet(
                "smallcnn",
                width=16,
                recipe=Recipe(
                    optimizer="sgd+momentum",
                    lr=0.1,
                    batch_size=64,
                    epochs=20,
                    schedule="onecycle",
                    weight_decay=5e-4,
                    label_smoothing=0.2,
                    layout="nchw",
                ),
            ),
            0.98,
            "16 maps, momentum, one-cycle, weight decay, label smoothing (chosen on validation)",
        ),
        Entry("rbf-svm", SVM(kernel="rbf", C=10.0, gamma="scale", scale=16.0), 0.98),
    ),
    claim="each ≥ 0.95, CNN and SVM ≥ 0.98 (the release goal)",
)

GMM = Experiment(
    name="gmm",
    dataset="gmm",
    title="the lab's Gaussian mixture: sample_gmm_2d(K=6, C=2, N=10), decision surfaces",
    contestants=(
        Entry("scratch-logreg", ScratchLogreg(param_niter=1000, param_delta=0.1), None, "lab 0"),
        Entry("fcann2", Fcann2(hidden=5, param_niter=1e5, param_delta=0.05, param_lambda=1e-3), None, "lab 1"),
        Entry(
            "ptdeep-2-10-10-2",
            TorchNet(
                "deep",
                hidden=(10, 10),
                recipe=Recipe(
                    optimizer="sgd",
                    lr=0.1,
                    batch_size=None,
                    epochs=10_000,
                    l2=1e-4,
                    mean=0.0,
                    std=1.0,
                    checkpoint_every=1000,
                    log_every=1000,
                ),
            ),
            None,
            "lab 1: niter 1e4, delta 0.1, lambda 1e-4",
        ),
        Entry("rbf-svm", SVM(kernel="rbf", C=1.0, gamma="auto", scale=1.0), None, "ksvm_wrap defaults"),
    ),
    claim="the lab reports pictures, not numbers: train accuracy per contestant",
    notes="Test accuracy is measured on 50 fresh points per component of the same mixture.",
    data_options={"K": 6, "C": 2, "N": 10, "test_N": 50},
)

MNIST_LINEAR = Experiment(
    name="mnist-linear",
    dataset="mnist",
    title="linear (softmax) classifier on MNIST, seed 000",
    contestants=(
        Entry(
            "linear",
            TorchNet("logreg", recipe=SEED_000.with_(mean=MNIST_MEAN, std=MNIST_STD)),
            0.918,
            "seed 000: zero init, batch 64, SGD 0.01, 5 epochs",
            watch_test=True,
        ),
        Entry(
            "linear-tuned",
            TorchNet(
                "logreg", recipe=Recipe(optimizer="sgd+momentum", lr=0.1, batch_size=512, epochs=2, schedule="cosine")
            ),
            0.92,
            "tuned: momentum 0.9, lr 0.1, batch 512, cosine, 2 epochs",
        ),
    ),
    claim="about 92 % after 5 epochs",
)

FASHION_LINEAR = Experiment(
    name="fashion-linear",
    dataset="fashion-mnist",
    title="the seed 000 recipe on Fashion-MNIST",
    contestants=(
        Entry(
            "linear", TorchNet("logreg", recipe=SEED_000), 0.83, "seed 000 recipe, Fashion statistics", watch_test=True
        ),
        Entry(
            "linear-tuned",
            TorchNet(
                "logreg", recipe=Recipe(optimizer="sgd+momentum", lr=0.05, batch_size=256, epochs=1, schedule="cosine")
            ),
            0.83,
            "tuned: momentum 0.9, lr 0.05, batch 256, cosine, 1 epoch",
        ),
    ),
    claim="about 83 % (seed 001)",
)

FASHION_SOFTMAX_SCRATCH = Experiment(
    name="fashion-softmax-scratch",
    dataset="fashion-mnist",
    title="softmax regression from scratch in NumPy on Fashion-MNIST, seed 004",
    contestants=(
        Entry(
            "scratch-softmax",
            SoftmaxRegression(batch_size=256, lr=0.1, epochs=5),
            0.82,
            "seed 004: batch 256, lr 0.1, 5 epochs",
            watch_test=True,
        ),
        Entry(
            "scratch-softmax-tuned",
            SoftmaxRegression(batch_size=128, lr=1.0, epochs=1, decay="linear"),
            0.82,
            "tuned, NumPy: batch 128, lr 1.0 falling linearly to 0, 1 epoch",
        ),
    ),
    claim="about 83.8 %",
)

FASHION_MLP = Experiment(
    name="fashion-mlp",
    dataset="fashion-mnist",
    title="784-256-10 ReLU net on Fashion-MNIST: the seed recipe and a tuned one",
    contestants=(
        Entry("mlp-seed", _deep((256,), SEED_001), 0.84, "seed 001: SGD 0.01, batch 64, 5 ep", watch_test=True),
        Entry("mlp-tuned", _deep((256,), MLP_TUNED), 0.885, "tuned: momentum, lr 0.1, batch 256, one-cycle, 10 epochs"),
        Entry(
            "mlp-to-0.85",
            _deep(
                (256,),
                Recipe(
                    optimizer="sgd+momentum",
                    lr=0.1,
                    batch_size=128,
                    epochs=1,
                    schedule="cosine",
                    stop_at=0.87,
                    val_every=80,
                ),
            ),
            0.85,
            "time to 0.85: momentum, lr 0.1, batch 128, cosine over 1 epoch; stops at validation accuracy 0.87",
        ),
        Entry(
            "mlp-to-0.877",
            _deep((256,), MLP_TUNED.with_(epochs=4, stop_at=0.89)),
            0.877,
            "time to 0.877 (MLPClassifier's): as mlp-tuned over 4 epochs; stops at validation accuracy 0.89",
        ),
    ),
    claim="seed: over 83 %; the benchmark's MLPClassifier 87.7 %",
)

MNIST_LENET = Experiment(
    name="mnist-lenet",
    dataset="mnist",
    title="LeNet on MNIST",
    contestants=(
        Entry(
            "lenet",
            TorchNet(
                "lenet",
                recipe=Recipe(
                    optimizer="sgd+momentum", lr=0.05, batch_size=128, epochs=6, schedule="onecycle", layout="nchw"
                ),
            ),
            0.99,
            "tuned",
        ),
    ),
    claim="over 99 % (seed 002)",
)

CIFAR_LENET = Experiment(
    name="cifar-lenet",
    dataset="cifar-10",
    title="LeNet on CIFAR-10: the seed's 50-epoch recipe (best weights on a validation split), a tuned one, a fast one",
    contestants=(
        Entry(
            "lenet-seed",
            TorchNet("lenet", recipe=SEED_002),
            0.60,
            "seed 002: SGD 0.01, batch 64, 50 epochs; best of a 1/5 validation split",
            watch_test=True,
        ),
        Entry(
            "lenet-tuned",
            TorchNet(
                "lenet",
                recipe=Recipe(
                    optimizer="sgd+momentum",
                    lr=0.05,
                    batch_size=128,
                    epochs=8,
                    schedule="onecycle",
                    weight_decay=5e-4,
                    layout="nchw",
                ),
            ),
            0.60,
            "tuned: momentum, one-cycle, weight decay, 8 epochs",
        ),
        Entry(
            "lenet-fast",
            TorchNet(
                "lenet",
                recipe=Recipe(
                    optimizer="sgd+momentum",
                    lr=0.1,
                    batch_size=128,
                    epochs=5,
                    schedule="onecycle",
                    weight_decay=5e-4,
                    label_smoothing=0.2,
                    stop_at=0.62,
                    layout="nchw",
                ),
            ),
            0.60,
            "time to accuracy: momentum, one-cycle, label smoothing 0.2, at most 5 epochs; stops at validation 0.62",
        ),
    ),
    claim="over 60 % after 50 epochs (a plain port on the JPEG-derived copy peaks at 0.639, ends at 0.586)",
)


MNIST_SHOOTOUT = Experiment(
    name="mnist-shootout",
    dataset="mnist",
    title="the lab's MNIST shootout: depth, regularization, Adam, ExponentialLR, batch norm, SVMs",
    contestants=(
        Entry("deep-784-10", _deep(()), None, "minibatch SGD 0.1, batch 100, early stopping on 1/5"),
        Entry("deep-784-10-l2-1e-3", _deep((), SHOOTOUT.with_(l2=1e-3)), None, "param_lambda 1e-3"),
        Entry("deep-784-10-l2-1e-1", _deep((), SHOOTOUT.with_(l2=1e-1)), None, "param_lambda 1e-1"),
        Entry("deep-784-100-10", _deep((100,)), None, ""),
        Entry("deep-784-100-100-10", _deep((100, 100)), None, ""),
        Entry("deep-784-100-100-100-10", _deep((100, 100, 100)), None, ""),
        Entry("deep-784-100-10-adam", _deep((100,), SHOOTOUT.with_(optimizer="adam", lr=1e-4)), None, "Adam 1e-4"),
        Entry(
            "deep-784-100-10-adam-explr",
            _deep((100,), SHOOTOUT.with_(optimizer="adam", lr=1e-4, schedule="exponential", gamma=1 - 1e-4)),
            None,
            "Adam 1e-4, ExponentialLR",
        ),
        Entry("deep-784-100-10-bn", _deep((100,), batchnorm=True), None, "batch norm"),
        Entry("deep-784-100-100-100-10-bn", _deep((100, 100, 100), batchnorm=True), None, "batch norm"),
        Entry("linear-svm", SVM(kernel="linear", C=1.0, max_train=5000), None, "one-vs-one on a stated subsample"),
        Entry(
            "rbf-svm", SVM(kernel="rbf", C=1.0, gamma="scale", max_train=5000), None, "one-vs-one on a stated subsample"
        ),
        Entry(
            "rbf-nystroem",
            NystroemSVM(n_components=4000),
            0.97,
            "RBF kernel on all 60,000: 4,000 Nystroem landmarks + ridge classifier",
        ),
        # time to accuracy: for each target, the fastest candidate whose mean validation accuracy clears it by
        # 0.002 (python -m benchmarks.svm_row: 10,000 of the training images held out, 3 seeds)
        Entry(
            "rbf-pca-nystroem-1200",
            NystroemSVM(n_components=1200, alpha=0.01, pca_components=30, max_train=20_000),
            0.965,
            "PCA 30 + RBF kernel by 1,200 Nystroem landmarks + ridge classifier, on 20,000",
        ),
        Entry(
            "rbf-pca-nystroem-2000",
            NystroemSVM(n_components=2000, alpha=0.01, pca_components=30, max_train=20_000),
            0.97,
            "PCA 30 + RBF kernel by 2,000 Nystroem landmarks + ridge classifier, on 20,000",
        ),
    ),
    claim="the lab asks for a table, weight images and the images with the largest loss",
    notes="The exact SVMs train on a seeded, stratified subsample of 5,000, the PCA + Nystroem ones on 20,000 "
    "(the size is in the results); --svm-samples N sets it for every SVM, rbf-nystroem included "
    "(0: all 60,000; exact SVC on all of them takes over half an hour).",
)

CIFAR_SPEEDRUN = Experiment(
    name="cifar-speedrun",
    dataset="cifar-10",
    title="the airbench94 design on CIFAR-10: whitening layer, three conv groups, alternating flips, TTA",
    contestants=(
        Entry(
            "speedrun",
            SpeedrunCNN(widths=(64, 256, 256), recipe=SpeedrunRecipe()),
            0.94,
            "10 epochs, batch 1024, Nesterov SGD, label smoothing 0.2, flip + 2 px moves; TTA on CUDA",
        ),
    ),
    claim="airbench94: 94.01 % in 2.59 s on one A100 (the record this contestant aims at)",
    notes="The 0.94 target is a GPU goal: on CUDA the run uses bf16 autocast and level-2 test-time augmentation "
    "(mirror and 1-pixel moves), and its timed seconds (fit_facts: whitening and epochs, without data transfer "
    "and warm-up) are what compares with the record. On the CPU the same code runs in fp32 without test-time "
    "augmentation, about 70 images a second on 2 busy cores, so a full run takes about two hours: there, "
    "--train-samples and --epochs make a short run that shows the net learning, not the record.",
)

MNIST_SPEEDRUN = Experiment(
    name="mnist-speedrun",
    dataset="mnist",
    title="the speedrun design on MNIST: the same net, narrower (32/64/64), no mirror images",
    contestants=(
        Entry(
            "speedrun",
            SpeedrunCNN(
                widths=(32, 64, 64),
                recipe=SpeedrunRecipe(epochs=2, batch_size=512, lr=0.75, flip=False, translate=2, whiten_bias_epochs=1),
            ),
            0.99,
            "tuned: 2 epochs, batch 512, lr 0.75, 2 px moves, no flips (digits are not mirror-symmetric)",
        ),
    ),
    claim="train_mnist_fast: 99.04 % in 0.76 s on a GTX 1660 Ti (the record this contestant aims at)",
    notes="The time is a GPU goal; the accuracy is reached on the CPU as well, in minutes rather than a second. "
    "Test-time augmentation (on CUDA) averages each digit with its copies moved one pixel, never mirrored.",
)

EXPERIMENTS: dict[str, Experiment | Demonstration] = {
    e.name: e
    for e in (
        DIGITS,
        GMM,
        MNIST_LINEAR,
        FASHION_LINEAR,
        FASHION_SOFTMAX_SCRATCH,
        FASHION_MLP,
        MNIST_LENET,
        CIFAR_LENET,
        MNIST_SHOOTOUT,
        CIFAR_SPEEDRUN,
        MNIST_SPEEDRUN,
        *LESSONS,
    )
}


def get_experiment(name: str) -> Experiment | Demonstration:
    """The experiment called ``name``; an unknown name raises KeyError with the closest suggestion."""
    if name in EXPERIMENTS:
        return EXPERIMENTS[name]
    close = difflib.get_close_matches(name, EXPERIMENTS, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise KeyError(f"unknown experiment {name!r} (known: {', '.join(EXPERIMENTS)}){hint}")
