import matplotlib.pyplot as plt
import numpy as np
import pytest

from shootout.plots import graph_data, graph_surface, save_figure


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
