"""The self-contained HTML report of a run: results table, pictures (embedded), recipes, environment."""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any

from shootout.data.files import atomic_write_bytes
from shootout.experiments.rundir import RunFolderError

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: right; }
th:first-child, td:first-child, td:last-child { text-align: left; }
.met { color: #1a7f37; font-weight: bold; } .missed { color: #cf222e; font-weight: bold; }
figure { display: inline-block; margin: 0.5em; vertical-align: top; }
figure img { max-width: 520px; border: 1px solid #eee; }
figcaption { font-size: 0.85em; color: #555; max-width: 520px; }
pre { background: #f6f8fa; padding: 0.6em; overflow-x: auto; font-size: 0.8em; }
"""


def _e(value: Any) -> str:
    return html.escape(str(value))


def _num(value: Any, digits: int = 4) -> str:
    return "" if value is None else f"{value:.{digits}f}" if isinstance(value, float) else _e(value)


def _image(folder: Path, relative: str, caption: str) -> str:
    path = folder / relative
    if not path.is_file():
        return f"<p>missing picture: {_e(relative)}</p>"
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (
        f'<figure><img alt="{_e(caption)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


def _results_table(results: list[dict[str, Any]]) -> str:
    head = (
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
    rows = ["<tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>"]
    for r in results:
        met = (
            ""
            if r["met"] is None
            else ('<span class="met">yes</span>' if r["met"] else '<span class="missed">no</span>')
        )
        cells = (
            _e(r["model"]),
            _num(r["test_accuracy"]),
            _num(r["target"], 3),
            met,
            _num(r.get("train_accuracy")),
            _num(r.get("average_precision")),
            _num(r["train_seconds"], 2),
            _e(r["epochs"]),
            f"{r['params']:,}",
            _e(r.get("note", "")),
        )
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return "<table>" + "".join(rows) + "</table>"


def _demonstration(shown: dict[str, Any]) -> list[str]:
    """A demonstration's tables and facts (it has no contestants to rank)."""
    parts = []
    for table in shown.get("tables", []):
        head = "<tr>" + "".join(f"<th>{_e(c)}</th>" for c in table["columns"]) + "</tr>"
        body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in table["rows"])
        parts.append(f"<h3>{_e(table['caption'])}</h3><table>{head}{body}</table>")
    facts = shown.get("facts", {})
    if facts:
        parts.append("<ul>" + "".join(f"<li>{_e(k)}: {_e(v)}</li>" for k, v in facts.items()) + "</ul>")
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
    return [f"<p>{_e(text)}.</p>"]


def _extras(r: dict[str, Any], env: dict[str, Any]) -> str:
    facts = []
    if r.get("world_size", 1) > 1:
        batch = env.get("global_batch_size", {}).get(r["model"])
        share = "full batch" if batch is None else f"global batch {batch}, {batch // r['world_size']} a process"
        seeds = ", ".join(map(str, r.get("rank_seeds", [])))
        facts.append(f"trained by {r['world_size']} processes together ({share}); the ranks' seeds: {seeds}")
    if r.get("train_samples") is not None:
        facts.append(f"trained on {r['train_samples']:,} samples ({r.get('support_vectors', '?')} support vectors)")
    if r.get("initial_loss") is not None:
        accuracy = f", accuracy {r['initial_accuracy']:.4f}" if r.get("initial_accuracy") is not None else ""
        facts.append(f"the untrained model: loss {r['initial_loss']:.4f}{accuracy}")
    if r.get("best_epoch") is not None:
        facts.append(
            f"best validation epoch: {r['best_epoch']}" + (" (stopped early)" if r.get("stopped_early") else "")
        )
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
    return "<ul>" + "".join(f"<li>{_e(f)}</li>" for f in facts) + "</ul>"


def render_report(folder: Path, metrics: dict[str, Any]) -> str:
    """The HTML text of the report for the run folder ``folder`` (pictures read from it and embedded)."""
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>shootout: {_e(metrics['experiment'])}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{_e(metrics['experiment'])}</h1><p>{_e(metrics.get('title', ''))}</p>",
        f"<p>Dataset: <b>{_e(metrics['dataset'])}</b>. The seed claims: {_e(metrics.get('claim', ''))}</p>",
    ]
    if metrics.get("notes"):
        parts.append(f"<p>{_e(metrics['notes'])}</p>")
    if metrics.get("options", {}).get("train_samples") is not None:
        parts.append(
            f"<p><b>Trained on a seeded, stratified subset of {metrics['train_samples']:,} of the "
            f"{metrics['train_samples_available']:,} training samples</b> (--train-samples); "
            "accuracies are not comparable with a run on all of them.</p>"
        )
    if metrics.get("resumed"):
        parts.append("<p>This run was interrupted and resumed from its last checkpoint (--resume).</p>")
    parts += _processes(metrics)
    if "demonstration" in metrics:
        parts += _demonstration(metrics["demonstration"])
    else:
        parts += ["<h2>Results (official test split)</h2>", _results_table(metrics["results"])]
    for picture in metrics.get("pictures", []):
        parts.append(_image(folder, picture["file"], picture["caption"]))
    for r in metrics["results"]:
        parts.append(f"<h2>{_e(r['model'])}</h2>")
        parts.append(_extras(r, metrics.get("environment", {})))
        parts.extend(_image(folder, p["file"], p["caption"]) for p in r.get("pictures", []))
        parts.append(
            "<details><summary>recipe</summary><pre>" + _e(json.dumps(r["recipe"], indent=2)) + "</pre></details>"
        )
    env = metrics.get("environment", {})
    parts.append(
        "<h2>Environment</h2><table>"
        + "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in env.items())
        + "</table>"
    )
    parts.append(
        f"<p>Created {_e(metrics.get('created', ''))}; whole run "
        f"{_num(metrics.get('total_seconds'), 1)} s.</p></body></html>"
    )
    return "\n".join(parts)


def write_report(folder: Path, metrics: dict[str, Any]) -> Path:
    """Write ``report.html`` into ``folder`` atomically."""
    target = Path(folder) / "report.html"
    atomic_write_bytes(target, render_report(Path(folder), metrics).encode())
    return target


def rebuild_report(run_dir: str | Path) -> Path:
    """Write the report again from a run folder's ``metrics.json`` and pictures."""
    folder = Path(run_dir)
    metrics_path = folder / "metrics.json"
    if not metrics_path.is_file():
        raise RunFolderError(f"{metrics_path} not found: is {folder} a completed run folder?")
    try:
        metrics = json.loads(metrics_path.read_text())
    except json.JSONDecodeError as exc:
        raise RunFolderError(f"{metrics_path}: not valid JSON ({exc})") from None
    return write_report(folder, metrics)
