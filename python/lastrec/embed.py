"""What a model's artist vectors say: norms against popularity, PCA and
t-SNE maps (docs/embed.md).  Reached through Model.artist_norms(),
Model.pca() and Model.tsne()."""

import collections
from typing import TYPE_CHECKING, Any, Optional
from ctypes import byref, c_double, c_int32, c_int64, c_size_t

from . import _ffi
from . import _numpy
from . import errors
from ._base import Progress, call_with_progress, make_options, raw
from ._types import ProgressFn

if TYPE_CHECKING:
    from .model import Model

# enum lr_norm_stat
_PEARSON, _SPEARMAN, _USED, _ZERO, _ZERO_LISTENED = 1, 2, 3, 4, 5
# enum lr_map_stat
_ROWS, _DIMS, _KL, _NN, _ITERATIONS, _TOTAL = 1, 2, 3, 4, 5, 6

ArtistNorms = collections.namedtuple(
    "ArtistNorms", "ids norms fans plays pearson spearman used zero_vectors zero_vectors_listened")
ArtistNorms.__doc__ = """Each artist's vector norm, fan count and plays in the
training data (ids in the model's order), and over the artists with a
training listener and a non-zero vector (``used`` of them): Pearson's r of
norm and log(1 + fans), Spearman's rho of norm and fans.  ``zero_vectors``
counts the artists whose vector is exactly zero, left out of the
correlations (docs/embed.md#zero-vectors)."""

PCAMap = collections.namedtuple("PCAMap", "ids coords variance explained total_variance")
PCAMap.__doc__ = """Principal components of the artist vectors: ``coords`` is
artists x components (rows in ``ids`` order), ``variance`` each component's
variance, ``explained`` its share of ``total_variance``."""

TSNEMap = collections.namedtuple("TSNEMap", "ids coords kl nn_preservation iterations")
TSNEMap.__doc__ = """A 2-D t-SNE map: ``coords`` is artists x 2 (rows in
``ids`` order); ``kl`` the final KL divergence, ``nn_preservation`` the
mean share of each artist's 10 nearest vectors among its 10 nearest on the
map, ``iterations`` the iterations run."""

# keyword -> library option, for Model.tsne()
_TSNE_OPTIONS = (("perplexity", "tsne_perplexity"), ("metric", "tsne_metric"),
                 ("exaggeration", "tsne_exaggeration"),
                 ("exaggeration_iterations", "tsne_exaggeration_iterations"),
                 ("iterations", "tsne_iterations"), ("learning_rate", "tsne_learning_rate"),
                 ("theta", "tsne_theta"), ("kl_tolerance", "tsne_kl_tolerance"),
                 ("min_fans", "map_min_fans"), ("seed", "seed"), ("threads", "threads"))


def _column(ctype, typestr, n, as_numpy):
    """An empty output column: a numpy array or a ctypes array."""
    if as_numpy:
        return _numpy.numpy.empty(n, dtype=typestr)
    return (ctype * n)()


def _out(buf, as_numpy):
    return buf if as_numpy else list(buf)


def artist_norms(model: "Model", as_numpy: Optional[bool] = None) -> "ArtistNorms":
    use = _numpy.use_numpy(as_numpy)
    m = model._handle()
    needed = c_size_t(0)
    _ffi.lr_model_artist_norms(m, None, None, None, 0, byref(needed))
    n = needed.value
    ids = _column(c_int32, "<i4", n, use)
    norms = _column(c_double, "<f8", n, use)
    fans = _column(c_int64, "<i8", n, use)
    plays = _column(c_double, "<f8", n, use)
    _ffi.lr_model_ids(m, 2, ids, n, byref(needed))
    _ffi.lr_model_artist_norms(m, norms, fans, plays, n, byref(needed))
    stat = []
    for code in (_PEARSON, _SPEARMAN, _USED, _ZERO, _ZERO_LISTENED):
        v = c_double()
        _ffi.lr_model_norm_stat(m, code, byref(v))
        stat.append(v.value)
    return ArtistNorms(_out(ids, use), _out(norms, use), _out(fans, use), _out(plays, use),
                       stat[0], stat[1], int(stat[2]), int(stat[3]), int(stat[4]))


def _map_rows(mp, use):
    """(ids, coords rows x dims) of a C map."""
    n, d = int(_ffi.lr_map_stat(mp, _ROWS)), int(_ffi.lr_map_stat(mp, _DIMS))
    needed = c_size_t(0)
    ids = _column(c_int32, "<i4", n, use)
    flat = _column(c_double, "<f8", n * d, use)
    if n:
        _ffi.lr_map_ids(mp, ids, n, byref(needed))
        _ffi.lr_map_coords(mp, flat, n * d, byref(needed))
    if use:
        return ids, flat.reshape(n, d)
    return list(ids), [list(flat[i * d:(i + 1) * d]) for i in range(n)]


def pca(model: "Model", components: int, min_fans: Optional[int] = None,
        as_numpy: Optional[bool] = None) -> "PCAMap":
    if isinstance(components, bool) or not isinstance(components, int):
        raise errors.InvalidArgument(errors.E_INVALID,
                                     "components must be an integer, got %r" % (components,))
    if not 0 <= components < 2**31:
        raise errors.InvalidArgument(errors.E_INVALID,
                                     "components must be at least 1, got %d" % components)
    use = _numpy.use_numpy(as_numpy)
    opts = make_options({"map_min_fans": min_fans})
    mp = _ffi.MapP()
    _ffi.lr_model_pca(byref(mp), model._handle(), components, raw(opts))
    try:
        ids, coords = _map_rows(mp, use)
        needed = c_size_t(0)
        var = _column(c_double, "<f8", components, use)
        share = _column(c_double, "<f8", components, use)
        _ffi.lr_map_variance(mp, var, share, components, byref(needed))
        return PCAMap(ids, coords, _out(var, use), _out(share, use),
                      _ffi.lr_map_stat(mp, _TOTAL))
    finally:
        _ffi.lr_map_free(mp)


def tsne(model: "Model", progress: Optional[ProgressFn] = None, as_numpy: Optional[bool] = None,
         **kwargs: Any) -> "TSNEMap":
    unknown = set(kwargs) - {k for k, _ in _TSNE_OPTIONS}
    if unknown:
        raise errors.InvalidArgument(
            errors.E_INVALID, "tsne() got unknown arguments %s; it takes %s"
            % (", ".join(sorted(unknown)), ", ".join(k for k, _ in _TSNE_OPTIONS)))
    use = _numpy.use_numpy(as_numpy)
    bridge = Progress(progress) if progress is not None else None
    opts = make_options({name: kwargs.get(k) for k, name in _TSNE_OPTIONS}, bridge)
    mp = _ffi.MapP()
    call_with_progress(bridge, _ffi.lr_model_tsne, byref(mp), model._handle(), raw(opts))
    try:
        ids, coords = _map_rows(mp, use)
        return TSNEMap(ids, coords, _ffi.lr_map_stat(mp, _KL), _ffi.lr_map_stat(mp, _NN),
                       int(_ffi.lr_map_stat(mp, _ITERATIONS)))
    finally:
        _ffi.lr_map_free(mp)
