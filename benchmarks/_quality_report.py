"""``bench_quality.py --report``: every finished row of an output folder as tables and one plot."""

import json

import numpy as np

from _common import REPO_ROOT, publish
from _quality_rows import REFERENCE, ROWS, TARGETS
from _quality_tasks import paired_difference


def load_rows(out_dir):
    """Row payloads of ``out_dir``: registered rows in run order, then any others by name."""
    payloads = {path.stem: json.loads(path.read_text()) for path in sorted(out_dir.glob("*.json"))}
    order = [name for name in ROWS if name in payloads] + sorted(set(payloads) - set(ROWS))
    return {name: payloads[name] for name in order}


def _scores(out_dir, payload):
    """Test labels, decisions and probabilities of a finished binary row, positives as 1."""
    saved = np.load(out_dir / payload["scores_file"])
    return (saved["test_labels"] == "1").astype(int), (saved["classes"][saved["test_decisions"]] == "1").astype(int), \
        saved["test_proba"]


def _fmt(value, digits=3):
    return "n/a" if value is None else f"{value:.{digits}f}"


def _ci(values):
    return f"[{values[0]:.3f}, {values[1]:.3f}]"


def _signed(value, interval):
    return f"{value:+.3f} [{interval[0]:+.3f}, {interval[1]:+.3f}]"


def add_differences(out_dir, rows):
    """``vs_reference``: paired bootstrap differences to the section's reference row, where it has one."""
    for payload in rows.values():
        reference = REFERENCE.get((payload["task"], payload["target"]))
        if payload["status"] != "done" or reference not in rows or rows[reference]["status"] != "done":
            continue
        y_true, decisions, proba = _scores(out_dir, payload)
        _, ref_decisions, ref_proba = _scores(out_dir, rows[reference])
        payload["vs_reference"] = {"row": reference,
                                   **paired_difference(y_true, decisions, proba, ref_decisions, ref_proba)}


def _binary_table(rows, key):
    reference = REFERENCE.get(key)
    compared = reference in rows
    lines = ["| row | inputs | F1 [95% CI] | " + ("ΔF1 vs ref [95% CI] | " if compared else "")
             + "precision | recall | PR-AUC [95% CI] | " + ("ΔPR-AUC vs ref [95% CI] | " if compared else "")
             + "ROC-AUC | F1 at 0.5 | decision | train min | texts/s |",
             "|---|---|---|" + ("---|" if compared else "") + "---:|---:|---|" + ("---|" if compared else "")
             + "---:|---:|---|---:|---:|"]
    for name, p in rows.items():
        m, diff = p["metrics"], p.get("vs_reference")
        delta = {metric: (_signed(diff[metric], diff[f"{metric}_ci"]) if diff and name != reference else "") + " | "
                 if compared else "" for metric in ("f1", "average_precision")}
        decision = p["decision_rule"] + (f" {p['threshold']:.3f}" if p["threshold"] is not None else "")
        lines.append(
            f"| {name}{' (ref)' if name == reference else ''} | {p['inputs']} | {m['f1']:.3f} {_ci(m['f1_ci'])} | "
            f"{delta['f1']}{m['precision']:.3f} | {m['recall']:.3f} | "
            f"{m['average_precision']:.3f} {_ci(m['average_precision_ci'])} | {delta['average_precision']}"
            f"{m['roc_auc']:.3f} | {m['f1_at_0.5']:.3f} | {decision} | {p['fit_minutes']:.1f} | "
            f"{p['predict_texts_per_second']:.0f} |")
    goals = TARGETS.get(key)
    if goals and compared:
        ref = rows[reference]["metrics"]
        bars = {metric: ref[metric] + gain for metric, gain in goals.items()}
        met = [name for name, p in rows.items() if all(p["metrics"][m] >= bar for m, bar in bars.items())]
        lines += ["", "Issue 9's target: " + ", ".join(f"{m} >= {ref[m]:.3f} + {g:.2f} = {bars[m]:.3f}"
                                                       for m, g in goals.items())
                  + f"; met by: {', '.join(met) if met else 'no row yet'}."]
    return lines


def _multiclass_table(rows):
    lines = ["| row | macro-F1 [95% CI] | accuracy | tail macro recall | tail recall (test rows) | decision | "
             "train min | texts/s |", "|---|---|---:|---:|---:|---|---:|---:|"]
    for name, p in rows.items():
        m = p["metrics"]
        lines.append(f"| {name} | {m['macro_f1']:.3f} {_ci(m['macro_f1_ci'])} | {m['accuracy']:.3f} | "
                     f"{_fmt(m['tail_macro_recall'])} | {_fmt(m['tail_recall'])} ({m['tail_test_rows']}) | "
                     f"{p['decision_rule']} | {p['fit_minutes']:.1f} | {p['predict_texts_per_second']:.0f} |")
    tail = next(iter(rows.values()))["metrics"]["tail_classes"]
    return lines + ["", f"Tail categories: {', '.join(tail)}."]


def _attack_table(group):
    """Clean and attacked-test scores of the rows scored under attacks (adversarial training)."""
    attacked = {name: p for name, p in group.items() if p["extra"].get("attacks")}
    if not attacked:
        return []
    names = list(next(iter(attacked.values()))["extra"]["attacks"])
    lines = ["", "Robustness: the same test texts edited by our augmenters (every field, seed 0), "
                 "scored at the threshold tuned on clean training rows.", "",
             "| row | clean F1 | clean PR-AUC | " + " | ".join(f"{a} F1 | {a} PR-AUC" for a in names) + " |",
             "|---|---:|---:|" + "---:|---:|" * len(names)]
    for name, payload in attacked.items():
        cells = [_fmt(payload["metrics"]["f1"]), _fmt(payload["metrics"]["average_precision"])]
        for attack in names:
            scores = payload["extra"]["attacks"][attack]
            cells += [_fmt(scores["f1"]), _fmt(scores["average_precision"])]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def sections(rows):
    """Finished rows grouped by (task, target), in run order."""
    grouped = {}
    for name, payload in rows.items():
        if payload["status"] == "done":
            grouped.setdefault((payload["task"], payload["target"]), {})[name] = payload
    return grouped


def markdown_report(rows):
    lines = []
    for key, group in sections(rows).items():
        first = next(iter(group.values()))
        data = first["data"]
        binary = "f1" in first["metrics"]
        classes = (f"test positives {data['test_classes'].get('1', 0)}" if binary
                   else f"{len(data['train_classes'])} classes")
        lines += ["", f"### {key[0]}: {first['target_description']} ({data['train_rows']} training rows, "
                      f"{data['test_rows']} test rows, {classes})", ""]
        lines += _binary_table(group, key) if binary else _multiclass_table(group)
        lines += _attack_table(group)
        for name, payload in group.items():
            for fact in ("tokenization", "setfit", "blend"):
                if fact in payload["extra"]:
                    lines += ["", f"{name} {fact}: {json.dumps(payload['extra'][fact])}"]
    failed = {name: p for name, p in rows.items() if p["status"] != "done"}
    if failed:
        lines += ["", "Rows that did not finish:", "", "| row | error |", "|---|---|"]
        lines += [f"| {name} | {p['error'][:300]} |" for name, p in failed.items()]
    done = [p for p in rows.values() if p["status"] == "done"]
    if done:
        machine = done[0]["machine"]
        cpus = {}  # the rows each CPU ran (sessions may land on different machines)
        for name, payload in rows.items():
            if payload["status"] == "done":
                cpus.setdefault(payload["machine"]["cpu_model"], []).append(name)
        if len(cpus) > 1:
            lines += ["", "CPUs: " + "; ".join(f"{cpu}: {', '.join(names)}" for cpu, names in cpus.items()) + "."]
        label = "Machine of the first row" if len(cpus) > 1 else "Machine"
        lines += ["", f"{label}: {machine['cpu_model']}, {machine['usable_cores']} usable cores, torch threads "
                      f"{machine['torch_threads']}; sk_textrec {machine['versions']['sk-textrec']}, torch "
                      f"{machine['versions']['torch']}; rows run from {min(p['machine']['date'] for p in done)} to "
                      f"{max(p['machine']['date'] for p in done)}; model {done[0]['settings']['model']}."]
    return "\n".join(lines).strip()


def plot(rows, path):
    """F1 (macro-F1) with its interval and PR-AUC (tail macro recall) per row, one panel per target."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = sections(rows)
    if not groups:
        return None
    heights = [max(len(g), 2) * 0.35 + 1 for g in groups.values()]
    fig, axes = plt.subplots(len(groups), 1, figsize=(9, sum(heights)), gridspec_kw={"height_ratios": heights},
                             squeeze=False)
    for ax, (key, group) in zip(axes[:, 0], groups.items()):
        names = list(group)[::-1]
        y = np.arange(len(names))
        binary = "f1" in next(iter(group.values()))["metrics"]
        first, second = ("f1", "average_precision") if binary else ("macro_f1", "tail_macro_recall")
        values = np.array([group[n]["metrics"][first] for n in names])
        low, high = np.array([group[n]["metrics"][f"{first}_ci"] for n in names]).T
        ax.errorbar(values, y, xerr=[values - low, high - values], fmt="o", capsize=3,
                    label=f"{'F1' if binary else 'macro-F1'} (95% CI)")
        ax.plot([np.nan if group[n]["metrics"][second] is None else group[n]["metrics"][second] for n in names], y,
                "x",
                label="PR-AUC" if binary else "tail macro recall")
        reference = REFERENCE.get(key)
        if reference in group:
            ax.axvline(group[reference]["metrics"]["f1"], color="grey", linestyle="--", linewidth=0.8,
                       label="reference F1")
            gain = TARGETS.get(key, {}).get("f1")
            if gain:
                ax.axvline(group[reference]["metrics"]["f1"] + gain, color="green", linestyle=":", linewidth=1,
                           label="target F1")
        ax.set_yticks(y, names, fontsize=8)
        ax.set_title(f"{key[0]}: {next(iter(group.values()))['target_description']}", fontsize=9)
        ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


DOCS_PAGE = REPO_ROOT / "docs" / "quality.md"
START, END = "<!-- report:start -->", "<!-- report:end -->"


def update_docs_page(markdown, page=DOCS_PAGE):
    """Replace what docs/quality.md holds between its report markers (when it has them)."""
    if not page.exists() or START not in page.read_text():
        return
    head, rest = page.read_text().split(START, 1)
    tail = rest.split(END, 1)[1]
    figure = "![F1 and PR-AUC per row](img/quality.png)\n\n"
    page.write_text(f"{head}{START}\n{figure}{markdown}\n{END}{tail}")
    print(f"updated {page}")


def report(out_dir, output, img_dir):
    rows = load_rows(out_dir)
    if not rows:
        raise SystemExit(f"no rows in {out_dir}")
    add_differences(out_dir, rows)
    path = plot(rows, img_dir / "quality.png")
    payload = {"out_dir": str(out_dir), "rows": rows,
               "plot": None if path is None else str(path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT)
                                                     else path)}
    markdown = markdown_report(rows)
    publish(payload, markdown, output)
    if output.is_relative_to(REPO_ROOT / "benchmarks" / "results"):  # the repository's own report
        update_docs_page(markdown)
