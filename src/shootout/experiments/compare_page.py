"""A comparison as files: the page (the table with a header per run, the chart of every run's contestants, the
runs), the CSV and the chart, each written atomically."""

from __future__ import annotations

from pathlib import Path

from shootout.data.files import atomic_write_bytes
from shootout.experiments.compare import MEASURES, Comparison
from shootout.experiments.html import escape, page, png_figure, table
from shootout.experiments.report import measured_on

FILES = ("compare.html", "compare.csv", "compare.png")

HEADINGS = {"accuracy": "test accuracy", "seconds": "train seconds", "params": "params"}


def chart(comparison: Comparison, path: Path) -> Path:
    """Every contestant of every column as test accuracy against training seconds, a colour per column."""
    from shootout.plots import Point, accuracy_vs_seconds

    points = [
        Point(
            model,
            cell["seconds"].mean,
            cell["accuracy"].mean,
            group=column.label,
            accuracy_std=cell["accuracy"].std,
            seconds_range=(cell["seconds"].low, cell["seconds"].high) if cell["seconds"].n > 1 else None,
        )
        for column in comparison.columns
        for model in comparison.models
        if (cell := comparison.cells.get((model, column.label))) is not None
    ]
    caption = (
        "Where a column averages several runs: vertical bars span ± one standard deviation of the accuracy, "
        "horizontal bars the fastest to the slowest run."
    )
    return accuracy_vs_seconds(points, path, "test accuracy against training seconds", caption)


def _table(comparison: Comparison) -> str:
    """The table, a group of three columns per run under its name; best cells marked."""
    top = '<th rowspan="2">contestant</th>' + "".join(
        f'<th colspan="{len(MEASURES)}">{escape(c.label)}</th>' for c in comparison.columns
    )
    sub = "".join(f"<th>{HEADINGS[m]}</th>" for _ in comparison.columns for m in MEASURES)
    best = {(c.label, m): comparison.best(c, m) for c in comparison.columns for m in MEASURES}
    rows = []
    for model in comparison.models:
        row: list = [escape(model)]
        for column in comparison.columns:
            stats = comparison.cells.get((model, column.label))
            for measure in MEASURES:
                text = escape(stats[measure].text(measure)) if stats else ""
                row.append((text, "best" if model in best[column.label, measure] else ""))
        rows.append(row)
    return table((), rows, head_html=f"<tr>{top}</tr><tr>{sub}</tr>")


def _runs(comparison: Comparison, splits: dict[str, str]) -> str:
    """Which folders each column holds, and what its accuracy is measured on."""
    rows = [
        (
            escape(c.label),
            (escape(c.experiment), "text"),
            (escape(c.dataset), "text"),
            (escape(", ".join(c.seeds)), "text"),
            ("<br>".join(escape(f) for f in c.folders), "text"),
            (escape(splits.get(c.dataset, "")), "text"),
            (escape(c.claim), "text"),
        )
        for c in comparison.columns
    ]
    return table(("column", "experiment", "dataset", "seeds", "run folders", "test split", "claim"), rows)


def render_comparison(comparison: Comparison, chart_png: bytes, splits: dict[str, str]) -> str:
    """The self-contained HTML of a comparison; ``splits`` says, per dataset, what the test split is."""
    runs = sum(len(c.folders) for c in comparison.columns)
    parts = [
        f"<h1>Comparison of {runs} run{'s' if runs > 1 else ''}</h1>",
        "<p class='lead'>A row per contestant, a column per run; runs of one experiment that differ only in "
        "their seed share a column and show mean ± standard deviation. Best in each column: highest test "
        "accuracy, fewest training seconds, fewest parameters.</p>",
        _table(comparison),
        png_figure(chart_png, "Test accuracy against training seconds (log scale), a colour per column."),
        "<h2>Runs</h2>",
        _runs(comparison, splits),
    ]
    return page("shootout: comparison", parts)


def write_comparison(comparison: Comparison, out: str | Path) -> dict[str, Path]:
    """Write compare.html (self-contained, the chart embedded), compare.csv and compare.png into ``out``, each
    atomically; returns their paths by name."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {name: out / name for name in FILES}
    chart(comparison, paths["compare.png"])
    atomic_write_bytes(paths["compare.csv"], comparison.csv().encode())
    splits = {c.dataset: measured_on(c.dataset) for c in comparison.columns}
    document = render_comparison(comparison, paths["compare.png"].read_bytes(), splits)
    atomic_write_bytes(paths["compare.html"], document.encode())
    return paths
