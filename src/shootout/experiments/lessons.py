"""The seeds' lessons as experiments: the comparisons and demonstrations they teach through, as data.

The headline results are in :mod:`shootout.experiments.catalog`; these vary one thing at a time
(initialization, depth and activation, regularization) or show a computation (filters, gradients).
"""

from __future__ import annotations

from shootout.estimators import TorchNet
from shootout.experiments.demos import show_filters, show_linreg
from shootout.experiments.fc_vs_cnn import SHIFTS, SHUFFLED, three_reasons
from shootout.experiments.paired import paired_summary
from shootout.experiments.spec import Demonstration, Entry, Experiment
from shootout.svm import SVM
from shootout.train import Recipe

SEED_001 = Recipe(optimizer="sgd", lr=0.01, batch_size=64, epochs=5)
# The lab's full-batch gradient descent on the data as given; thousands of tiny epochs, so checkpoints and
# log lines every 100 of them rather than after each.
LAB_FULL_BATCH = dict(optimizer="sgd", batch_size=None, mean=0.0, std=1.0, checkpoint_every=100, log_every=100)

FASHION_INIT = Experiment(
    name="fashion-init",
    dataset="fashion-mnist",
    title="784-256-10 ReLU on Fashion-MNIST from four initializations, the same recipe (seed 001)",
    contestants=tuple(
        Entry(
            f"init-{init}",
            TorchNet("deep", hidden=(256,), init=init, recipe=SEED_001),
            None,
            f"{init} init",
            watch_test=True,
        )
        for init in ("zeros", "normal", "xavier", "he")
    ),
    claim="all-zero initialization cripples a multi-layer net; random initialization trains it",
    notes="With every weight zero, all hidden units compute the same output and receive the same gradient, so "
    "they stay identical: here that gradient is zero too (ReLU(0) = 0 hides the hidden layer from the output "
    "weights), only the output biases learn, and the net predicts one class, about 0.10 of the balanced test "
    "set. Any random start breaks the symmetry; N(0, 0.01²), Xavier (2/(fan_in+fan_out)) and He (2/fan_in) "
    "differ in how fast they start.",
)

LAMBDAS = (0.0, 1e-3, 1e-2, 1e-1, 1.0)
GMM_LAMBDA = Experiment(
    name="gmm-lambda",
    dataset="gauss",
    title="PTLogreg on two 2-D Gaussians for several param_lambda: the L2 penalty flattens the surface (lab 3)",
    contestants=tuple(
        Entry(
            f"lambda-{lam:g}",
            TorchNet("logreg", recipe=Recipe(**LAB_FULL_BATCH, lr=0.5, epochs=1000, l2=lam)),
            None,
            f"param_lambda {lam:g}; train(ptlr, X, Yoh_, 1000, 0.5)",
        )
        for lam in LAMBDAS
    ),
    claim="test the effect of regularization on the shape of the prediction surface",
    notes="Loss = mean negative log-likelihood + param_lambda · ||W||². A larger param_lambda keeps ||W|| small, so "
    "the probabilities change slowly across the plane: the surface grows pale and the boundary may move; "
    "at 1 the penalty outweighs the data and every point gets one class. The lab's step of 0.5 is too large for "
    "these unscaled points: full-batch descent does not settle, the loss jumps between about 0.25 and 14 now "
    "and then, so the last step's ||W|| and accuracy show where that swing stands (history.csv, every step).",
    data_options={"C": 2, "N": 100, "test_N": 100},
    surface_grid=True,
)

LAB_PTDEEP = Recipe(**LAB_FULL_BATCH, lr=0.1, epochs=10_000, l2=1e-4).with_(checkpoint_every=1000, log_every=1000)
DEPTH_CONFIGS = ((), (10,), (10, 10))
ACTIVATIONS = ("relu", "tanh", "sigmoid")
MIXTURES = ({"K": 4, "C": 2, "N": 40}, {"K": 6, "C": 2, "N": 10})
GMM_DEPTH = Experiment(
    name="gmm-depth",
    dataset="gmm",
    title="PTDeep of depth [2,2], [2,10,2], [2,10,10,2] × ReLU, tanh, sigmoid on two mixtures (lab 3)",
    contestants=tuple(
        Entry(
            f"{'-'.join(map(str, (2, *hidden, 2)))}-{activation}-k{mixture['K']}",
            TorchNet(
                "deep",
                hidden=hidden,
                activation=activation,
                recipe=Recipe(
                    **{**LAB_FULL_BATCH, "checkpoint_every": 1000, "log_every": 1000}, lr=0.1, epochs=10_000, l2=1e-4
                ),
            ),
            None,
            "param_niter 1e4, param_delta 0.1, param_lambda 1e-4",
            data=mixture,
            row=f"[{', '.join(map(str, (2, *hidden, 2)))}] {activation}",
        )
        for hidden in DEPTH_CONFIGS
        for activation in ACTIVATIONS
        for mixture in MIXTURES
    ),
    claim="deeper configurations draw more complex boundaries; the activation changes their shape",
    notes="Test points: 50 fresh points per component of the same mixture. [2,2] is logistic regression: its "
    "activation has nothing to act on, so its three rows agree.",
    data_options={"test_N": 50},
    surface_grid=True,
)

MANY = 20  # random mixtures
GMM_MANY = Experiment(
    name="gmm-many",
    dataset="gmm",
    title=f"PTDeep [2,10,10,2] against KSVMWrap (RBF) on {MANY} random mixtures sample_gmm_2d(6, 2, 10) (lab 3)",
    contestants=tuple(
        Entry(
            f"{group}-{i:02d}",
            estimator,
            None,
            note,
            data={"K": 6, "C": 2, "N": 10, "offset": i},
            row=group,
            pictures=False,
        )
        for i in range(MANY)
        for group, estimator, note in (
            ("ptdeep", TorchNet("deep", hidden=(10, 10), recipe=LAB_PTDEEP), "the lab's PTDeep recipe"),
            ("ksvm", SVM(kernel="rbf", C=1.0, gamma="auto", scale=1.0), "KSVMWrap: C 1, gamma auto"),
        )
    ),
    claim="compare PTDeep and KSVMWrap on a larger number of random data sets",
    notes=f"Mixture i is drawn from seed + i (i = 0..{MANY - 1}; --seed shifts the set); both contestants see the "
    "same points, so the comparison is paired. Test points: 50 fresh points per component. The SVM's hinge "
    "loss maximizes the margin and its convex problem has one optimum; the net's cross-entropy is minimized by "
    "gradient descent from a random start and can take far more parameters.",
    data_options={"test_N": 50},
    summary=paired_summary("ptdeep", "ksvm"),
)

SEED_002 = Recipe(optimizer="sgd", lr=0.01, batch_size=64, epochs=50, layout="nchw", early_stopping=True)
CIFAR_FC = Experiment(
    name="cifar-fc",
    dataset="cifar-10",
    title="seed 001's 3072-256-10 MLP against LeNet on CIFAR-10, the same budget (seed 002)",
    contestants=tuple(
        Entry(
            name + suffix,
            TorchNet(arch, hidden=hidden, recipe=SEED_002),
            None,
            note + (", pixel positions shuffled" if data else ""),
            data=data,
            row=name,
            watch_test=not data,
            probes=() if data else SHIFTS,
        )
        for data, suffix in ((None, ""), (SHUFFLED, "-shuffled"))
        for name, arch, hidden, note in (
            ("mlp", "deep", (256,), "784-256-10 of seed 001, on 3072 inputs"),
            ("lenet", "lenet", (), "LeNet of seed 002"),
        )
    ),
    claim="the fully connected network only about 50 % on CIFAR10; LeNet over 60 %, better than a fully connected net",
    notes="Both nets: SGD 0.01, batch 64, 50 epochs, the best weights on a 1/5 validation split (seed 002's "
    "recipe). The comparison table measures the seed's three reasons: parameters and the train-test gap "
    "(overfitting), accuracy after shuffling pixel positions (the MLP cannot tell, LeNet loses its "
    "neighbourhoods), and accuracy on shifted test images (sensitivity to position).",
    summary=three_reasons,
)

FILTERS = Demonstration(
    name="filters",
    dataset="cifar-10",
    title="digital image processing: 3×3 filters on CIFAR-10 and MNIST images (seed 002)",
    show=show_filters,
    claim="the identity filter returns the image; edge, Laplacian and blur filters extract or smooth its structure",
    notes="Each output pixel is the sum of the kernel times the pixel's 3×3 neighbourhood, zero-padded, channel by "
    "channel (cv2.filter2D(image, -1, k) with a zero border). That is a cross-correlation: a convolution in the "
    "mathematical sense flips the kernel first. Deep-learning libraries compute the cross-correlation and call it "
    "convolution; since the kernels are learned, the flip does not matter. --data-dir and --no-verify apply to "
    "the CIFAR-10 files; MNIST comes from the cache.",
)

LINREG = Demonstration(
    name="linreg",
    dataset="generated",
    title="pt_linreg: a line fitted by gradient descent, gradients by hand next to autograd's (lab 3)",
    show=show_linreg,
    claim="the hand-derived gradients of the squared error equal autograd's",
    notes="The loss is the mean squared error (the lab sums it; the mean keeps one learning rate good for any "
    "number of points). --epochs sets the number of steps, --lr the learning rate, --seed the noisy points.",
)

LESSONS = (FASHION_INIT, GMM_DEPTH, GMM_LAMBDA, GMM_MANY, CIFAR_FC, FILTERS, LINREG)
