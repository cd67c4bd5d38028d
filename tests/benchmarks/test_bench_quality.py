"""Smoke tests of benchmarks/bench_quality.py: the row registry, the split, the metrics, resuming."""

import importlib
import json
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone

from sk_textrec.datasets import make_product_reviews

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def bench():
    """The benchmark's modules, imported the way the script imports them (benchmarks/ on the path)."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        yield {name: importlib.import_module(name)
               for name in ("bench_quality", "_quality_rows", "_quality_tasks", "_quality_report")}
    finally:
        sys.path.remove(str(BENCHMARKS))


@pytest.fixture
def data_dir(tmp_path):
    """A data folder with a synthetic clothing-reviews dev.csv (titles, both targets, repeated texts)."""
    frame = make_product_reviews(240, positive_rate=0.15, random_state=0, as_frame=True)
    frame["title"] = [" ".join(text.split()[:3]) if i % 7 else "" for i, text in enumerate(frame["text"])]
    frame["recommended_ind"] = ((frame["rating"] >= 4) | ((frame["rating"] == 3) & (frame.index % 2 == 0))).astype(int)
    frame.loc[200:219, "text"] = frame.loc[0:19, "text"].to_numpy()  # the same review posted twice
    frame["review_id"] = np.arange(len(frame))
    folder = tmp_path / "data" / "womens_clothing_reviews"
    folder.mkdir(parents=True)
    frame.to_csv(folder / "dev.csv", index=False)
    return tmp_path / "data"


def test_bench_quality_registry_builds_clonable_estimators(bench):
    """Check that every row builds an unfitted, clonable estimator or is a runner, on a known task."""
    rows = bench["_quality_rows"]
    ctx = rows.Context(model_path="unused", model_label="unused", cache_dir=Path("unused"), out_dir=Path("unused"),
                       setfit_python=Path("unused"))
    assert len(rows.ROWS) >= 19
    for row in rows.ROWS.values():
        if row.build is None:
            assert callable(row.run)
            continue
        estimator = row.build(ctx)
        assert hasattr(estimator, "predict_proba"), row.name
        clone(estimator)
    for key, reference in rows.REFERENCE.items():
        assert (rows.ROWS[reference].task, rows.ROWS[reference].target, rows.ROWS[reference].inputs) == \
            (*key, "title+text")


@pytest.mark.parametrize("params, err_msg", [
    ({"build": None, "run": None}, "exactly one of build and run"),
    ({"target": "stars"}, "unknown target 'stars'"),
    ({"inputs": "body"}, "inputs 'body'"),
])
def test_bench_quality_row_rejects_bad_definitions(bench, params, err_msg):
    """Check that a row with no builder, an unknown target or input form is refused when registered."""
    rows = bench["_quality_rows"]
    with pytest.raises(ValueError, match=err_msg):
        rows.Row(**{"name": "x", "task": "clothing", "target": "low", "description": "", "build": print, **params})


def test_bench_quality_split_keeps_identical_texts_on_one_side(bench, data_dir):
    """Check that the split is 70/30, stratified on both targets, and never splits identical texts."""
    tasks = bench["_quality_tasks"]
    frame, test = tasks.load_task("clothing", data_dir)
    assert set(frame.loc[test, "text"]).isdisjoint(frame.loc[~test, "text"])
    assert abs(test.mean() - tasks.TEST_SIZE) < 0.03
    for target in ("low", "notrec"):
        y = tasks.TASKS["clothing"].targets[target][1](frame)
        assert abs(y[test].mean() - y[~test].mean()) < 0.05
    frame_again, test_again = tasks.load_task("clothing", data_dir)
    np.testing.assert_array_equal(test, test_again)


def test_bench_quality_metrics_relations(bench):
    """Check that intervals hold their estimate, a model equals itself, and the tail is the rare classes."""
    tasks = bench["_quality_tasks"]
    rng = np.random.default_rng(0)
    y = (rng.random(400) < 0.2).astype(int)
    score = np.clip(0.3 * y + rng.random(400) * 0.7, 0, 1)
    proba = np.column_stack([1 - score, score])
    decisions = (score >= 0.5).astype(int)
    metrics = tasks.binary_metrics(y, proba, decisions)
    assert metrics["f1_ci"][0] <= metrics["f1"] <= metrics["f1_ci"][1]
    assert metrics["average_precision_ci"][0] <= metrics["average_precision"] <= metrics["average_precision_ci"][1]
    assert tasks.binary_metrics(y, np.column_stack([1 - y, y]), y)["f1"] == 1.0
    same = tasks.paired_difference(y, decisions, proba, decisions, proba)
    assert same["f1"] == 0 and same["f1_ci"] == [0.0, 0.0] and same["average_precision_ci"] == [0.0, 0.0]

    y_train = np.array(["a"] * 60 + ["b"] * 39 + ["c"])
    y_test = np.array(["a", "b", "c", "c"], dtype=object)
    multiclass = tasks.multiclass_metrics(y_test, np.array(["a", "b", "c", "a"], dtype=object), y_train)
    assert multiclass["tail_classes"] == ["c"]
    assert multiclass["tail_recall"] == 0.5 and multiclass["tail_test_rows"] == 2
    assert multiclass["macro_f1_ci"][0] <= multiclass["macro_f1"] <= multiclass["macro_f1_ci"][1]


def test_bench_quality_bootstrap_average_precision_matches_sklearn(bench):
    """Check that the vectorised PR-AUC of the resamples equals scikit-learn's, ties included."""
    from sklearn.metrics import average_precision_score

    rng = np.random.default_rng(0)
    y = rng.random((30, 60)) < 0.2
    score = np.round(rng.random((30, 60)), 1)
    ours = bench["_quality_tasks"]._average_precision(y, score)
    for row in range(30):
        if y[row].any():
            assert ours[row] == pytest.approx(average_precision_score(y[row], score[row]), abs=1e-12)
        else:
            assert np.isnan(ours[row])


def test_bench_quality_tfidf_rows_run_resume_and_report(bench, data_dir, tmp_path, capsys):
    """Check that TF-IDF rows write their JSON and scores, are skipped when rerun, and are reported."""
    out_dir = tmp_path / "out"
    common = ["--data-dir", str(data_dir), "--out-dir", str(out_dir), "--quick"]
    names = "tfidf-text-low,tfidf-title-text-low"
    assert bench["bench_quality"].main([*common, "--only", names, "--model", "tiny"]) == 0
    for name in names.split(","):
        payload = json.loads((out_dir / f"{name}.json").read_text())
        assert payload["status"] == "done" and payload["run_key"]["n_rows"] == 600
        metrics = payload["metrics"]
        assert metrics["f1_ci"][0] <= metrics["f1"] <= metrics["f1_ci"][1]
        assert payload["decision_rule"] == "tuned threshold" and 0 < payload["threshold"] < 1
        saved = np.load(out_dir / payload["scores_file"])
        assert saved["test_proba"].shape == (payload["data"]["test_rows"], 2)
        assert saved["test_proba"].dtype == np.float32
        np.testing.assert_array_equal(saved["test_decisions"], saved["test_proba"][:, 1] >= payload["threshold"])

    capsys.readouterr()
    assert bench["bench_quality"].main([*common, "--only", names, "--model", "tiny"]) == 0
    assert capsys.readouterr().out.count("finished earlier") == 2

    output, img_dir = tmp_path / "bench_quality.json", tmp_path / "img"
    bench["bench_quality"].main([*common, "--report", "--output", str(output), "--img-dir", str(img_dir)])
    report = json.loads(output.read_text())
    assert "ΔF1 vs ref" in report["markdown"] and "tfidf-title-text-low (ref)" in report["markdown"]
    assert report["rows"]["tfidf-text-low"]["vs_reference"]["row"] == "tfidf-title-text-low"
    assert (img_dir / "quality.png").stat().st_size > 0


def test_bench_quality_blend_learns_on_the_bert_rows_common_holdout(bench, data_dir, tmp_path, monkeypatch):
    """Check a blend of two saved BERT rows + TF-IDF: one weight per model, their training minutes, same holdout."""
    rows = bench["_quality_rows"]
    bert_rows = ("bert-pair-head-tail-low", "bert-pair-aux-low")
    monkeypatch.setitem(rows.ROWS, "blend-two", rows.Row("blend-two", "clothing", "low", "blend", inputs="title+text",
                                                         run=rows.blend_with_tfidf(*bert_rows)))
    out_dir = tmp_path / "out"
    common = ["--data-dir", str(data_dir), "--out-dir", str(out_dir), "--quick", "--model", "tiny"]
    assert bench["bench_quality"].main([*common, "--only", ",".join(bert_rows)]) == 0
    assert bench["bench_quality"].main([*common, "--only", "blend-two"]) == 0

    payload = json.loads((out_dir / "blend-two.json").read_text())
    blend = payload["extra"]["blend"]
    assert list(blend["weights"]) == [*bert_rows, "tfidf"]
    assert set(blend["bert_fit_minutes"]) == set(bert_rows) and min(blend["bert_fit_minutes"].values()) > 0
    saved = {name: np.load(out_dir / f"{name}.npz") for name in (*bert_rows, "blend-two")}
    for name in bert_rows:
        np.testing.assert_array_equal(saved[name]["holdout_ids"], saved["blend-two"]["holdout_ids"])

    # A BERT row whose holdout is another split's is refused, not blended.
    moved = dict(saved[bert_rows[1]])
    moved["holdout_ids"] = np.roll(moved["holdout_ids"], 1)
    np.savez(out_dir / f"{bert_rows[1]}.npz", **moved)
    assert bench["bench_quality"].main([*common, "--only", "blend-two", "--force", "blend-two"]) == 1
    assert "holdout is not this split's" in json.loads((out_dir / "blend-two.json").read_text())["error"]


def test_bench_quality_failed_row_is_recorded_and_retried(bench, data_dir, tmp_path, monkeypatch, capsys):
    """Check that a row that raises is written with its error, does not stop the run, and runs again."""
    rows = bench["_quality_rows"]

    def broken(ctx, split):
        raise RuntimeError("setfit is not installed here")

    monkeypatch.setitem(rows.ROWS, "broken", rows.Row("broken", "clothing", "low", "fails", run=broken))
    out_dir = tmp_path / "out"
    args = ["--data-dir", str(data_dir), "--out-dir", str(out_dir), "--quick", "--model", "tiny", "--only", "broken"]
    assert bench["bench_quality"].main(args) == 1
    payload = json.loads((out_dir / "broken.json").read_text())
    assert payload["status"] == "failed" and "setfit is not installed here" in payload["error"]
    capsys.readouterr()
    bench["bench_quality"].main(args)
    assert "finished earlier" not in capsys.readouterr().out


def test_bench_quality_real_split_matches_issue(bench):
    """Check that the real clothing split has about 10.5% and 18% positives on both sides, disjoint texts."""
    tasks = bench["_quality_tasks"]
    data_dir = Path(bench["bench_quality"].shared_data_dir())
    if not (data_dir / tasks.TASKS["clothing"].file).exists():
        pytest.skip(f"shared data not found in {data_dir}")
    frame, test = tasks.load_task("clothing", data_dir)
    assert set(frame.loc[test, "text"]).isdisjoint(frame.loc[~test, "text"])
    for target, share in (("low", 0.105), ("notrec", 0.181)):
        y = tasks.TASKS["clothing"].targets[target][1](frame)
        assert abs(y[test].mean() - share) < 0.01 and abs(y[~test].mean() - share) < 0.01


def test_bench_quality_attacks_edit_every_field_and_keep_the_form(bench):
    import pandas as pd

    from sk_textrec.augmentation import CharacterNoise

    rows = bench["_quality_rows"]
    pairs = pd.DataFrame({"title": ["great dress", ""], "text": ["fits well and looks lovely", "too small"]})
    noise = CharacterNoise(p=0.5)
    edited = rows.attacked(pairs, noise)
    assert list(edited.columns) == ["title", "text"] and len(edited) == 2
    assert edited.loc[0, "title"] != "great dress" and edited.loc[0, "text"] != pairs.loc[0, "text"]
    assert edited.loc[1, "title"] == ""  # empty fields stay empty
    assert pairs.loc[0, "title"] == "great dress"  # the input is not edited in place
    single = rows.attacked(["fits well and looks lovely"], noise)
    assert isinstance(single, list) and len(single) == 1
    assert rows.attacked(pairs, noise).equals(edited)  # seeded: the same edits every run
    assert set(rows.ATTACKS) == {"character-noise", "synonym-replacement"}
