"""Tests of the text input validation shared by all estimators."""

import numpy as np
import pytest

from sk_textrec.utils import check_label_values, check_sample_weight, check_text_input
from sk_textrec.utils._validation import as_float_array


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
    ({"a", "b"}, TypeError, "got builtins.set"),
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


# -- labels ------------------------------------------------------------------


@pytest.mark.parametrize("y", [
    ["pos", "neg"],
    [0, 1, 2],
    np.array([0.0, 1.0]),
    [True, 2, 3.5],  # numbers of any type are one type
    np.array([["a", "b"], ["c", "d"]], dtype=object),
    ("x", "y"),
])
def test_check_label_values_accepts_labels(y):
    """Check that complete labels of one type per column are accepted and returned as None."""
    assert check_label_values(y) is None


@pytest.mark.parametrize("y, err_type, err_msg", [
    ([0, 1, np.nan], ValueError, r"missing label \(None or NaN\) at row 2"),
    (np.array([0.0, np.nan]), ValueError, r"missing label \(NaN\) at row 1\."),
    (["a", None, "b"], ValueError, r"missing label \(None or NaN\) at row 1"),
    (["a", float("nan")], ValueError, "at row 1"),
    ([["a", "b"], ["c", None]], ValueError, "at row 1, column 1"),
    (np.array([[0.0, 1.0], [np.nan, 0.0]]), ValueError, "at row 1, column 0"),
    ([1, "1"], TypeError, r"row 0 is a number \(1\) but row 1 is a str \('1'\)"),
    (["a", "b", 2.0], TypeError, "row 2 is a number"),
    ([[0, 1], [1]], TypeError, "unhashable label .* at row 0"),
    ([[0, 1], [2, 3, 4]], TypeError, "unhashable"),
    ("abc", TypeError, "array-like of labels"),
    (3, TypeError, "array-like of labels"),
    (None, ValueError, "target y is None"),
    (np.zeros((2, 2, 2)), ValueError, "1-D, or 2-D"),
])
def test_check_label_values_errors(y, err_type, err_msg):
    """Check that missing, mixed and unhashable labels raise naming the row (and column)."""
    with pytest.raises(err_type, match=err_msg):
        check_label_values(y)


def test_check_label_values_pandas_missing():
    """Check that pandas' NA, NaT and NaN in any dtype are missing labels naming the row."""
    pd = pytest.importorskip("pandas")
    for y in (pd.Series(["a", pd.NA], dtype="string"), pd.Series([1, pd.NA], dtype="Int64"),
              pd.Series(pd.Categorical(["a", None])), pd.Series(["a", np.nan]),
              pd.Series(pd.to_datetime(["2024-01-01", None]))):
        with pytest.raises(ValueError, match="missing label .* at row 1"):
            check_label_values(y)
    with pytest.raises(ValueError, match="^labels has a missing label .* at row 0"):
        check_label_values(pd.Series([None, "a"]), input_name="labels")


# -- sample weights ----------------------------------------------------------


def test_check_sample_weight_returns_float_copy():
    """Check that None gives ones, a number is broadcast and the caller's weights are copied."""
    np.testing.assert_array_equal(check_sample_weight(None, 3), np.ones(3))
    np.testing.assert_array_equal(check_sample_weight(2, 2), [2.0, 2.0])
    given = np.array([1, 0, 3])
    weights = check_sample_weight(given, 3)
    assert weights.dtype == np.float64
    weights[0] = 9
    assert given[0] == 1


@pytest.mark.parametrize("weights, err_type, err_msg", [
    ([1.0, -0.5, 1.0], ValueError, r"negative weight \(-0.5\) at row 1"),
    ([1.0, np.nan, 1.0], ValueError, "NaN .* at row 1"),
    ([np.inf, 1.0, 1.0], ValueError, r"infinite weight \(inf\) at row 0"),
    ([1.0, None, 1.0], ValueError, "at row 1"),
    ([0, 0, 0], ValueError, "0 for every sample"),
    (0, ValueError, "0 for every sample"),
    ([1.0, 2.0], ValueError, r"shape \(3,\).*got shape \(2,\)"),
    ([[1.0, 2.0, 3.0]], ValueError, r"got shape \(1, 3\)"),
    (["a", 1.0, 1.0], TypeError, "row 0 is str 'a'"),
    ([1.0, 1.0, {}], TypeError, "row 2 is dict"),
])
def test_check_sample_weight_errors(weights, err_type, err_msg):
    """Check that bad weights raise naming the parameter and the first bad row."""
    with pytest.raises(err_type, match="sample_weight"):
        check_sample_weight(weights, 3)
    with pytest.raises(err_type, match=err_msg):
        check_sample_weight(weights, 3)


def test_check_sample_weight_input_name():
    """Check that the error names the parameter it is told."""
    with pytest.raises(ValueError, match="^w has a negative"):
        check_sample_weight([-1.0], 1, input_name="w")


@pytest.mark.parametrize("values, err_msg", [
    ([1.0, "a"], "^w must hold numbers; row 1 is str 'a'"),
    ([[1.0, 2.0], [3.0, "x"]], "row 1, column 1 is str 'x'"),
    ([[1.0, 2.0], [3.0]], "row 0 is list"),
    ({"a": 1}, "the value is dict"),
])
def test_as_float_array_names_the_first_non_number(values, err_msg):
    """Check that a value that is not a number is a TypeError naming the parameter and cell."""
    with pytest.raises(TypeError, match=err_msg):
        as_float_array(values, input_name="w")


def test_as_float_array_missing_values_become_nan():
    """Check that None and pandas' NA become NaN, for the caller to refuse or allow."""
    pd = pytest.importorskip("pandas")
    assert np.isnan(as_float_array([1, None], input_name="w")[1])
    assert np.isnan(as_float_array(pd.array([1, pd.NA], dtype="Int64"), input_name="w")[1])
