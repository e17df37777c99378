"""The run folder's CSV tables: every contestant's history, or a demonstration's rows."""

from __future__ import annotations

import csv
import io
from typing import Any


def rows_csv(rows: list[dict[str, Any]]) -> str:
    """Rows of plain values as CSV, the columns in the order they first appear."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def history_csv(results: list[dict[str, Any]]) -> str:
    """Every contestant's per-epoch history in one table (a ``model`` column first)."""
    columns = ["model", "epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy"]
    columns += ["test_loss", "test_accuracy", "lr", "seconds"]  # test: only where the seed prints it per epoch
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for result in results:
        for row in result["history"]:
            writer.writerow({"model": result["model"], **{k: ("" if v is None else v) for k, v in row.items()}})
    return out.getvalue()
