"""The seeds' training loops, ported the straightforward way: PyTorch for the MegEngine seeds, NumPy, scikit-learn.

Each port is a generator: it sets up what its seed sets up, then runs the seed's loop and yields an
:class:`Epoch` (the running training loss and accuracy the seed prints, and the test accuracy) after each
epoch. :func:`benchmarks.ports.run_port` times the generator between yields.

Arguments are the arrays of :func:`shootout.data.load`: ``train`` and ``test`` are ``(images, labels)``,
images uint8 N×H×W×C. What every port shares with its seed: one sample at a time through a ``Dataset``
(seeds 000–002: MegEngine's ``DataLoader`` with ``T.Normalize``) or a Python batch iterator (seed 004:
d2l's), batches of 64 (seed 004: 256), plain SGD at the seed's rate, the official test split evaluated
after every epoch.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset

Arrays = tuple[np.ndarray, np.ndarray]

# X_train.mean(), X_train.std() over all pixels: seed 000 prints MNIST's and writes them into its code; seed 001
# computes Fashion-MNIST's before its loop, the same numbers. Seed 002 gives CIFAR-10's per channel, B, G, R.
MNIST_MEAN_STD = (33.318421449829934, 78.56748998339798)
FASHION_MEAN_STD = (72.94035223214286, 90.02118235130526)
CIFAR_BGR_MEAN = (113.86538318359375, 122.950394140625, 125.306918046875)
CIFAR_BGR_STD = (66.70489964063091, 62.08870764001421, 62.993219278136884)


class Epoch(NamedTuple):
    """What a seed prints after an epoch."""

    train_loss: float  # mean over the epoch's batches, weighted by their size
    train_accuracy: float  # running: each batch scored by the weights before its step
    test_accuracy: float


class Images(Dataset):
    """One normalized image per ``__getitem__``, as ``T.Normalize`` (and ``T.ToMode("CHW")``) gives it."""

    def __init__(self, images: np.ndarray, labels: np.ndarray, mean, std, chw: bool = False) -> None:
        self.images, self.labels = images, labels
        self.mean, self.std, self.chw = torch.tensor(mean), torch.tensor(std), chw

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        image = (torch.from_numpy(self.images[i]).float() - self.mean) / self.std  # (H, W, C)
        return (image.permute(2, 0, 1) if self.chw else image), int(self.labels[i])


def megengine_loop(model: nn.Module, train: Arrays, test: Arrays, epochs: int, mean, std, chw=False) -> Iterator[Epoch]:
    """Seeds 000–002's loop: RandomSampler / SequentialSampler batches of 64, SGD lr 0.01, cross-entropy."""
    train_loader = DataLoader(Images(*train, mean, std, chw), batch_size=64, shuffle=True)
    test_loader = DataLoader(Images(*test, mean, std, chw), batch_size=64)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    for _ in range(epochs):
        training_loss, nums_train_correct, nums_train_example = 0.0, 0, 0
        for image, label in train_loader:
            score = model(image)
            loss = F.cross_entropy(score, label)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            training_loss += loss.item() * len(image)
            nums_train_correct += (score.argmax(dim=1) == label).sum().item()
            nums_train_example += len(image)
        nums_val_correct = 0
        with torch.no_grad():
            for image, label in test_loader:
                nums_val_correct += (model(image).argmax(dim=1) == label).sum().item()
        yield Epoch(
            training_loss / nums_train_example,
            nums_train_correct / nums_train_example,
            nums_val_correct / len(test_loader.dataset),
        )


def zero_linear(num_features: int = 784, num_classes: int = 10) -> nn.Module:
    """Seed 000's classifier: ``F.matmul(X, W) + b`` on the flattened image, W and b initialized to zeros."""
    model = nn.Sequential(nn.Flatten(), nn.Linear(num_features, num_classes))
    nn.init.zeros_(model[1].weight)
    nn.init.zeros_(model[1].bias)
    return model


def mnist_linear(train: Arrays, test: Arrays, seed: int = 0, epochs: int = 5) -> Iterator[Epoch]:
    """Seed 000: the zero-initialized linear classifier on MNIST, 5 epochs; "about 92 %"."""
    torch.manual_seed(seed)
    yield from megengine_loop(zero_linear(), train, test, epochs, *MNIST_MEAN_STD)


def fashion_linear(train: Arrays, test: Arrays, seed: int = 0, epochs: int = 5) -> Iterator[Epoch]:
    """Seed 001's starting point: seed 000's model and recipe on Fashion-MNIST, 5 epochs; "83 %"."""
    torch.manual_seed(seed)
    yield from megengine_loop(zero_linear(), train, test, epochs, *FASHION_MEAN_STD)


def fashion_mlp(train: Arrays, test: Arrays, seed: int = 0, epochs: int = 5) -> Iterator[Epoch]:
    """Seed 001: 784-256-10 with ReLU, the framework's default initialization, 5 epochs; "over 83 %"."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    yield from megengine_loop(model, train, test, epochs, *FASHION_MEAN_STD)


class ConvNet(nn.Module):
    """Seed 002's LeNet: two 5×5 convolutions with max pooling, then 120-84-10."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.classifier = nn.Linear(84, 10)
        self.relu = nn.ReLU()
        self.pool = nn.MaxPool2d(2, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, 3, 32, 32)
        x = self.pool(self.relu(self.conv1(x)))  # (B, 6, 14, 14)
        x = self.pool(self.relu(self.conv2(x)))  # (B, 16, 5, 5)
        x = torch.flatten(x, 1)
        x = self.relu(self.fc1(x))
        x = self.relu(self.fc2(x))
        return self.classifier(x)  # (B, 10)


def cifar_lenet(train: Arrays, test: Arrays, seed: int = 0, epochs: int = 50) -> Iterator[Epoch]:
    """Seed 002: LeNet on CIFAR-10, 50 epochs; "over 60 %".

    The images come in MegEngine's channel order, B, G, R (``load(..., channel_order="bgr")``), which is
    the order of the seed's per-channel constants.
    """
    torch.manual_seed(seed)
    yield from megengine_loop(ConvNet(), train, test, epochs, CIFAR_BGR_MEAN, CIFAR_BGR_STD, chw=True)


def data_iter(batch_size: int, images: np.ndarray, labels: np.ndarray, rng=None) -> Iterator[Arrays]:
    """d2l's batches in plain NumPy: shuffled when given ``rng``, pixels scaled to [0, 1] as ``ToTensor`` does."""
    indices = np.arange(len(images))
    if rng is not None:
        rng.shuffle(indices)
    for i in range(0, len(indices), batch_size):
        j = indices[i : i + batch_size]
        yield images[j].reshape(len(j), -1).astype(np.float32) / 255, labels[j]


def softmax(X: np.ndarray) -> np.ndarray:
    X_exp = np.exp(X)
    return X_exp / X_exp.sum(axis=1, keepdims=True)


def fashion_softmax_numpy(train: Arrays, test: Arrays, seed: int = 0, epochs: int = 5) -> Iterator[Epoch]:
    """Seed 004: d2l's softmax regression from scratch, W ~ N(0, 0.01²), batch 256, lr 0.1, 5 epochs; "0.838".

    NumPy has no autograd, so the gradient of the summed cross-entropy is written out: with respect to the
    scores it is ``y_hat - onehot(y)``. ``d2l.sgd`` divides by the nominal batch size, the short last batch too.
    """
    rng = np.random.default_rng(seed)
    num_inputs, num_outputs, batch_size, lr = 784, 10, 256, 0.1
    W = rng.normal(scale=0.01, size=(num_inputs, num_outputs)).astype(np.float32)
    b = np.zeros(num_outputs, np.float32)

    def net(X: np.ndarray) -> np.ndarray:
        return softmax(X @ W + b)

    for _ in range(epochs):
        train_l_sum, train_acc_sum, n = 0.0, 0.0, 0
        for X, y in data_iter(batch_size, *train, rng):
            y_hat = net(X)
            rows = np.arange(len(y))
            train_l_sum += -np.log(y_hat[rows, y]).sum()
            train_acc_sum += (y_hat.argmax(axis=1) == y).sum()
            n += len(y)
            grad = y_hat
            grad[rows, y] -= 1
            W -= lr * (X.T @ grad) / batch_size
            b -= lr * grad.sum(axis=0) / batch_size
        acc_sum, m = 0.0, 0
        for X, y in data_iter(batch_size, *test):
            acc_sum += (net(X).argmax(axis=1) == y).sum()
            m += len(y)
        yield Epoch(float(train_l_sum / n), float(train_acc_sum / n), float(acc_sum / m))


def mnist_svm(train: Arrays, test: Arrays, seed: int = 0, epochs: int = 1, train_size: int = 20_000) -> Iterator[Epoch]:
    """Seed 003's kernel SVM on MNIST: scikit-learn's ``SVC`` (RBF, one-vs-one) on a stratified subsample.

    The lab divides the pixels by 255 and asks for one-vs-one; ``SVC``'s own defaults (C 1, gamma "scale")
    stand for the rest. One fit and one prediction of the test split: a single "epoch", whatever ``epochs`` says.
    """
    from sklearn.model_selection import train_test_split
    from sklearn.svm import SVC

    images, labels = train
    keep = np.arange(len(labels))
    if train_size < len(labels):
        keep, _ = train_test_split(keep, train_size=train_size, random_state=seed, stratify=labels)
    x_train = images[keep].reshape(len(keep), -1).astype(np.float32) / 255
    x_test = test[0].reshape(len(test[0]), -1).astype(np.float32) / 255
    svm = SVC(kernel="rbf", decision_function_shape="ovo").fit(x_train, labels[keep])
    # No training loss or accuracy: the lab prints none, and scoring the training images would double the time.
    yield Epoch(float("nan"), float("nan"), float(np.mean(svm.predict(x_test) == test[1])))
