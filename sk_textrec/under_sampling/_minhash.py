"""Duplicate detection: text normalisation, character-shingle MinHash with LSH, groups.

Everything is vectorised over the whole corpus: the texts are concatenated into
one array of code points, so that hashing the shingles, MinHash and the banding
cost a few numpy passes rather than a Python loop per shingle.
"""

import functools
import sys
import unicodedata
import zlib

import numpy as np
from scipy.sparse import csr_matrix, coo_matrix
from scipy.sparse.csgraph import connected_components

_MASK32 = np.uint64(0xFFFFFFFF)
# Odd 64-bit constants of a polynomial rolling hash and of splitmix64's finaliser:
# fixed numbers, so that shingle hashes are the same in every process (unlike
# Python's salted hash()).
_BASE = np.uint64(0x100000001B3)
_MIX1, _MIX2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
# Shingles hashed at once by minhash_signatures: 512 KiB, within a CPU's L2 cache.
_BLOCK = 65_536
# Pairs verified at once: bounds the memory of the sparse row products.
_PAIR_CHUNK = 200_000


@functools.lru_cache(maxsize=1)
def _punctuation_table():
    """str.translate table deleting every Unicode punctuation character (categories P*)."""
    return dict.fromkeys(
        code for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code))[0] == "P"
    )


def normalize_text(text):
    """NFKC, casefold, punctuation removed, whitespace runs collapsed to one space."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_punctuation_table())
    return " ".join(text.split())


def exact_representatives(normalized):
    """For each text, the row of the first text with the same normalised form."""
    first = {}
    rows = [first.setdefault(text, row) for row, text in enumerate(normalized)]
    return np.array(rows, dtype=np.intp)


def _sorted_distinct(values):
    """np.unique by sorting: its hash-based path is several times slower on
    millions of distinct 64-bit integers (numpy 2.3)."""
    if values.size == 0:
        return values
    values = np.sort(values)
    return values[np.concatenate([[True], values[1:] != values[:-1]])]


def _mix64(values):
    """splitmix64 finaliser: spreads the polynomial hash over all 64 bits."""
    values = values ^ (values >> np.uint64(30))
    values = values * _MIX1
    values = values ^ (values >> np.uint64(27))
    values = values * _MIX2
    return values ^ (values >> np.uint64(31))


def shingle_sets(texts, ngram_range):
    """Hashed character n-gram sets of ``texts``, as a sparse 0/1 matrix.

    Returns a CSR matrix of shape (n_texts, 2**32) whose column indices are the
    shingles' 32-bit hashes, sorted in each row. A text shorter than the smallest
    n is one shingle: itself.
    """
    lengths = np.fromiter(map(len, texts), dtype=np.intp, count=len(texts))
    # UTF-32 has one code unit per character, so positions are character offsets.
    codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    ends = np.cumsum(lengths)
    text_of_position = np.repeat(np.arange(len(texts)), lengths)
    keys = []
    for n in range(ngram_range[0], ngram_range[1] + 1):
        n_windows = codes.size - n + 1
        if n_windows <= 0:
            continue
        rolling = np.full(n_windows, np.uint64(n))  # n in the seed: n-grams of each size differ
        for offset in range(n):
            rolling = rolling * _BASE + codes[offset : offset + n_windows]
        owner = text_of_position[:n_windows]
        valid = np.arange(n_windows) + n <= ends[owner]  # windows inside one text only
        hashes = _mix64(rolling[valid]) >> np.uint64(32)
        keys.append((owner[valid].astype(np.uint64) << np.uint64(32)) | hashes)
    short = np.flatnonzero(lengths < ngram_range[0])
    keys.append(
        (short.astype(np.uint64) << np.uint64(32))
        | np.array([zlib.crc32(texts[row].encode("utf-8")) for row in short], dtype=np.uint64)
    )
    keys = _sorted_distinct(np.concatenate(keys))  # by text, then shingle: sets, not bags
    rows, hashes = keys >> np.uint64(32), keys & _MASK32
    # The hash is the column: no second sort to number the distinct shingles.
    indptr = np.searchsorted(rows, np.arange(len(texts) + 1, dtype=np.uint64))
    return csr_matrix(
        (np.ones(keys.size, dtype=np.float32), hashes.astype(np.int64), indptr),
        shape=(len(texts), 2**32),
    )


def minhash_signatures(matrix, num_perm, random_state):
    """MinHash signatures, shape (n_texts, num_perm), under seeded universal hashing.

    Permutation k maps a 32-bit shingle hash x to ((a_k x + b_k) mod 2**64) >> 32
    with random 64-bit a_k (odd) and b_k: multiply-add-shift hashing, which is
    2-independent (Dietzfelbinger 1996).
    """
    a = random_state.randint(0, 2**64, size=num_perm, dtype=np.uint64) | np.uint64(1)
    b = random_state.randint(0, 2**64, size=num_perm, dtype=np.uint64)
    hashes, indptr = matrix.indices.astype(np.uint64), matrix.indptr
    signatures = np.empty((matrix.shape[0], num_perm), dtype=np.uint32)
    # Blocks of whole texts of about _BLOCK shingles stay in the CPU cache for all
    # num_perm passes: 4-5x faster than passes over the whole corpus.
    cuts = np.unique(np.searchsorted(indptr, np.arange(0, hashes.size, _BLOCK)))
    cuts = np.append(cuts[cuts < matrix.shape[0]], matrix.shape[0])
    for first, stop in zip(cuts[:-1], cuts[1:]):
        block = hashes[indptr[first] : indptr[stop]]
        starts, permuted = indptr[first:stop] - indptr[first], np.empty_like(block)
        for k in range(num_perm):
            np.multiply(block, a[k], out=permuted)
            np.add(permuted, b[k], out=permuted)
            np.right_shift(permuted, np.uint64(32), out=permuted)
            signatures[first:stop, k] = np.minimum.reduceat(permuted, starts)
    return signatures


def lsh_bands(threshold, num_perm, recall=0.99):
    """(bands, rows): the most rows per band that still catch a pair at ``threshold``.

    A pair of Jaccard similarity s shares at least one band with probability
    1 - (1 - s**rows)**bands; more rows per band mean fewer false candidates.
    """
    for rows in range(num_perm, 0, -1):
        bands = num_perm // rows
        if 1 - (1 - threshold**rows) ** bands >= recall:
            return bands, rows
    return num_perm, 1


def lsh_candidate_pairs(signatures, bands, rows):
    """Pairs (i < j) of texts whose signatures agree on every row of some band."""
    n_texts, pairs = signatures.shape[0], []
    for band in range(bands):
        block = np.ascontiguousarray(signatures[:, band * rows : (band + 1) * rows])
        _, bucket = np.unique(block.view(np.dtype((np.void, block.dtype.itemsize * rows))).ravel(),
                              return_inverse=True)
        pairs.append(_pairs_within_buckets(bucket))
    pairs = _sorted_distinct(np.concatenate(pairs))  # a pair may share several bands
    return pairs // n_texts, pairs % n_texts


def shared_buckets(bucket):
    """Rows (ascending) of each bucket that holds two or more rows; ``bucket`` is per row."""
    order = np.argsort(bucket, kind="stable")
    order = order[np.bincount(bucket)[bucket[order]] > 1]  # singletons are most rows
    if order.size == 0:
        return []
    return np.split(order, np.flatnonzero(np.diff(bucket[order])) + 1)


def _pairs_within_buckets(bucket):
    """All pairs of rows sharing a bucket, encoded as i * n + j with i < j."""
    encoded = [np.empty(0, dtype=np.int64)]
    for members in shared_buckets(bucket):
        i, j = np.triu_indices(members.size, k=1)
        encoded.append(members[i].astype(np.int64) * bucket.size + members[j])
    return np.concatenate(encoded)


def signature_agreement(signatures, first, second):
    """Share of equal MinHash values: an unbiased estimate of the Jaccard similarity."""
    agreement = np.empty(first.size)
    for start in range(0, first.size, _PAIR_CHUNK):
        i, j = first[start : start + _PAIR_CHUNK], second[start : start + _PAIR_CHUNK]
        agreement[start : start + _PAIR_CHUNK] = (signatures[i] == signatures[j]).mean(axis=1)
    return agreement


def jaccard(matrix, first, second):
    """Exact Jaccard similarity of the shingle sets of rows ``first[k]`` and ``second[k]``."""
    sizes = np.diff(matrix.indptr)
    similarity = np.empty(first.size)
    for start in range(0, first.size, _PAIR_CHUNK):
        i, j = first[start : start + _PAIR_CHUNK], second[start : start + _PAIR_CHUNK]
        shared = np.asarray(matrix[i].multiply(matrix[j]).sum(axis=1)).ravel()
        similarity[start : start + _PAIR_CHUNK] = shared / (sizes[i] + sizes[j] - shared)
    return similarity


def minhash_pairs(texts, *, threshold, ngram_range, num_perm, random_state):
    """Pairs of ``texts`` whose character n-gram Jaccard similarity is >= ``threshold``."""
    if len(texts) < 2:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    matrix = shingle_sets(texts, ngram_range)
    signatures = minhash_signatures(matrix, num_perm, random_state)
    first, second = lsh_candidate_pairs(signatures, *lsh_bands(threshold, num_perm))
    # Exact Jaccard is the costly step; skip candidates whose MinHash estimate
    # is more than 4 standard errors below the threshold (a miss in ~3e-5).
    estimate = signature_agreement(signatures, first, second)
    plausible = estimate >= threshold - 4 * np.sqrt(threshold * (1 - threshold) / num_perm)
    first, second = first[plausible], second[plausible]
    keep = jaccard(matrix, first, second) >= threshold
    return first[keep], second[keep]


def connected_groups(n_rows, first, second):
    """Component label of every row of the graph whose edges are (first, second).

    What a union-find over the pairs computes, done by scipy in compiled code.
    """
    edges = np.ones(len(first), dtype=bool)  # repeated edges must not add up to 0 (int8)
    graph = coo_matrix((edges, (first, second)), shape=(n_rows, n_rows))
    return connected_components(graph, directed=False)[1]
