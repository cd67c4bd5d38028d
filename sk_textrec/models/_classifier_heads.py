"""How BertClassifier's labels become heads: label codes, stratification, per-head losses.

The column helpers live in ``_heads`` (shared with BertRegressor); this module
assembles them for classification: ``y`` (one column, several, or the ESMM
click/purchase pair) and the auxiliary targets.
"""

from typing import NamedTuple

import numpy as np

from ._heads import (
    LOSSES,
    check_esmm_columns,
    class_weight_vector,
    encode_classification_columns,
    encode_with_fitted_classes,
    output_slices,
    per_task,
    task_weight_vector,
)


class LabelCodes(NamedTuple):
    """The classes and integer codes of ``y`` and of the auxiliary targets.

    ``classes`` and ``aux_classes`` hold one array per column; ``stratify`` is
    the column the validation split is stratified on.
    """

    classes: list
    y_codes: np.ndarray
    stratify: np.ndarray
    aux_classes: list
    aux_codes: np.ndarray


def encode_labels(y_columns, aux_columns, *, esmm, estimator_name, fitted=None):
    """Codes of the label columns; ``fitted=(classes, aux_classes)`` encodes in those (warm start).

    With ``esmm`` (and two columns), the codes are the click and purchase
    indicators and the stratification is their four combinations.
    """
    multi_output = len(y_columns) > 1
    if esmm and multi_output:
        y_codes = check_esmm_columns(y_columns)
        classes = [np.unique(column) for column in y_columns]
        stratify = 2 * y_codes[:, 0] + y_codes[:, 1]
    else:
        if esmm:
            check_esmm_columns(y_columns)  # raises: ESMM needs two columns
        if fitted is not None:
            classes = fitted[0]
            y_codes = encode_with_fitted_classes(y_columns, classes, "y", estimator_name)
        else:
            classes, y_codes = encode_classification_columns(y_columns, "y")
        stratify = y_codes[:, 0]
    n_rows = len(y_codes)
    aux_classes, aux_codes = [], np.empty((n_rows, 0), np.int64)
    if fitted is not None and (aux_columns or fitted[1]):
        aux_classes = fitted[1]
        aux_codes = encode_with_fitted_classes(aux_columns, aux_classes, "auxiliary_targets", estimator_name)
    elif aux_columns:
        aux_classes, aux_codes = encode_classification_columns(aux_columns, "auxiliary_targets")
    return LabelCodes(classes, y_codes, stratify, aux_classes, aux_codes)


def classification_heads(codes, *, loss, class_weight, gamma, beta, tau, task_weights, esmm):
    """The training tasks, head widths and class-weight vectors of ``codes`` (a :class:`LabelCodes`).

    Each task is ``(loss module, output columns, target columns, task weight)``
    as ``_fine_tune`` trains them: one head per column of ``y`` (or one
    two-output head for the ESMM chain), then one plain cross-entropy head per
    auxiliary target. ``class_weights`` has one vector per column of ``y``.
    """
    from ._losses import ESMMLoss, WeightedLoss, criterion_params

    classes, y_codes, aux_classes = codes.classes, codes.y_codes, codes.aux_classes
    n_y = len(classes)
    weights = task_weight_vector(task_weights, n_y + len(aux_classes))
    losses = per_task(loss, n_y, "loss", options=LOSSES)
    if isinstance(class_weight, dict) and n_y > 1:
        raise ValueError(
            "The 'class_weight' parameter is one dict for a 1-D y; for a 2-D y give a "
            "list with one entry per column."
        )
    class_weights = [
        class_weight_vector(weight, column_classes, y_codes[:, j])
        for j, (weight, column_classes) in enumerate(zip(per_task(class_weight, n_y, "class_weight"), classes))
    ]
    if esmm:
        if set(losses) != {"cross_entropy"}:
            raise ValueError("multi_output='esmm' is trained with loss='cross_entropy' only.")
        positive = [w[1] / w[0] for w in class_weights]
        tasks = [(ESMMLoss(weights[:2], positive), slice(0, 2), 1.0)]  # the task weights are inside
        widths = [2]
    else:
        tasks, widths = [], []
        for j, column_classes in enumerate(classes):
            counts = np.bincount(y_codes[:, j], minlength=len(column_classes))
            params = criterion_params(losses[j], class_weights[j], counts, gamma=gamma, beta=beta, tau=tau)
            tasks.append((WeightedLoss(**params), slice(j, j + 1), weights[j]))
            widths.append(len(column_classes))
    for k, column_classes in enumerate(aux_classes):
        column = n_y + k
        tasks.append((WeightedLoss(np.ones(len(column_classes))), slice(column, column + 1), weights[column]))
        widths.append(len(column_classes))
    slices = output_slices(widths)
    tasks = [(task_loss, slices[i], target, weight) for i, (task_loss, target, weight) in enumerate(tasks)]
    return tasks, widths, class_weights
