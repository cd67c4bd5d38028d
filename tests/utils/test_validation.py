"""Tests of the text input validation shared by all estimators."""

import numpy as np
import pytest

from sk_textrec.utils import check_text_input


@pytest.mark.parametrize("X", [
    ["a", "", "ü 😀 好"],
    np.array(["a", "", "ü 😀 好"]),
    np.array(["a", "", "ü 😀 好"], dtype=object),
    np.array([["a"], [""], ["ü 😀 好"]], dtype=object),
    ("a", "", "ü 😀 好"),
])
def test_check_text_input_accepts_1d_containers(X):
    """Check that 1-D containers and one-column 2-D arrays become the same object array."""
    texts = check_text_input(X)
    assert texts.dtype == object and texts.tolist() == ["a", "", "ü 😀 好"]


def test_check_text_input_pandas():
    """Check that a Series and a one-column DataFrame are accepted as they are."""
    pd = pytest.importorskip("pandas")
    assert check_text_input(pd.Series(["x", "y"], index=[5, 3])).tolist() == ["x", "y"]
    assert check_text_input(pd.DataFrame({"t": ["x", "y"]})).tolist() == ["x", "y"]
    with pytest.raises(ValueError, match="missing text .* row 1"):
        check_text_input(pd.Series(["x", pd.NA], dtype="string"))


@pytest.mark.parametrize("X, err_type, err_msg", [
    ([], ValueError, "X is empty"),
    (["a", None], ValueError, "missing text"),
    (["a", np.nan], ValueError, "row 1"),
    ([1, "a"], TypeError, "row 0 is int"),
    ([["a", "b"], ["c", "d"]], ValueError, "single column"),
    ("text", TypeError, "not a single string"),
    (42, TypeError, "list, 1-D numpy array"),
    ({"a": 1}, TypeError, "list, 1-D numpy array"),
])
def test_check_text_input_errors(X, err_type, err_msg):
    """Check that bad text input raises an error that names the problem."""
    with pytest.raises(err_type, match=err_msg):
        check_text_input(X)


def test_check_text_input_does_not_modify_input():
    """Check that the caller's list is neither changed nor aliased."""
    X = ["b", "a"]
    texts = check_text_input(X)
    texts[0] = "changed"
    assert X == ["b", "a"]


@pytest.mark.parametrize("X", [
    [("Love it", "fits well"), ("", "too small")],
    [["Love it", "fits well"], ["", "too small"]],
    np.array([["Love it", "fits well"], ["", "too small"]], dtype=object),
])
def test_check_text_input_pairs(X):
    """Check that two columns are text pairs where allowed, in their order."""
    texts = check_text_input(X, allow_pairs=True)
    assert texts.shape == (2, 2) and texts[1].tolist() == ["", "too small"]
    with pytest.raises(ValueError, match="single texts, not pairs"):
        check_text_input(X)


def test_check_text_input_pair_dataframe():
    """Check that a 2-column DataFrame is a pair and 3 columns are refused, naming them."""
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"title": ["a", ""], "text": ["b", "c"]})
    assert check_text_input(frame, allow_pairs=True).tolist() == [["a", "b"], ["", "c"]]
    with pytest.raises(ValueError, match=r"3 columns \['title', 'text', 'x'\].*One or two"):
        check_text_input(frame.assign(x="d"), allow_pairs=True)
    with pytest.raises(ValueError, match=r"missing text .* row 1, column 0"):
        check_text_input(frame.assign(title=["a", None]), allow_pairs=True)


@pytest.mark.parametrize("X, err_type, err_msg", [
    (["fine", "bad \ud83d here"], ValueError, "row 1.*lone UTF-16 surrogate"),
    ([("a", "b"), ("c", "\udc00")], ValueError, "row 1, column 1.*surrogate"),
    (["a", b"bytes"], TypeError, "row 1 is bytes.*decode"),
    ([("a", "b"), ("c", 3)], TypeError, "row 1, column 1 is int"),
])
def test_check_text_input_bad_items(X, err_type, err_msg):
    """Check that surrogates, bytes and non-strings are refused naming row (and column)."""
    with pytest.raises(err_type, match=err_msg):
        check_text_input(X, allow_pairs=True)


def test_check_text_input_keeps_control_characters():
    """Check that tabs, newlines and other control characters are ordinary text."""
    texts = ["line one\nline two", "a\tb\r\n", "bell \x07 and nul \x00"]
    assert check_text_input(texts).tolist() == texts
