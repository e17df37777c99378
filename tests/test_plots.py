import matplotlib.pyplot as plt
import numpy as np
import pytest

from shootout.plots import graph_data, graph_surface, image_grid, save_figure, weight_images


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _png_size(path):
    image = plt.imread(path)
    return image.shape


def test_backend_is_headless():
    import matplotlib

    assert matplotlib.get_backend().lower() == "agg"


def test_graph_surface_draws_the_function_and_its_offset_contour(tmp_path):
    def score(X):
        return X[:, 0] - X[:, 1]  # boundary at offset 0: the diagonal

    ax = graph_surface(score, ((-1, -1), (1, 1)), offset=0, width=40, height=30, path=tmp_path / "s.png")
    mesh = ax.collections[0]
    values = np.asarray(mesh.get_array()).reshape(30, 40)
    assert values[0, -1] > 0 > values[-1, 0]  # bottom-right positive, top-left negative
    assert len(ax.collections) == 2  # the surface and the contour at the offset
    assert _png_size(tmp_path / "s.png")[2] in (3, 4)


def test_graph_data_marks_wrong_points_as_squares_and_special_ones_large(tmp_path):
    X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
    Y_ = np.array([0, 1, 1, 0])
    Y = np.array([0, 1, 0, 0])  # index 2 is wrong
    ax = graph_data(X, Y_, Y, special=[3], path=tmp_path / "d.png")
    correct, wrong = ax.collections
    np.testing.assert_array_equal(wrong.get_offsets(), [[2.0, 2.0]])
    assert sorted(correct.get_sizes().tolist()) == [20.0, 20.0, 40.0]
    assert (tmp_path / "d.png").stat().st_size > 0


def test_graph_data_refuses_mismatched_inputs():
    with pytest.raises(ValueError, match="N×2"):
        graph_data(np.zeros((3, 3)), np.zeros(3, int), np.zeros(3, int))


def test_save_figure_leaves_no_temporary_files(tmp_path):
    plt.plot([0, 1], [0, 1])
    save_figure(tmp_path / "line.png")
    assert [p.name for p in tmp_path.iterdir()] == ["line.png"]


def _red_pixels(path):
    rgb = plt.imread(path)[..., :3]
    return int(np.sum((rgb[..., 0] > 0.8) & (rgb[..., 1] < 0.2) & (rgb[..., 2] < 0.2)))


def test_image_grid_frames_only_wrong_predictions_in_red(tmp_path):
    images = np.random.default_rng(0).integers(0, 17, size=(3, 8, 8, 1), dtype=np.uint8)
    image_grid(images, [0, 1, 2], [0, 1, 2], ["a", "b", "c"], tmp_path / "right.png", "all right", columns=3)
    image_grid(images, [0, 1, 2], [0, 2, 2], ["a", "b", "c"], tmp_path / "wrong.png", "one wrong", columns=3)
    assert _red_pixels(tmp_path / "right.png") == 0
    assert _red_pixels(tmp_path / "wrong.png") > 100  # a frame of 3 points around one image, and its caption


@pytest.mark.parametrize(
    "image",
    [
        np.random.default_rng(1).integers(0, 17, size=(8, 8, 1), dtype=np.uint8),  # grey: its own scale
        np.random.default_rng(2).integers(0, 256, size=(4, 5, 3), dtype=np.uint8),
        np.random.default_rng(3).normal(0.5, 0.5, size=(4, 4, 3)),  # float colour: clipped to [0, 1]
    ],
)
def test_grid_images_get_the_colours_imshow_gives_them(image):
    from shootout.plots.images import _rgba

    shown = image[..., 0] if image.shape[-1] == 1 else image if image.dtype == np.uint8 else np.clip(image, 0, 1)
    _, ax = plt.subplots()
    drawn = ax.imshow(shown, cmap="gray")
    np.testing.assert_allclose(_rgba(image), drawn.to_rgba(drawn.get_array(), norm=True), atol=1e-6)


def test_weight_images_refuse_a_shape_that_does_not_match(tmp_path):
    with pytest.raises(ValueError, match="W has 10 rows"):
        weight_images(np.zeros((10, 3)), (2, 2, 1), ["a", "b", "c"], tmp_path / "w.png")
