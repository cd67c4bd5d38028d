"""Tests of ``python -m sk_textrec fit | evaluate | predict`` (in-process, on a tiny BERT)."""

import csv
import json
import re
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from sk_textrec import load, make_pipeline, save
from sk_textrec.__main__ import main
from sk_textrec.datasets import make_product_reviews
from sk_textrec.feature_extraction import TfidfTextVectorizer

REPO_ROOT = Path(__file__).resolve().parents[1]


def _write_csv(path, rows, columns):
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(columns)
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """train.csv, test.csv (with a group column) and new.csv (texts only) of synthetic reviews."""
    folder = tmp_path_factory.mktemp("cli")
    texts, y = make_product_reviews(160, positive_rate=0.2, random_state=0)
    titles = [" ".join(text.split()[:2]) for text in texts]
    groups = np.where(np.arange(len(y)) % 2, "web", "app")
    rows = list(zip(titles, texts, y, groups))
    return {
        "folder": folder,
        "train": _write_csv(folder / "train.csv", [r[:3] for r in rows[:110]],
                            ["title", "text", "label"]),
        "test": _write_csv(folder / "test.csv", rows[110:], ["title", "text", "label", "channel"]),
        "new": _write_csv(folder / "new.csv", [r[:2] for r in rows[110:]], ["title", "text"]),
    }


@pytest.fixture(scope="module")
def model_dir(files, tiny_bert):
    """A model folder written by `fit` on text pairs."""
    out = files["folder"] / "model"
    status = main(["fit", "--data", str(files["train"]), "--text-col", "text", "--pair-col", "title",
                   "--label-col", "label", "--out", str(out), "--model-name-or-path", tiny_bert,
                   "--device", "cpu", "--max-epochs", "1", "--threads", "1", "--quiet"])
    assert status == 0
    return out


def test_cli_fit_saves_a_loadable_model(model_dir, capsys):
    """Check that fit writes a model folder of the tuned preset, fitted on (title, text) pairs."""
    model = load(model_dir)
    assert type(model).__name__ == "ThresholdTunedClassifier"
    assert model.estimator_.n_text_fields_ == 2
    assert model.pos_label_ == 1  # the rarer class
    manifest = json.loads((model_dir / "model.json").read_text())
    assert manifest["metadata"]["cli"]["columns"] == {"text_col": "text", "pair_col": "title",
                                                      "label_col": "label"}
    assert "110 rows of train.csv" in (model_dir / "README.md").read_text()


def test_cli_evaluate_reports_groups_plot_and_model_card(model_dir, files, capsys):
    """Check that evaluate prints the imbalance, PR-AUC and group reports, writes the plot and card."""
    pytest.importorskip("matplotlib")
    plot = files["folder"] / "curve.png"
    status = main(["evaluate", "--model", str(model_dir), "--data", str(files["test"]),
                   "--group-col", "channel", "--plot", str(plot), "--threads", "1", "--quiet"])
    out = capsys.readouterr().out
    assert status == 0
    for part in ("Imbalance report (50 rows)", "balanced_accuracy", "Per group of 'channel'",
                 "PR-AUC (average precision) of class 1:", "app", "web", "difference"):
        assert part in out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    card = (model_dir / "README.md").read_text()
    assert "Imbalance report (50 rows)" in card and "Not evaluated yet" not in card
    assert json.loads((model_dir / "evaluation.json").read_text())["rows"] == 50
    load(model_dir)  # the card and the evaluation are not part of the hashed files


def test_cli_predict_streams_chunks_in_input_order(model_dir, files):
    """Check that predict writes one row per input row, in order, equal to the model's outputs."""
    out = files["folder"] / "predictions.csv"
    status = main(["predict", "--model", str(model_dir), "--data", str(files["new"]), "--out", str(out),
                   "--chunk-rows", "7", "--threads", "1", "--quiet"])
    assert status == 0
    with open(out, newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == ["row", "proba_0", "proba_1", "label"]
    assert [int(row["row"]) for row in rows] == list(range(50))
    with open(files["new"], newline="", encoding="utf-8") as file:
        X = np.array([(row["title"], row["text"]) for row in csv.DictReader(file)], dtype=object)
    model = load(model_dir)
    proba = np.array([[float(row["proba_0"]), float(row["proba_1"])] for row in rows])
    np.testing.assert_allclose(proba, model.predict_proba(X), atol=1e-6)
    np.testing.assert_array_equal([int(row["label"]) for row in rows], model.predict(X))
    assert not list(files["folder"].glob(".predictions-*"))


def _tfidf_model_folder(path):
    """A model folder of a TF-IDF pipeline fitted on single texts (no BERT: any model works)."""
    texts, y = make_product_reviews(60, positive_rate=0.3, random_state=0)
    model = make_pipeline(TfidfTextVectorizer(min_df=1), LogisticRegression()).fit(texts, y)
    return save(model, path, overwrite=True)


@pytest.mark.parametrize(
    "argv, err_msg",
    [
        (["fit", "--data", "{folder}/absent.csv", "--label-col", "label", "--out", "{folder}/m2"],
         "No such file"),
        (["fit", "--data", "{train}", "--label-col", "stars", "--out", "{folder}/m2"],
         r"Column 'stars' \(the 'label_col' parameter\) is not in"),
        (["fit", "--data", "{one_class}", "--label-col", "label", "--out", "{folder}/m2"],
         "at least 2 classes"),
        (["fit", "--data", "{few}", "--label-col", "label", "--out", "{folder}/m2"],
         r"Classes 1 \(2\) have fewer than 5 rows"),
        (["fit", "--data", "{train}", "--label-col", "label", "--out", "{model}"],
         "exists and is not empty; pass --overwrite"),
        (["fit", "--data", "{train}", "--label-col", "label", "--out", "{folder}/m2",
          "--device", "gpu0"],
         "The 'device' parameter must be"),
        (["evaluate", "--model", "{folder}/absent", "--data", "{test}"], "No model folder"),
        (["evaluate", "--model", "{model}", "--data", "{test}", "--label-col", "channel"],
         r"Labels \['app', 'web'\] of the file are not classes of the model"),
        (["predict", "--model", "{model}", "--data", "{empty_text}", "--out", "{folder}/p.csv"],
         r"row 1 \(line 3\) has an empty 'text'"),
        (["predict", "--model", "{folder}", "--data", "{new}", "--out", "{folder}/p.csv"],
         "not an sk_textrec model folder"),
        (["predict", "--model", "{tfidf_model}", "--data", "{new}", "--out", "{folder}/p.csv",
          "--pair-col", "title"], "fitted on single texts|text pairs"),
    ],
)
def test_cli_user_errors_exit_2_with_one_line(argv, err_msg, files, model_dir, capsys):
    """Check that bad files, columns, labels and folders exit with status 2 and one line."""
    folder = files["folder"]
    paths = {
        "folder": folder, "model": model_dir, **files,
        "one_class": _write_csv(folder / "one.csv", [("good", 0)] * 12, ["text", "label"]),
        "few": _write_csv(folder / "few.csv", [("good", 0)] * 12 + [("bad", 1)] * 2, ["text", "label"]),
        "empty_text": _write_csv(folder / "blank.csv", [("a", "good"), ("b", " "), ("c", "ok")],
                                 ["title", "text"]),
        "tfidf_model": _tfidf_model_folder(folder / "tfidf_model"),
    }
    with pytest.raises(SystemExit) as exc_info:
        main([part.format(**paths) for part in argv])
    assert exc_info.value.code == 2
    err = capsys.readouterr().err
    assert re.search(err_msg, err), err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_cli_console_script_entry_point():
    """Check that pyproject's sk-textrec console script names the command line's main."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    scripts = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["sk-textrec"] == "sk_textrec.__main__:main"


@pytest.mark.parametrize("command", ["fit", "evaluate", "predict"])
def test_cli_help_lists_options(command, capsys):
    """Check that every command documents its options."""
    with pytest.raises(SystemExit) as exc_info:
        main([command, "--help"])
    assert exc_info.value.code == 0
    out = capsys.readouterr().out
    for option in ("--data", "--threads", "--quiet"):
        assert option in out
