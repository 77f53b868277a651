"""Ranking evaluation of a fitted model on a held-out test set."""

import collections
from typing import TYPE_CHECKING, Dict, Optional, Tuple, Union
from ctypes import byref, c_double, c_int32

from . import _ffi
from . import errors
from ._base import Progress, call_with_progress, handle_of, make_options, raw
from .dataset import Dataset
from ._types import OptionValue, ProgressFn

if TYPE_CHECKING:
    from .model import Model

# enum lr_metric, in the order of the Metrics fields.
# New metrics are appended, so positional unpacking of older fields holds.
_METRICS = (("precision", 1), ("recall", 2), ("ndcg", 3), ("map", 4), ("hit_rate", 5),
            ("coverage", 6), ("rmse", 7), ("users", 8), ("cold_recall", 9),
            ("cold_users", 10), ("cold_pairs", 11))
_COUNTS = ("users", "cold_users", "cold_pairs")

Metrics = collections.namedtuple("Metrics", [name for name, _ in _METRICS])
Metrics.__doc__ = """Metrics of one evaluation at cut-off k (docs/evaluation.md).

precision, recall, ndcg, map, hit_rate: averages over the evaluated users;
coverage: distinct recommended artists / catalogue; rmse: mf only (NaN
otherwise); users: how many users had a held-out artist; cold_recall:
recall@k on held-out artists nobody listened to in training, averaged over
the cold_users users that have one (NaN when none), cold_pairs such
held-out pairs."""


def evaluate(model: "Model", train: Dataset, test: Dataset, k: int = 10, per_user: bool = False,
             progress: Optional[ProgressFn] = None, **options: OptionValue
             ) -> Union["Metrics", Tuple["Metrics", Dict[str, Dict[int, float]]]]:
    """Evaluate a fitted model: each user's top-k (their training artists
    left out) against their held-out artists in ``test``.

    Returns Metrics; with ``per_user=True``, ``(Metrics, per_user)`` where
    per_user maps each metric that has per-user values to a dict
    user ID -> value (cold_recall: NaN for a user without cold held-out
    artists).  Options: ``threads``.  Runs with the GIL released.
    """
    if isinstance(k, bool) or not isinstance(k, int):
        raise errors.InvalidArgument(errors.E_INVALID, "k must be an integer, got %r" % (k,))
    if not 1 <= k < 2**31:
        raise errors.InvalidArgument(errors.E_INVALID, "k must be at least 1, got %d" % k)
    bridge = Progress(progress) if progress is not None else None
    opts = make_options(options, bridge)
    ev = _ffi.EvaluationP()
    from .model import Model
    call_with_progress(bridge, _ffi.lr_evaluate, byref(ev), handle_of(model, Model, "model"),
                       handle_of(train, Dataset, "train"), handle_of(test, Dataset, "test"), k,
                       raw(opts))
    try:
        values = [_ffi.lr_evaluation_metric(ev, code) for _, code in _METRICS]
        metrics = Metrics(*values)
        metrics = metrics._replace(**{name: int(getattr(metrics, name)) for name in _COUNTS})
        if not per_user:
            return metrics
        users = list(_ffi.fetch(_ffi.lr_evaluation_users, c_int32, ev))
        table = {}
        for name, code in _METRICS:
            if name in _COUNTS:
                continue
            try:
                column = _ffi.fetch(_ffi.lr_evaluation_user_metric, c_double, ev, code)
            except errors.InvalidArgument:
                continue  # an aggregate-only metric such as coverage
            table[name] = dict(zip(users, column))
        return metrics, table
    finally:
        _ffi.lr_evaluation_free(ev)
