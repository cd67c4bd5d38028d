"""Tags of text estimators: scikit-learn's input tags plus whether text pairs are accepted.

scikit-learn's tag dataclasses use slots, so a new tag is a subclass:
``TextInputTags`` is an :class:`~sklearn.utils.InputTags` (every check that reads
input tags still works) with one more field, ``text_pairs``. scikit-learn's
pipelines do not copy their first step's input tags, so
:func:`accepts_text_pairs` looks through them: a pipeline accepts pairs when
its first step does.
"""

from dataclasses import asdict, dataclass

from sklearn.utils import InputTags, get_tags


@dataclass(slots=True)
class TextInputTags(InputTags):
    """Input tags of a text estimator.

    Attributes
    ----------
    text_pairs : bool, default=False
        Whether ``X`` may have two text columns, read as text pairs (title and
        body, query and product title, ...).
    """

    text_pairs: bool = False


def text_input_tags(input_tags, *, text_pairs):
    """``input_tags`` declared as 1-D string input, with the ``text_pairs`` tag set."""
    fields = {name: value for name, value in asdict(input_tags).items() if name != "text_pairs"}
    tags = TextInputTags(**fields, text_pairs=text_pairs)
    tags.one_d_array = True
    tags.two_d_array = False
    tags.string = True
    return tags


def accepts_text_pairs(estimator):
    """Whether ``estimator``'s tags (or its first step's) say it accepts two text columns as pairs."""
    steps = getattr(estimator, "steps", None)
    if isinstance(steps, list) and steps:
        first = next((step for _, step in steps if step not in (None, "passthrough")), None)
        return first is not None and accepts_text_pairs(first)
    return bool(getattr(get_tags(estimator).input_tags, "text_pairs", False))
