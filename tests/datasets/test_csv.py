"""Tests of load_reviews_csv, the CSV loader for review texts and labels."""

import os
from pathlib import Path

import numpy as np
import pytest

from sk_textrec.datasets import load_reviews_csv


def _shared_data_dir():
    """The shared data folder: $SK_TEXTREC_DATA_DIR, else ../shared/data of the repo."""
    if os.environ.get("SK_TEXTREC_DATA_DIR"):
        return Path(os.environ["SK_TEXTREC_DATA_DIR"])
    return Path(__file__).resolve().parents[2].parent / "shared" / "data"


def _write(tmp_path, content, name="reviews.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_text(content, encoding=encoding)
    return path


def test_load_reviews_csv_reads_texts_and_int_labels(tmp_path):
    """Check that texts keep commas, quotes and newlines and integer labels become int64."""
    path = _write(
        tmp_path,
        'review_id,text,recommended_ind\n'
        '1,"Too small, sent back",0\n'
        '2,"Soft fabric.\nLove the ""cut"".",1\n'
        '3,Great,1\n',
    )
    texts, y = load_reviews_csv(path)
    assert texts.dtype == object
    assert texts.tolist() == ["Too small, sent back", 'Soft fabric.\nLove the "cut".', "Great"]
    assert y.dtype == np.int64
    assert y.tolist() == [0, 1, 1]


def test_load_reviews_csv_keeps_string_labels(tmp_path):
    """Check that non-integer labels are returned as str objects, in file order."""
    path = _write(tmp_path, "body,dept\nnice top,Tops\nshort dress,Dresses\nok,1\n")
    texts, y = load_reviews_csv(path, text_col="body", label_col="dept")
    assert texts.tolist() == ["nice top", "short dress", "ok"]
    assert y.dtype == object
    assert y.tolist() == ["Tops", "Dresses", "1"]


def test_load_reviews_csv_without_labels(tmp_path):
    """Check that label_col=None loads the texts only and returns y=None."""
    path = _write(tmp_path, "text\nfirst\nsecond\n")
    texts, y = load_reviews_csv(path, label_col=None)
    assert texts.tolist() == ["first", "second"]
    assert y is None


def test_load_reviews_csv_tab_separated_with_bom(tmp_path):
    """Check that a tab delimiter works and a UTF-8 byte-order mark is ignored."""
    path = _write(tmp_path, "\ufefftext\tlabel\nbon produit\t1\n", name="r.tsv")
    texts, y = load_reviews_csv(path, label_col="label", delimiter="\t")
    assert texts.tolist() == ["bon produit"]
    assert y.tolist() == [1]


@pytest.mark.parametrize(
    "params, err_msg",
    [
        ({"text_col": "review"}, r"Column 'review' \(the 'text_col' parameter\).*\['text', 'y'\]"),
        ({"label_col": "stars"}, r"Column 'stars' \(the 'label_col' parameter\)"),
    ],
)
def test_load_reviews_csv_missing_column(tmp_path, params, err_msg):
    """Check that a missing column raises a ValueError naming it and the file's columns."""
    path = _write(tmp_path, "text,y\ngood,1\n")
    with pytest.raises(ValueError, match=err_msg):
        load_reviews_csv(path, **{"label_col": "y", **params})


def test_load_reviews_csv_empty_text_names_the_row(tmp_path):
    """Check that an empty text raises a ValueError naming its row and file line."""
    path = _write(tmp_path, 'text,label\n"multi\nline",1\n   ,0\nfine,0\n')
    with pytest.raises(ValueError, match=r"row 1 \(line 4\) has an empty 'text'"):
        load_reviews_csv(path, label_col="label")


def test_load_reviews_csv_missing_label_names_the_row(tmp_path):
    """Check that an empty or absent label cell raises a ValueError naming the row."""
    path = _write(tmp_path, "text,label\ngood,1\nbad,\nshort row\n")
    with pytest.raises(ValueError, match=r"row 1 \(line 3\) has an empty 'label'.*2 row"):
        load_reviews_csv(path, label_col="label")


def test_load_reviews_csv_drop_warns_and_counts(tmp_path):
    """Check that on_missing='drop' drops incomplete rows with a warning naming them."""
    path = _write(tmp_path, "text,label\ngood,1\n,0\nbad,\nok,0\n")
    with pytest.warns(UserWarning, match=r"Dropped 2 of 4 rows.*row 1 \(line 3\)"):
        texts, y = load_reviews_csv(path, label_col="label", on_missing="drop")
    assert texts.tolist() == ["good", "ok"]
    assert y.tolist() == [1, 0]


def test_load_reviews_csv_skips_blank_lines(tmp_path):
    """Check that blank lines are not rows and do not shift the row numbers."""
    path = _write(tmp_path, "text,label\n\ngood,1\n\n,0\n")
    with pytest.raises(ValueError, match=r"row 1 \(line 5\)"):
        load_reviews_csv(path, label_col="label")


@pytest.mark.parametrize(
    "content, err_msg", [("", "is empty"), ("text,label\n", "has no rows")]
)
def test_load_reviews_csv_no_data(tmp_path, content, err_msg):
    """Check that a file without a header or without rows raises a ValueError."""
    path = _write(tmp_path, content)
    with pytest.raises(ValueError, match=err_msg):
        load_reviews_csv(path, label_col="label")


@pytest.mark.parametrize(
    "params, err_type, err_msg",
    [
        ({"path": 3}, ValueError, "The 'path' parameter"),
        ({"text_col": 0}, ValueError, "The 'text_col' parameter"),
        ({"label_col": 1}, ValueError, "The 'label_col' parameter"),
        ({"on_missing": "skip"}, ValueError, "The 'on_missing' parameter"),
    ],
)
def test_load_reviews_csv_invalid_params(tmp_path, params, err_type, err_msg):
    """Check that invalid parameters raise errors that name the parameter."""
    path = _write(tmp_path, "text,recommended_ind\ngood,1\n")
    with pytest.raises(err_type, match=err_msg):
        load_reviews_csv(**{"path": path, **params})


def test_load_reviews_csv_missing_file(tmp_path):
    """Check that a path that does not exist raises FileNotFoundError."""
    with pytest.raises(FileNotFoundError):
        load_reviews_csv(tmp_path / "nope.csv")


def test_load_reviews_csv_real_clothing_reviews():
    """Check that the shared clothing reviews load whole, with 18% not recommended."""
    path = _shared_data_dir() / "womens_clothing_reviews" / "dev.csv"
    if not path.exists():
        pytest.skip(f"shared data not found at {path}; set SK_TEXTREC_DATA_DIR")
    texts, y = load_reviews_csv(path)
    assert len(texts) == len(y) == 15847
    assert all(text.strip() for text in texts)
    assert y.dtype == np.int64
    assert np.bincount(y).tolist() == [2870, 12977]
    ratings = load_reviews_csv(path, label_col="rating")[1]
    assert sorted(np.unique(ratings).tolist()) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("encoding, content, err_msg", [
    ("latin-1", "text,label\nd\u00e9j\u00e0 vu,1\nok,0\n",
     r"is not 'utf-8-sig' text: the byte b'\\xe9' on line 2 cannot be decoded.*encoding='latin-1'"),
    ("utf-16", "text,label\nok,1\n", r"UTF-16 byte-order mark: pass encoding='utf-16'"),
])
def test_load_reviews_csv_other_encoding_names_file_and_fix(tmp_path, encoding, content, err_msg):
    """Check that a file in another encoding names the file and line and suggests encoding=."""
    path = _write(tmp_path, content, encoding=encoding)
    with pytest.raises(ValueError, match=err_msg) as exc_info:
        load_reviews_csv(path, label_col="label")
    assert str(path) in str(exc_info.value)
    texts, _ = load_reviews_csv(path, label_col="label", encoding=encoding)
    assert texts[0] == content.split("\n")[1].split(",")[0]


@pytest.mark.parametrize("content, params, err_msg", [
    ("text,label\nok,1\nbad,nan\n", {}, r"row 1 \(line 3\) has a missing 'label' \('nan'\)"),
    ("text,label\nok,1\nbad,NA\nfine,0\n", {}, r"missing 'label' \('NA'\)"),
    ("text,label\nok,1\nbad,1.0\nx,a\n", {}, r"label '1.0' of row 1 \(line 3\) is the number '1' of row 0"),
    ("text,text,label\nok,b,1\n", {}, "Column 'text' .* appears 2 times"),
    ("text,label\nok,1\n", {"label_col": "text"}, "name the same column 'text'"),
    ("text,label\nok,1\n", {"encoding": "utf-9"}, "The 'encoding' parameter 'utf-9' is not an encoding"),
])
def test_load_reviews_csv_reliability_errors(tmp_path, content, params, err_msg):
    """Check that missing-value labels, doubly written numbers and ambiguous columns are refused."""
    path = _write(tmp_path, content)
    with pytest.raises(ValueError, match=err_msg):
        load_reviews_csv(path, **{"label_col": "label", **params})


def test_load_reviews_csv_drops_missing_value_labels(tmp_path):
    """Check that on_missing='drop' drops labels written as a missing-value marker."""
    path = _write(tmp_path, "text,label\nok,1\nbad,NaN\nfine,0\n")
    with pytest.warns(UserWarning, match="Dropped 1 of 3 rows"):
        texts, y = load_reviews_csv(path, label_col="label", on_missing="drop")
    assert texts.tolist() == ["ok", "fine"] and y.tolist() == [1, 0]


def test_load_reviews_csv_field_over_csv_limit(tmp_path):
    """Check that a field beyond csv's size limit is a ValueError naming the file and line."""
    path = _write(tmp_path, "text,label\nok,1\n\"" + "x" * 200_000 + "\",0\n")
    with pytest.raises(ValueError, match=r"is not a readable CSV file at line \d+: field larger"):
        load_reviews_csv(path, label_col="label")


def test_load_reviews_csv_pair_col_returns_pairs(tmp_path):
    """Check that pair_col gives (pair, text) rows and allows an empty pair cell, not an empty text."""
    path = _write(tmp_path, "title,text,y\nLove it,great dress,1\n,too small,0\n")
    texts, y = load_reviews_csv(path, label_col="y", pair_col="title")
    assert texts.shape == (2, 2)
    assert texts.tolist() == [["Love it", "great dress"], ["", "too small"]]
    path = _write(tmp_path, "title,text,y\nLove it,,1\n", name="blank.csv")
    with pytest.raises(ValueError, match=r"row 0 \(line 2\) has an empty 'text'"):
        load_reviews_csv(path, label_col="y", pair_col="title")
    with pytest.raises(ValueError, match=r"Column 'headline' \(the 'pair_col' parameter\)"):
        load_reviews_csv(path, label_col="y", pair_col="headline")


def test_iter_csv_columns_chunks_cover_the_file_in_order(tmp_path):
    """Check that chunked reading yields every row once, in order, with rows counted across chunks."""
    from sk_textrec.datasets._csv import iter_csv_columns

    path = _write(tmp_path, "text\n" + "".join(f"t{i}\n" for i in range(10)) + " \n")
    chunks = list(iter_csv_columns(path, {"text_col": "text"}, required=("text_col",), chunk_rows=4))
    assert [values["text_col"] for values, _, _ in chunks] == [
        ["t0", "t1", "t2", "t3"], ["t4", "t5", "t6", "t7"], ["t8", "t9"]]
    assert [n_rows for _, _, n_rows in chunks] == [4, 8, 11]
    assert chunks[-1][1] == ["row 10 (line 12) has an empty 'text'"]
