"""What a run prints in the terminal: its results (or a demonstration's tables) as plain-text columns."""

from __future__ import annotations

from typing import Any


def results_table(metrics: dict[str, Any]) -> str:
    """A plain-text table of the results (a demonstration: its tables), for the terminal."""
    if "demonstration" in metrics:
        return _shown(metrics["demonstration"])
    rows = [("model", "test acc", "train acc", "target", "met", "train s", "epochs", "params")]
    for r in metrics["results"]:
        target = "" if r["target"] is None else f"{r['target']:.3f}"
        met = "" if r["met"] is None else ("yes" if r["met"] else "NO")
        train = "" if r.get("train_accuracy") is None else f"{r['train_accuracy']:.4f}"
        rows.append(
            (
                r["model"],
                f"{r['test_accuracy']:.4f}",
                train,
                target,
                met,
                f"{r['train_seconds']:.1f}",
                str(r["epochs"]),
                str(r["params"]),
            )
        )
    summary = f"\n\n{_shown(metrics['summary'])}" if "summary" in metrics else ""
    return _text_table(rows) + summary


def _shown(shown: dict[str, Any]) -> str:
    """Tables (caption over columns) and facts (one per line) as text."""
    parts = [t["caption"] + "\n" + _text_table([t["columns"], *t["rows"]]) for t in shown["tables"]]
    parts.append("\n".join(f"{key}: {value}" for key, value in shown["facts"].items()))
    return "\n\n".join(parts)


def _text_table(rows: list) -> str:
    """Rows of cells as left-aligned columns."""
    rows = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows)
