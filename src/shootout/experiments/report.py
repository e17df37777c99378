"""The self-contained HTML report of a run: the answer first, then each contestant, the recipes, the environment.

The answer is the results table, the chart of test accuracy against training seconds (targets marked, the
claim under it) and the learning curves. Each contestant's details follow, collapsed, with pictures drawn
large enough to read their labels. A demonstration (no contestants) shows its tables and pictures instead.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shootout.data.files import atomic_write_bytes
from shootout.experiments.html import escape, file_figure, number, page, table
from shootout.experiments.pictures import CURVES, TRADEOFF, tradeoff_picture
from shootout.experiments.rundir import RunFolderError

RESULT_COLUMNS = (
    "model",
    "test accuracy",
    "target",
    "met",
    "train accuracy",
    "average precision",
    "train seconds",
    "epochs",
    "params",
    "note",
)


def measured_on(dataset: str) -> str:
    """What the test accuracy is measured on (empty for data the runs make themselves)."""
    from shootout.data import DatasetError, describe_test_split

    try:
        return describe_test_split(dataset)
    except DatasetError:  # a demonstration's own data ("generated") or several datasets
        return ""


def _met(met: bool | None) -> str:
    if met is None:
        return ""
    return '<span class="met">yes</span>' if met else '<span class="missed">no</span>'


def results_table(results: list[dict[str, Any]]) -> str:
    """The results as an HTML table, a row per contestant; the best test accuracy stands out."""
    best = max((r["test_accuracy"] for r in results), default=None)
    rows = [
        (
            escape(r["model"]),
            (number(r["test_accuracy"]), "best" if r["test_accuracy"] == best and len(results) > 1 else ""),
            number(r["target"], 3),
            _met(r["met"]),
            number(r.get("train_accuracy")),
            number(r.get("average_precision")),
            number(r["train_seconds"], 2),
            escape(r["epochs"]),
            f"{r['params']:,}",
            (escape(r.get("note", "")), "text"),
        )
        for r in results
    ]
    return table(RESULT_COLUMNS, rows)


def _demonstration(shown: dict[str, Any]) -> list[str]:
    """A demonstration's tables and facts (it has no contestants to rank)."""
    parts = []
    for shown_table in shown.get("tables", []):
        rows = [[escape(c) for c in row] for row in shown_table["rows"]]
        parts.append(f"<h3>{escape(shown_table['caption'])}</h3>" + table(shown_table["columns"], rows))
    facts = shown.get("facts", {})
    if facts:
        parts.append("<ul>" + "".join(f"<li>{escape(k)}: {escape(v)}</li>" for k, v in facts.items()) + "</ul>")
    return parts


def _processes(metrics: dict[str, Any]) -> list[str]:
    """How a run of several processes shared the work (nothing for a run of one)."""
    env = metrics.get("environment", {})
    size = env.get("world_size", 1)
    if size <= 1:
        return []
    together = [r["model"] for r in metrics["results"] if r.get("world_size", 1) > 1]
    alone = [r["model"] for r in metrics["results"] if r.get("world_size", 1) == 1]
    text = f"Trained by {size} processes ({env.get('backend')})"
    if together:
        text += (
            f": {', '.join(together)} together with DistributedDataParallel, each process on its share of "
            "every global batch; their validation and test scores count every sample once"
        )
    if alone:
        text += f"; {', '.join(alone)} on rank 0 alone (they train in one process)"
    return [f"<p>{escape(text)}.</p>"]


def _facts(r: dict[str, Any], env: dict[str, Any]) -> str:
    """What the table has no room for: samples, the untrained model, early stopping, AP, per-class scores."""
    facts = []
    if r.get("world_size", 1) > 1:
        batch = env.get("global_batch_size", {}).get(r["model"])
        share = "full batch" if batch is None else f"global batch {batch}, {batch // r['world_size']} a process"
        seeds = ", ".join(map(str, r.get("rank_seeds", [])))
        facts.append(f"trained by {r['world_size']} processes together ({share}); the ranks' seeds: {seeds}")
    if r.get("train_samples") is not None:
        how = [f"{r['support_vectors']:,} support vectors"] if r.get("support_vectors") is not None else []
        if r.get("pca_components"):
            how.append(f"PCA to {r['pca_components']} components")
        if r.get("landmarks"):
            how.append(f"{r['landmarks']:,} Nystroem landmarks")
        facts.append(f"trained on {r['train_samples']:,} samples" + (f" ({', '.join(how)})" if how else ""))
    if r.get("train_accuracy") is not None:
        on = r.get("train_accuracy_samples")
        where = f"a fixed sample of {on:,} training images" if on and on >= 10_000 else "the training split"
        facts.append(f"train accuracy (the returned weights on {where}): {r['train_accuracy']:.4f}")
    if r.get("initial_loss") is not None:
        accuracy = f", accuracy {r['initial_accuracy']:.4f}" if r.get("initial_accuracy") is not None else ""
        facts.append(f"the untrained model: loss {r['initial_loss']:.4f}{accuracy}")
    if r.get("best_epoch") is not None:
        facts.append(
            f"best validation epoch: {r['best_epoch']}" + (" (stopped early)" if r.get("stopped_early") else "")
        )
    if r.get("stop_at") is not None:
        reached = r.get("reached_target")
        facts.append(
            f"time to accuracy: stopped after epoch {reached}, whose validation accuracy reached {r['stop_at']}"
            if reached is not None
            else f"time to accuracy: the validation target {r['stop_at']} was not reached in {r.get('epochs')} epochs"
        )
    for name, accuracy in r.get("probes", {}).items():
        facts.append(f"test accuracy on {name}: {accuracy:.4f}")
    if r.get("weight_norm") is not None:
        facts.append(f"weight norm ||W||: {r['weight_norm']:.4g}")
    if r.get("average_precision") is not None:
        facts.append(f"average precision (macro, one-vs-rest): {r['average_precision']:.4f}")
    if r.get("per_class"):
        facts.append(
            "precision / recall per class: "
            + "; ".join(f"{c['class']}: {c['precision']:.3f} / {c['recall']:.3f}" for c in r["per_class"])
        )
    if r.get("top5_accuracy") is not None:
        facts.append(f"top-5 accuracy: {r['top5_accuracy']:.4f}")
    facts.append(f"test loss: {r['test_loss']:.4f}; prediction took {r['predict_seconds']:.2f}s")
    return "<ul>" + "".join(f"<li>{escape(f)}</li>" for f in facts) + "</ul>"


def _contestant(folder: Path, r: dict[str, Any], env: dict[str, Any]) -> str:
    """One contestant's section, collapsed: its numbers in the summary, its facts, pictures and recipe inside."""
    met = "" if r["met"] is None else (" — target met" if r["met"] else " — target missed")
    summary = f"<b>{escape(r['model'])}</b>: test accuracy {r['test_accuracy']:.4f} in {r['train_seconds']:.2f} s{met}"
    pictures = "".join(file_figure(folder, p["file"], p["caption"]) for p in r.get("pictures", []))
    recipe = f"<h4>recipe</h4><pre>{escape(json.dumps(r['recipe'], indent=2))}</pre>"
    return f"<details><summary>{summary}</summary>{_facts(r, env)}{pictures}{recipe}</details>"


def _answer(folder: Path, metrics: dict[str, Any], split: str) -> list[str]:
    """The results table, then accuracy against time (claim as caption), then the learning curves and the rest."""
    parts = ["<h2>Results</h2>"]
    if split:
        parts.append(f"<p>Test accuracy on {escape(split)}.</p>")
    parts.append(results_table(metrics["results"]))
    pictures = {p["file"]: p for p in metrics.get("pictures", [])}
    claim = metrics.get("claim", "")
    if (folder / TRADEOFF).is_file():  # drawn by the run, or by rebuild_report for a run made before it was
        caption = (f"Claim: {claim}. " if claim else "") + (
            "Test accuracy against training seconds (log scale); a dashed mark is the contestant's target, "
            "a hollow point one it missed."
        )
        parts.append(file_figure(folder, TRADEOFF, caption))
    elif claim:
        parts.append(f"<p>Claim: {escape(claim)}</p>")
    if CURVES in pictures:
        caption = "Learning curves: training loss and accuracy per epoch (validation dashed, test dotted)"
        parts.append(file_figure(folder, CURVES, caption))
    parts.extend(file_figure(folder, f, p["caption"]) for f, p in pictures.items() if f not in (TRADEOFF, CURVES))
    return parts


def render_report(folder: Path, metrics: dict[str, Any]) -> str:
    """The HTML text of the report for the run folder ``folder`` (pictures read from it and embedded)."""
    demonstration = "demonstration" in metrics
    split = "" if demonstration else measured_on(metrics["dataset"])
    parts = [
        f"<h1>{escape(metrics['experiment'])}</h1>",
        f"<p class='lead'>{escape(metrics.get('title', ''))}</p>",
        f"<p>Dataset: <b>{escape(metrics['dataset'])}</b>.</p>",
    ]
    if metrics.get("options", {}).get("train_samples") is not None:
        parts.append(
            f"<p><b>Trained on a seeded, stratified subset of {metrics['train_samples']:,} of the "
            f"{metrics['train_samples_available']:,} training samples</b> (--train-samples); "
            "accuracies are not comparable with a run on all of them.</p>"
        )
    if metrics.get("resumed"):
        parts.append("<p>This run was interrupted and resumed from its last checkpoint (--resume).</p>")
    parts += _processes(metrics)
    if demonstration:
        if metrics.get("claim"):
            parts.append(f"<p>Claim: {escape(metrics['claim'])}</p>")
        if metrics.get("notes"):
            parts.append(f"<p>{escape(metrics['notes'])}</p>")
        parts += _demonstration(metrics["demonstration"])
        parts += [file_figure(folder, p["file"], p["caption"]) for p in metrics.get("pictures", [])]
    else:
        parts += _answer(folder, metrics, split)
        if "summary" in metrics:  # the experiment's own comparison of its results
            parts += ["<h2>Comparison</h2>", *_demonstration(metrics["summary"])]
        if metrics.get("notes"):
            parts.append(f"<p>{escape(metrics['notes'])}</p>")
        parts.append("<h2>Contestants</h2><p>Click a contestant for its details, pictures and recipe.</p>")
        parts += [_contestant(folder, r, metrics.get("environment", {})) for r in metrics["results"]]
    env = metrics.get("environment", {})
    parts.append("<h2>Environment</h2>" + table((), [(escape(k), (escape(v), "text")) for k, v in env.items()]))
    parts.append(
        f"<p>Created {escape(metrics.get('created', ''))}; whole run {number(metrics.get('total_seconds'), 1)} s.</p>"
    )
    return page(f"shootout: {metrics['experiment']}", parts)


def write_report(folder: Path, metrics: dict[str, Any]) -> Path:
    """Write ``report.html`` into ``folder`` atomically."""
    target = Path(folder) / "report.html"
    atomic_write_bytes(target, render_report(Path(folder), metrics).encode())
    return target


def read_metrics(run_dir: str | Path) -> dict[str, Any]:
    """A completed run folder's ``metrics.json``; a RunFolderError with one clear line if it has none."""
    folder = Path(run_dir)
    metrics_path = folder / "metrics.json"
    if not metrics_path.is_file():
        raise RunFolderError(f"{metrics_path} not found: is {folder} a completed run folder?")
    try:
        return json.loads(metrics_path.read_text())
    except json.JSONDecodeError as exc:
        raise RunFolderError(f"{metrics_path}: not valid JSON ({exc})") from None


def rebuild_report(run_dir: str | Path) -> Path:
    """Write the report again from a run folder's ``metrics.json`` and pictures.

    A run made before runs drew the chart of accuracy against time gets it now (drawn from its metrics).
    """
    folder = Path(run_dir)
    metrics = read_metrics(folder)
    if metrics.get("results") and not (folder / TRADEOFF).is_file():
        tradeoff_picture(metrics["results"], folder / TRADEOFF, metrics.get("title", ""))
    return write_report(folder, metrics)
