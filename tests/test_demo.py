"""Tests of ``python -m sk_textrec demo`` (run in-process on a tiny BERT)."""

import io
import re
import subprocess
import sys

import numpy as np
import pytest

from sk_textrec.__main__ import main
from sk_textrec._cli.demo import DEFAULT_MAX_LENGTH, load_demo_data, run_demo
from sk_textrec.datasets import make_product_reviews
from sk_textrec.utils import make_tiny_bert

REPORT_SECTIONS = [
    "Class balance",
    "Stratified split",
    "TF-IDF + balanced LogReg: per-class report",
    "BERT preset 'fast': per-class report",
    "precision  recall  specificity  f1-score",
    "balanced_accuracy",
    "its decision threshold tuned for the rare class's F1",
    "=== Summary",
    "decision rule",
    "Demo finished",
]
MODELS = ["TF-IDF + balanced LogReg", "BERT preset 'fast'"]


def _multiclass_csv(tmp_path):
    """A CSV of synthetic reviews whose label is a 3-level string sentiment."""
    frame = make_product_reviews(150, positive_rate=0.1, random_state=0, as_frame=True)
    frame["sentiment"] = frame["rating"].map(
        {1: "bad", 2: "bad", 3: "mixed", 4: "good", 5: "good"}
    )
    path = tmp_path / "reviews.csv"
    frame.rename(columns={"text": "body"}).to_csv(path, index=False)
    return path


def test_demo_synthetic_prints_imbalanced_report(capsys):
    """Check that the default demo prints every report section, what each model uses and PR-AUC."""
    status = main(
        ["demo", "--model", make_tiny_bert(), "--n-samples", "120", "--max-epochs", "1",
         "--device", "cpu", "--quiet"]
    )
    out = capsys.readouterr().out
    assert status == 0
    for section in REPORT_SECTIONS:
        assert section in out
    assert "120 synthetic product reviews" in out
    assert "rare class 1" in out
    assert "fine-tuned for 1 epoch(s) on cpu (the top 2 of 2 layers and the head" in out
    assert "the head; cross-entropy, no class weights, lr 0.0002" in out  # the preset's loss, as set
    assert out.count("its decision threshold tuned for the rare class's F1") == 2
    assert out.count("PR-AUC (average precision) of the rare class 1:") == 2
    assert len(re.findall(r"P\(1\) >= 0\.\d{3}", out)) == 2  # both decision rules in the summary
    assert f"texts cut at {DEFAULT_MAX_LENGTH} tokens);" in out


def test_demo_prints_the_max_length_used():
    """Check that the demo reports the model's max_length_, capped at its positions, not the option."""
    texts, y = make_product_reviews(100, positive_rate=0.2, random_state=0)
    out = io.StringIO()
    run_demo(texts, y, description="test data", model=make_tiny_bert(), max_epochs=1,
             max_length=512, device="cpu", threads=1, verbose=0, file=out)
    # the tiny BERT has 128 positions
    assert "texts cut at 128 tokens, the model's limit: --max-length 512 is more" in out.getvalue()
    assert "cut at 512" not in out.getvalue()


def test_demo_csv_multiclass_report(tmp_path, capsys):
    """Check that --data with string multiclass labels reports every class, no PR-AUC."""
    path = _multiclass_csv(tmp_path)
    status = main(
        ["demo", "--data", str(path), "--text-col", "body", "--label-col", "sentiment",
         "--model", make_tiny_bert(), "--max-epochs", "1", "--seed", "1", "--quiet"]
    )
    out = capsys.readouterr().out
    assert status == 0
    for section in set(REPORT_SECTIONS) - {"its decision threshold tuned for the rare class's F1"}:
        assert section in out
    assert out.count("its class offsets tuned for F1") == 2
    assert "150 reviews from" in out
    assert "3 classes; rare class 'bad'" in out
    for label in ("'bad'", "'good'", "'mixed'"):
        assert label in out
    assert "PR-AUC (average precision)" not in out


def test_run_demo_returns_scores_per_model():
    """Check that run_demo returns bounded scores and restores torch's thread count."""
    torch = pytest.importorskip("torch")
    threads_before = torch.get_num_threads()
    texts, y = make_product_reviews(100, positive_rate=0.2, random_state=0)
    out = io.StringIO()
    results = run_demo(
        texts, y, description="test data", model=make_tiny_bert(), max_epochs=1,
        device="cpu", threads=2, verbose=0, file=out,
    )
    assert torch.get_num_threads() == threads_before
    assert "Data: test data" in out.getvalue()
    assert "with 2 torch thread(s)" in out.getvalue()
    assert list(results) == MODELS
    for scores in results.values():
        for key in ("balanced_accuracy", "macro_f1", "rare_f1", "rare_recall", "pr_auc"):
            assert 0 <= scores[key] <= 1
        assert scores["fit_s"] >= 0


def test_load_demo_data_subsamples_csv_stratified(tmp_path):
    """Check that --n-samples draws a stratified sample of a CSV's rows."""
    path = _multiclass_csv(tmp_path)
    texts, y, description = load_demo_data(
        path, text_col="body", label_col="sentiment", n_samples=60, seed=0
    )
    assert len(texts) == len(y) == 60
    assert "stratified sample of 60" in description
    full_share = np.mean(load_demo_data(path, text_col="body", label_col="sentiment")[1] == "bad")
    assert abs(np.mean(y == "bad") - full_share) < 0.05


@pytest.mark.parametrize(
    "content, err_msg",
    [
        ("text,label\ngood,1\nbad,0\n", "Column 'recommended_ind'"),
        ("text,recommended_ind\ngood,1\n,0\nok,1\n", r"row 1 \(line 3\) has an empty 'text'"),
        ("text,recommended_ind\na,1\nb,1\nc,0\nd,1\ne,1\n", r"Classes 0 \(1\) have fewer than 4 rows"),
        ("text,recommended_ind\na,1\nb,1\n", "at least 2 classes"),
    ],
)
def test_demo_bad_csv_exits_with_message(tmp_path, capsys, content, err_msg):
    """Check that a bad --data file exits with status 2 and a message, no traceback."""
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SystemExit) as exc_info:
        main(["demo", "--data", str(path)])
    assert exc_info.value.code == 2
    err = capsys.readouterr().err
    assert "demo: error:" in err
    assert re.search(err_msg, err)
    assert "Traceback" not in err


@pytest.mark.parametrize("argv, err_msg", [
    (["--device", "cuda:7"], "The 'device' parameter is 'cuda:7' but"),
    (["--device", "gpu"], "must be 'auto' or a torch device"),
    (["--model", "./no/such/model"], "'--model' parameter: no such model folder"),
    (["--n-samples", "3"], "at least 2 classes.*--n-samples"),
])
def test_demo_bad_model_device_or_size_exits_with_message(argv, err_msg, capsys, monkeypatch):
    """Check that a bad --device, --model or sample size exits with status 2 and a message."""
    torch = pytest.importorskip("torch")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(SystemExit) as exc_info:
        main(["demo", *argv])
    assert exc_info.value.code == 2
    err = capsys.readouterr().err
    assert re.search(err_msg, err) and "Traceback" not in err


def test_demo_csv_encoding_option(tmp_path, capsys):
    """Check that a latin-1 CSV fails naming --encoding's fix and loads with --encoding."""
    path = tmp_path / "latin.csv"
    path.write_text("text,recommended_ind\n" + "d\u00e9j\u00e0 vu,1\nbad,0\n" * 4, encoding="latin-1")
    with pytest.raises(SystemExit):
        main(["demo", "--data", str(path), "--model", "./no/such/model/either"])
    assert "no such model folder" in capsys.readouterr().err  # the model is checked first
    with pytest.raises(SystemExit):
        main(["demo", "--data", str(path)])
    assert "encoding='latin-1'" in capsys.readouterr().err
    texts, y, _ = load_demo_data(path, encoding="latin-1")
    assert texts[0] == "d\u00e9j\u00e0 vu" and len(y) == 8


@pytest.mark.parametrize(
    "argv", [[], ["demo", "--max-epochs", "0"], ["demo", "--n-samples", "x"], ["train"],
             ["demo", "--seed", "-1"]]
)
def test_main_invalid_arguments_exit(argv, capsys):
    """Check that a missing command or bad option exits with argparse's status 2."""
    with pytest.raises(SystemExit) as exc_info:
        main(argv)
    assert exc_info.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_main_module_demo_help():
    """Check that `python -m sk_textrec demo --help` lists the demo's options."""
    result = subprocess.run(
        [sys.executable, "-m", "sk_textrec", "demo", "--help"],
        capture_output=True, text=True, check=True,
    )
    for option in ("--data", "--text-col", "--label-col", "--model", "--max-epochs",
                   "--n-samples", "--seed", "--device", "--threads"):
        assert option in result.stdout
