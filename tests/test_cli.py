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


# What every command says of a file in another encoding: the loader's message.
LATIN_ERROR = r"is not 'utf-8-sig' text: the byte b'\\xe9' on line 2 cannot be decoded.*encoding='latin-1'"


def _latin_csv(path, source):
    """``source`` written in latin-1, with an accented first title (not UTF-8 then)."""
    text = Path(source).read_text(encoding="utf-8").splitlines()
    text[1] = "caf\u00e9" + text[1][text[1].index(","):]
    path.write_text("\n".join(text) + "\n", encoding="latin-1")
    return path


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
        (["fit", "--data", "{train}", "--label-col", "label", "--out", "{folder}/m2",
          "--model-name-or-path", "./no/such/model"], "'--model-name-or-path' parameter: no such model"),
        (["fit", "--data", "{train}", "--label-col", "label", "--out", "{folder}/m2",
          "--encoding", "utf-9"], "The 'encoding' parameter 'utf-9' is not an encoding"),
        (["fit", "--data", "{latin}", "--label-col", "label", "--out", "{folder}/m2"], LATIN_ERROR),
        (["evaluate", "--model", "{model}", "--data", "{latin}"], LATIN_ERROR),
        (["predict", "--model", "{model}", "--data", "{latin}", "--out", "{folder}/p.csv"], LATIN_ERROR),
        (["evaluate", "--model", "{model}", "--data", "{na_label}"],
         r"row 1 \(line 3\) has a missing 'label' \('NA'\)"),
        (["evaluate", "--model", "{model}", "--data", "{two_spellings}"],
         r"the label '1.0' of row 1 \(line 3\) is the number '1' of row 0"),
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
        "latin": _latin_csv(folder / "latin.csv", files["test"]),
        "na_label": _write_csv(folder / "na.csv", [("t", "a", 1), ("t", "b", "NA")],
                               ["title", "text", "label"]),
        "two_spellings": _write_csv(folder / "spellings.csv", [("t", "a", "1"), ("t", "b", "1.0")],
                                    ["title", "text", "label"]),
    }
    with pytest.raises(SystemExit) as exc_info:
        main([part.format(**paths) for part in argv])
    assert exc_info.value.code == 2
    err = capsys.readouterr().err
    assert re.search(err_msg, err), err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_cli_encoding_option_reads_other_encodings(model_dir, files, capsys):
    """Check that --encoding makes evaluate and predict read a latin-1 file, and fit decode it."""
    latin = _latin_csv(files["folder"] / "latin_ok.csv", files["test"])
    assert main(["evaluate", "--model", str(model_dir), "--data", str(latin), "--encoding", "latin-1",
                 "--threads", "1", "--quiet"]) == 0
    assert "Imbalance report (50 rows)" in capsys.readouterr().out
    out = files["folder"] / "latin_predictions.csv"
    assert main(["predict", "--model", str(model_dir), "--data", str(latin), "--out", str(out),
                 "--encoding", "latin-1", "--threads", "1", "--quiet"]) == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 51
    # fit decodes the file, then refuses its one class: no training needed to show it
    one_class = files["folder"] / "latin_one.csv"
    one_class.write_text("text,label\n" + "caf\u00e9,0\n" * 6, encoding="latin-1")
    with pytest.raises(SystemExit):
        main(["fit", "--data", str(one_class), "--label-col", "label", "--out",
              str(files["folder"] / "m3"), "--encoding", "latin-1"])
    assert "at least 2 classes" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["fit", "--data", "x.csv", "--label-col", "y", "--out", "m",
                                   "--seed", "-1"]])
def test_cli_invalid_options_exit_2(argv, capsys):
    """Check that a bad option value (a negative seed) exits with argparse's status 2."""
    with pytest.raises(SystemExit) as exc_info:
        main(argv)
    assert exc_info.value.code == 2
    assert "must be an integer >= 0" in capsys.readouterr().err


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
    for option in ("--data", "--encoding", "--threads", "--quiet"):
        assert option in out
