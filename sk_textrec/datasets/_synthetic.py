"""A seeded generator of synthetic, imbalanced product reviews.

Every word comes from the templates below (written for this package), so the
data ships with no licence question. Sentences are drawn with a tone that
depends on the star rating; rating-3 reviews mix tones and the ``noise`` rows
are worded the same whatever their label, so the task is not separable.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state

from ..utils._optional import import_optional
from ..utils._sklearn_compat import Interval, validate_params

_MIN_WORDS, _MAX_WORDS = 5, 60

_CATEGORIES = {
    "clothing": (
        ["dress", "pair of jeans", "sweater", "blouse", "denim jacket", "skirt",
         "t-shirt", "winter coat", "swimsuit", "pair of boots"],
        ["fit", "fabric", "colour", "price", "delivery", "quality"],
    ),
    "toys": (
        ["toy car", "puzzle", "board game", "teddy bear", "building set", "doll"],
        ["play", "quality", "colour", "price", "delivery"],
    ),
    "home": (
        ["desk lamp", "water bottle", "backpack", "coffee mug", "throw pillow"],
        ["quality", "colour", "price", "delivery"],
    ),
}

# aspect -> (positive, negative, neutral) sentences.
_ASPECTS = {
    "fit": (
        ["It fits true to size.", "The fit is perfect, not too tight and not too loose.",
         "Flattering cut that fits like a glove.", "Sizing was spot on, I got my usual size."],
        ["It runs at least two sizes too small.",
         "The fit is awful, tight in the waist and baggy everywhere else.",
         "Sizing is nothing like the chart.", "It hangs like a sack on me.",
         "Way too short for anyone over five feet."],
        ["I ordered my usual size.", "Fits about how I expected.", "The cut is fairly standard."],
    ),
    "fabric": (
        ["The fabric is soft and feels expensive.", "Lovely thick material that washes well.",
         "The material is breathable and comfy."],
        ["The fabric is thin and scratchy.", "It pilled after one wash.",
         "The material feels cheap and see-through.", "It shrank badly in the first wash."],
        ["The fabric is a cotton blend.", "Material is on the thinner side, as described.",
         "I hand washed it to be safe."],
    ),
    "colour": (
        ["The colour is even prettier in person.",
         "Colours are bright and exactly like the photos.",
         "Gorgeous shade, I get compliments all the time."],
        ["The colour looks nothing like the picture.", "The colour faded after two washes.",
         "It came in a dull, muddy shade."],
        ["I got it in the blue.", "The colour is close to the photo.",
         "It comes in several colours."],
    ),
    "price": (
        ["Great value for the price.", "Worth every penny.",
         "Cheaper than in the shops and better made."],
        ["Way overpriced for what you get.", "Not worth the money at all.",
         "A waste of money, sadly."],
        ["I bought it on sale.", "The price is about average.",
         "It was a bit pricey but it was on sale."],
    ),
    "delivery": (
        ["It arrived two days early and well packed.", "Fast shipping and nice packaging.",
         "Delivery was quick and painless."],
        ["It arrived three weeks late.", "The box was crushed and the item was damaged.",
         "Shipping took forever and customer service never replied."],
        ["Delivery took about a week.", "It came in a plain box.", "Shipping was standard."],
    ),
    "quality": (
        ["The stitching is solid and it feels sturdy.",
         "Very well made, it will last for years.", "Quality is excellent."],
        ["It broke within a week.", "The seams started coming apart on day one.",
         "Poor quality, parts were missing.", "Cheaply made and it shows."],
        ["Quality is what you would expect.", "It seems decently made so far.",
         "Too early to say how it holds up."],
    ),
    "play": (
        ["My kids play with it every day.", "It kept my son busy for hours.",
         "My niece was thrilled with it."],
        ["My kids lost interest after five minutes.", "It is too fiddly for small children.",
         "The batteries died on the first day."],
        ["My daughter is four.", "We gave it as a birthday gift.",
         "It is meant for ages three and up."],
    ),
}

# tone -> sentences that open or close a review; "mixed" is for the noise rows.
_OPENERS = {
    "pos": ["Love this {product}!", "Really happy with this {product}.",
            "This {product} is exactly what I wanted.",
            "Best {product} I have bought in years.", "Five stars for this {product}."],
    "neg": ["Very disappointed with this {product}.", "Do not buy this {product}.",
            "This {product} was a waste of money.", "Worst {product} I have ever ordered.",
            "I regret buying this {product}."],
    "neu": ["I ordered this {product} last month.", "Got this {product} as a gift.",
            "Here is my honest take on this {product}.",
            "Bought the {product} after reading the reviews."],
    "mixed": ["Not bad, not great.", "It is okay I guess.", "Mixed feelings about this {product}.",
              "I wanted to love this {product} but I am not sure.",
              "Not the worst {product} I have bought."],
}
_CLOSERS = {
    "pos": ["Would definitely buy again.", "Highly recommend!", "I will order another one.",
            "Keeping it for sure."],
    "neg": ["Sending it back.", "I asked for a refund.", "Would not recommend.",
            "Never ordering from here again."],
    "neu": ["We will see how it holds up.", "Hope this helps.", "Just my two cents."],
    "mixed": ["Might keep it, might return it.", "Not sure I would buy it again.",
              "Fine for the price, I suppose.", "Some things are great, others not so much."],
}
_CATEGORY_NAMES = sorted(_CATEGORIES)
_HEDGES = ["Honestly,", "To be fair,", "I think", "Overall,", "Then again,", "If I am picky,"]

# P(tone of an aspect sentence | rating) for rows that are not noise, in the
# order (positive, negative, neutral) of the _ASPECTS tuples.
_TONE_PROBA = {
    5: (0.85, 0.02, 0.13),
    4: (0.70, 0.10, 0.20),
    3: (0.35, 0.30, 0.35),
    2: (0.12, 0.68, 0.20),
    1: (0.03, 0.85, 0.12),
}
# Noise rows: the same distribution for both labels.
_NOISE_TONE_PROBA = (0.4, 0.4, 0.2)
# 1-2 stars for the rare "negative review" class (2 stars more common, as in
# real shops), 3-5 stars for the rest.
_RATINGS = {1: ([1, 2], [0.4, 0.6]), 0: ([3, 4, 5], [0.2, 0.3, 0.5])}
# (share of reviews, min words, max words) of short, medium and long reviews.
_LENGTHS = [(0.3, 5, 12), (0.45, 13, 35), (0.25, 36, _MAX_WORDS)]


def _pick(rng, items):
    return items[rng.randint(len(items))]


def _draw(rng, proba):
    """Index drawn with probabilities ``proba`` (``rng.choice(p=)`` is 10x slower)."""
    u = rng.rand()
    for i, p in enumerate(proba):
        u -= p
        if u < 0:
            return i
    return len(proba) - 1


def _frame_tone(rng, rating, noisy):
    """Tone of the opening and closing sentences."""
    if noisy:
        return "mixed"
    if rating == 3:
        return _pick(rng, ["neu", "mixed"])
    main = "pos" if rating >= 4 else "neg"
    return main if rng.rand() < 0.8 else "neu"


def _hedge(rng, sentence):
    first = sentence if sentence.startswith("I ") else sentence[0].lower() + sentence[1:]
    return f"{_pick(rng, _HEDGES)} {first}"


def _add_typo(rng, words):
    candidates = [i for i, word in enumerate(words) if len(word) >= 4 and word.isalpha()]
    if not candidates:
        return
    i = _pick(rng, candidates)
    word, j = words[i], rng.randint(1, len(words[i]) - 1)
    kind = rng.randint(3)
    if kind == 0:  # swapped letters
        words[i] = word[: j - 1] + word[j] + word[j - 1] + word[j + 1 :]
    elif kind == 1:  # dropped letter
        words[i] = word[:j] + word[j + 1 :]
    else:  # doubled letter
        words[i] = word[:j] + word[j] + word[j:]


def _make_review(rng, rating, noisy):
    products, aspects = _CATEGORIES[_pick(rng, _CATEGORY_NAMES)]
    product = _pick(rng, products)
    _, low, high = _LENGTHS[_draw(rng, [share for share, _, _ in _LENGTHS])]
    target = rng.randint(low, high + 1)
    tone_proba = _NOISE_TONE_PROBA if noisy else _TONE_PROBA[rating]
    frame_tone = _frame_tone(rng, rating, noisy)

    sentences = [_pick(rng, _OPENERS[frame_tone]).format(product=product)]
    n_words = len(sentences[0].split())
    for aspect in rng.permutation(aspects):
        if n_words >= target:
            break
        sentence = _pick(rng, _ASPECTS[aspect][_draw(rng, tone_proba)])
        if rng.rand() < 0.15:
            sentence = _hedge(rng, sentence)
        if n_words + len(sentence.split()) <= _MAX_WORDS:
            sentences.append(sentence)
            n_words += len(sentence.split())
    closer = _pick(rng, _CLOSERS[frame_tone])
    wants_closer = rng.rand() < 0.6 or n_words < _MIN_WORDS
    if wants_closer and n_words + len(closer.split()) <= _MAX_WORDS:
        sentences.append(closer)

    words = " ".join(sentences).split()
    if rng.rand() < 0.2:
        for _ in range(rng.randint(1, 3)):
            _add_typo(rng, words)
    text = " ".join(words)
    return text.lower() if rng.rand() < 0.1 else text


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "positive_rate": [Interval(Real, 0, 1, closed="both")],
        "noise": [Interval(Real, 0, 1, closed="both")],
        "random_state": ["random_state"],
        "as_frame": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def make_product_reviews(
    n_samples=1000, *, positive_rate=0.1, noise=0.1, random_state=None, as_frame=False
):
    """Generate synthetic product reviews where negative reviews are rare.

    Reviews of clothing, toys and home goods are assembled from templates: an
    opening sentence, sentences about aspects (fit, fabric, colour, price,
    delivery, quality, play) and sometimes a closing sentence, 5 to 60 words
    long, with occasional hedges, typos and all-lowercase texts. The tone of
    each sentence depends on the star rating, so 3-star reviews mix praise and
    complaints. The target is 1 for a negative review (1 or 2 stars), the rare
    class, and 0 otherwise (3 to 5 stars).

    Parameters
    ----------
    n_samples : int, default=1000
        Number of reviews.
    positive_rate : float, default=0.1
        Share of negative reviews (label 1); exactly
        ``round(positive_rate * n_samples)`` rows get label 1.
    noise : float, default=0.1
        Share of rows, exactly ``round(noise * n_samples)``, whose wording is
        drawn from the same mixed, ambiguous distribution whatever their label:
        no model can classify them better than chance.
    random_state : int, RandomState instance or None, default=None
        Seed; the same seed gives the same reviews.
    as_frame : bool, default=False
        Return a pandas DataFrame with columns ``text``, ``rating`` (1-5) and
        ``label`` instead of ``(texts, y)``. Needs pandas.

    Returns
    -------
    texts : ndarray of shape (n_samples,), dtype=object
        The reviews, as ``str``. Only when ``as_frame=False``.
    y : ndarray of shape (n_samples,), dtype=int
        1 for a negative review, 0 otherwise. Only when ``as_frame=False``.
    frame : pandas.DataFrame of shape (n_samples, 3)
        Columns ``text``, ``rating`` and ``label``. Only when ``as_frame=True``.

    See Also
    --------
    load_reviews_csv : Load real reviews from a CSV file.

    Examples
    --------
    >>> from sk_textrec.datasets import make_product_reviews
    >>> texts, y = make_product_reviews(n_samples=200, positive_rate=0.1, random_state=0)
    >>> len(texts), int(y.sum())
    (200, 20)
    >>> df = make_product_reviews(n_samples=200, random_state=0, as_frame=True)
    >>> df.columns.tolist()
    ['text', 'rating', 'label']
    >>> sorted(df.loc[df["label"] == 1, "rating"].unique().tolist())
    [1, 2]
    """
    rng = check_random_state(random_state)
    n_positive = round(positive_rate * n_samples)
    y = np.zeros(n_samples, dtype=int)
    y[rng.permutation(n_samples)[:n_positive]] = 1
    noisy = np.zeros(n_samples, dtype=bool)
    noisy[rng.permutation(n_samples)[: round(noise * n_samples)]] = True

    ratings = np.empty(n_samples, dtype=int)
    texts = np.empty(n_samples, dtype=object)
    for i in range(n_samples):
        values, proba = _RATINGS[y[i]]
        ratings[i] = values[_draw(rng, proba)]
        texts[i] = _make_review(rng, ratings[i], noisy[i])

    if not as_frame:
        return texts, y
    pd = import_optional("pandas", extra="dev", purpose="make_product_reviews(as_frame=True)")
    return pd.DataFrame({"text": texts, "rating": ratings, "label": y})
