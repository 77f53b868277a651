"""Models: create with options, fit, save and load, embeddings, history."""

import threading
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple, Union
import weakref
from ctypes import POINTER, byref, c_double, c_float, c_int, c_int32, c_size_t, c_void_p, cast

from . import _ffi
from . import _progress
from . import _numpy
from . import errors
from ._base import (Handle, Options, Progress, all_options, call_with_progress, decode,
                    encode_path, encode_text, free_on_collect, handle_of, option_info,
                    option_value_out)
from .dataset import Dataset
from .query import Query, Recommendation, _Core, id_list, is_batch
from ._types import (ArrayOrList, ArtistRef, IdOrIds, OptionValue, PathLike, Preferences,
                     ProgressFn)

if TYPE_CHECKING:
    from .embed import ArtistNorms, PCAMap, TSNEMap
    from .evaluation import Metrics

_EMBEDDING_USERS, _EMBEDDING_ARTISTS = 1, 2
_IDS_USERS, _IDS_ARTISTS = 1, 2

# enum lr_history_field, by name, in column order.
HISTORY_FIELDS = ("loss", "loss_observed", "loss_l2", "loss_gravity", "val_loss", "val_ndcg",
                  "val_precision", "seconds")


def algorithm_code(algorithm: Union[str, int]) -> int:
    """An lr_algorithm from a name ('als') or a number."""
    if isinstance(algorithm, str):
        code = c_int()
        try:
            _ffi.lr_algorithm_lookup(encode_text(algorithm.lower()), byref(code))
        except errors.NotFound as exc:
            # An unknown algorithm is a bad argument to Model(), as an
            # unknown option is; the library's message lists the known ones.
            raise errors.InvalidArgument(errors.E_INVALID, exc.message) from None
        return code.value
    if isinstance(algorithm, int) and not isinstance(algorithm, bool):
        if _ffi.lr_algorithm_name(algorithm) is None:
            raise errors.InvalidArgument(errors.E_INVALID, "unknown algorithm %d" % algorithm)
        return algorithm
    raise errors.InvalidArgument(errors.E_INVALID,
                                 "algorithm must be a name or a number, got %r" % (algorithm,))


def option_default(algorithm: Union[str, int], name: str) -> OptionValue:
    """The value option ``name`` takes in a model of ``algorithm`` when it
    is not given: ``option_default('als', 'regularization')`` is 15.0 while
    ``lastrec.options()`` lists the generic 0.05.  Enum-valued options come
    back as names (``option_default('als', 'transform')`` is 'bm25')."""
    info = option_info(name)
    value = c_double()
    _ffi.lr_option_default(algorithm_code(algorithm), info.key, byref(value))
    return option_value_out(info, value.value)


def _free_model(ptr, queries):
    # The C queries borrow the C model; they go first.
    for fin in list(queries.values()):
        fin()
    _ffi.lr_model_free(ptr)


class _BorrowedMatrix:
    """What a zero-copy embedding array is a view of.

    numpy builds the array from ``__array_interface__`` and keeps this object
    as the array's ``base``; this object keeps the Model, so the C memory the
    array points into cannot be freed while the array (or any view of it)
    lives.  The interface says read-only: a fitted model is shared by threads
    and queries, and writing into it would change their answers underneath.
    """

    __slots__ = ("__array_interface__", "owner", "__weakref__")

    def __init__(self, owner, address, rows, cols):
        self.owner = owner
        self.__array_interface__ = {
            "version": 3,
            "shape": (rows, cols),
            "typestr": "<f4",
            "data": (address, True),
        }


class Model(Handle):
    """A recommender model: created with options, fitted once, then read-only.

    ``Model('als', factors=64, epochs=15, regularization=0.05)``: keyword
    arguments are library options (``lastrec.options()`` lists them;
    ``optimizer``, ``transform`` and ``solver`` also take names such as
    ``'adagrad'``, ``'bm25'``, ``'cholesky'``).  An unknown option or a value
    out of range raises InvalidArgument naming the option and its range.

    A fitted model may be shared by any number of threads (queries from the
    convenience methods use one scratch space per thread).  ``close()`` frees
    it; if embedding arrays or Query objects still use it, the memory is
    freed when the last of them is gone, as sqlite3_close_v2 does.
    """

    _what = "model"

    def __init__(self, algorithm: Union[str, int], **options: OptionValue) -> None:
        """Create an unfitted model.

        Args:
            algorithm: 'pop', 'mf', 'als', 'bpr', 'ease' or 'blend' (or its
                lr_algorithm number).
            **options: library options by name, e.g. ``factors=64``,
                ``epochs=15``, ``transform='bm25'``.  An option left out
                takes the algorithm's own default, which may differ from the
                generic one ``lastrec.options()`` lists:
                ``lastrec.option_default('als', 'regularization')`` tells
                it, and ``model.option(name)`` what the model uses.

        Raises:
            InvalidArgument: an unknown algorithm or option, or a value of
                the wrong kind or out of range (the message names the
                option and its range, or lists the valid names).
        """
        code = algorithm_code(algorithm)
        # The library copies the options, progress callback included, into
        # the model when it is created; fit() later reports through it.  So
        # every model gets its bridge now and fit() only points it at the
        # caller's callable for the duration of the call.
        progress = Progress()
        opts = Options(options, progress)
        ptr = _ffi.ModelP()
        try:
            _ffi.lr_model_new(byref(ptr), code, opts._handle())
        finally:
            opts.close()
        self._init(ptr, progress)

    def _init(self, ptr, progress):
        self._progress = progress
        self._queries = {}  # token -> finalizer of each C query over this model
        self._names = {}    # artist ID -> name, filled by queries
        self._info = {}     # artist ID -> (name, top tag, tags, fans), likewise
        self._local = threading.local()
        self._dependents = weakref.WeakSet()
        self._ptr = ptr
        self._finalizer = free_on_collect(self, _free_model, ptr, self._queries)

    @classmethod
    def load(cls, path: PathLike) -> "Model":
        """Load a model written by :meth:`save`; it answers queries without the dataset."""
        ptr = _ffi.ModelP()
        _ffi.lr_model_load(byref(ptr), encode_path(path))
        self = object.__new__(cls)
        self._init(ptr, None)
        return self

    def close(self) -> None:
        """Release the model.  Memory still viewed by embedding arrays or
        used by Query objects is freed once they are gone."""
        if self._ptr is None:
            return
        self._ptr = None
        self._local = threading.local()
        if not self._dependents:
            self._finalizer()

    def _depend(self, obj):
        self._dependents.add(obj)

    # ------------------------------------------------------------ describing

    @property
    def algorithm(self) -> str:
        """The algorithm's name ('pop', 'mf', 'als', 'bpr', 'ease', 'blend')."""
        return decode(_ffi.lr_algorithm_name(_ffi.lr_model_algorithm(self._handle())))

    @property
    def fitted(self) -> bool:
        """Whether fit() has succeeded (a loaded model always has)."""
        return bool(_ffi.lr_model_is_fitted(self._handle()))

    def option(self, name: str) -> OptionValue:
        """An option as the model uses it (the algorithm's default where none was set)."""
        info = option_info(name)
        value = c_double()
        _ffi.lr_model_option(self._handle(), info.key, byref(value))
        return option_value_out(info, value.value)

    def options(self) -> Dict[str, OptionValue]:
        """Every option as the model uses it, as a dict."""
        return {info.name: self.option(info.name) for info in all_options()}

    def __repr__(self):
        if self._ptr is None:
            return "<lastrec.Model (closed)>"
        return "<lastrec.Model %s%s>" % (self.algorithm, "" if self.fitted else " (not fitted)")

    # -------------------------------------------------------------- fitting

    def fit(self, train: Dataset, validation: Optional[Dataset] = None,
            progress: Optional[ProgressFn] = None) -> "Model":
        """Fit to the ``train`` Dataset; returns self.

        With ``validation`` (the other side of a split), the history gets the
        validation loss and ranking metrics per epoch.  ``progress`` is
        called as ``progress(stage, done, total)`` (stage 'epoch') and may
        run on a worker thread (``progress=True``: a tqdm bar when tqdm is
        installed, a line on stderr otherwise); returning True cancels the fit (Cancelled),
        and an exception it raises cancels the fit and is re-raised here.
        Either way the model stays unfitted.  The GIL is released while the
        library works.
        """
        m = self._handle()
        bridge = self._progress
        if bridge is None:  # a loaded model is fitted already; let C say so
            bridge = Progress()
        tr = handle_of(train, Dataset, "train")
        va = handle_of(validation, Dataset, "validation") if validation is not None else None
        bridge.fn = _progress.as_callback(progress)
        try:
            call_with_progress(bridge, _ffi.lr_model_fit, m, tr, va)
        finally:
            bridge.fn = None
        return self

    def save(self, path: PathLike) -> None:
        """Write the fitted model to one binary file."""
        _ffi.lr_model_save(self._handle(), encode_path(path))

    def export(self, directory: PathLike, format: str = "npy") -> None:
        """Write the vectors a serving system needs into ``directory``
        (created when missing): ``users.npy`` and ``artists.npy`` (float32,
        the rows of user_embeddings() and artist_embeddings()),
        ``users.tsv`` and ``artists.tsv`` (row, ID and, for artists, name)
        and, for a model with artist biases (bpr, softmax with cold_boost),
        ``artist_bias.npy``: a score is ``users[u] @ artists[a]`` plus
        ``artist_bias[a]``.  ``numpy.load``, faiss and hnswlib read the
        arrays (docs/formats.md, "Serving export").  Each file is written
        under a temporary name and renamed once all are complete.

        Unsupported for pop, ease and blend, whose scores no dot product
        gives; LastrecIOError (an OSError; the message names the path) when a file or the
        directory cannot be written; InvalidArgument for an unknown format.
        """
        opts = Options({"export_format": format})
        _ffi.lr_model_export(self._handle(), encode_path(directory), opts._handle())

    def history(self) -> Dict[str, List[float]]:
        """The training history: a dict of lists, one value per epoch, for
        the columns in HISTORY_FIELDS; NaN where a value was not measured."""
        m = self._handle()
        return {name: list(_ffi.fetch(_ffi.lr_model_history, c_double, m, i + 1))
                for i, name in enumerate(HISTORY_FIELDS)}

    # ----------------------------------------------------------- embeddings

    def user_ids(self) -> List[int]:
        """The user IDs of a fitted model, ascending: the rows of user_embeddings()."""
        return list(_ffi.fetch(_ffi.lr_model_ids, c_int32, self._handle(), _IDS_USERS))

    def artist_ids(self) -> List[int]:
        """The artist IDs of a fitted model, ascending: the rows of artist_embeddings()."""
        return list(_ffi.fetch(_ffi.lr_model_ids, c_int32, self._handle(), _IDS_ARTISTS))

    def _embeddings(self, which, as_numpy):
        data = POINTER(c_float)()
        rows, cols = c_size_t(), c_size_t()
        _ffi.lr_model_embeddings(self._handle(), which, byref(data), byref(rows), byref(cols))
        r, c = rows.value, cols.value
        address = cast(data, c_void_p).value
        if _numpy.use_numpy(as_numpy):
            np = _numpy.numpy
            if r * c == 0 or not address:
                return np.empty((r, c), dtype=np.float32)
            holder = _BorrowedMatrix(self, address, r, c)
            self._depend(holder)
            return np.asarray(holder)
        flat = (c_float * (r * c)).from_address(address)
        return [flat[i * c:(i + 1) * c] for i in range(r)]

    def user_embeddings(self, as_numpy: Optional[bool] = None) -> ArrayOrList:
        """The users x k embedding matrix (float32), rows in user_ids() order.

        With numpy: a read-only array over the model's own memory, no copy;
        the array keeps the model alive.  Without: a list of lists (a copy).
        ``as_numpy`` forces either.  Unsupported for pop and ease."""
        return self._embeddings(_EMBEDDING_USERS, as_numpy)

    def artist_embeddings(self, as_numpy: Optional[bool] = None) -> ArrayOrList:
        """The artists x k embedding matrix, rows in artist_ids() order; as
        user_embeddings()."""
        return self._embeddings(_EMBEDDING_ARTISTS, as_numpy)

    # ------------------------------------------------- what the vectors say

    def artist_norms(self, as_numpy: Optional[bool] = None) -> "ArtistNorms":
        """Each artist's vector norm against its popularity (docs/embed.md):
        an ArtistNorms of columns (ids, norms, fans, plays: numpy arrays
        when numpy is there, else lists; ``as_numpy`` forces either) and the
        correlations ``pearson`` (norm vs log(1 + fans)) and ``spearman``
        over the ``used`` artists with a training listener and a non-zero
        vector.  InvalidArgument for a model without artist vectors (pop,
        ease)."""
        from . import embed
        return embed.artist_norms(self, as_numpy)

    def pca(self, components: int = 2, min_fans: Optional[int] = None,
            as_numpy: Optional[bool] = None) -> "PCAMap":
        """Principal components of the artist vectors of the artists with
        at least ``min_fans`` training listeners (default 1) and a
        non-zero vector: a PCAMap (ids, coords artists x components,
        variance, explained, total_variance)."""
        from . import embed
        return embed.pca(self, components, min_fans, as_numpy)

    def tsne(self, perplexity: Optional[float] = None, metric: Optional[str] = None,
             iterations: Optional[int] = None, min_fans: Optional[int] = None,
             seed: Optional[int] = None, threads: Optional[int] = None,
             progress: Optional[ProgressFn] = None, as_numpy: Optional[bool] = None,
             **options: OptionValue) -> "TSNEMap":
        """A 2-D t-SNE map of the artist vectors (docs/embed.md): a TSNEMap
        (ids, coords artists x 2, kl, nn_preservation, iterations).

        ``metric`` is 'cosine' (default) or 'euclidean'; further keywords:
        ``exaggeration``, ``exaggeration_iterations``, ``learning_rate``,
        ``theta``, ``kl_tolerance`` (the tsne_* options; defaults in
        ``lastrec.options()``).  ``progress(stage, done, total)`` is called
        every 50 iterations with stage 'tsne kl=<KL>'; returning True
        cancels (Cancelled).  The same options and seed give the same map
        on any number of threads.  The GIL is released while it runs."""
        from . import embed
        return embed.tsne(self, progress, as_numpy, perplexity=perplexity, metric=metric,
                          iterations=iterations, min_fans=min_fans, seed=seed, threads=threads,
                          **options)

    def artist_name(self, artist_id: int) -> Optional[str]:
        """An artist's name, or None for an ID the model does not know."""
        raw_name = _ffi.lr_model_artist_name(self._handle(), artist_id)
        return decode(raw_name) if raw_name is not None else None

    def artist_top_tag(self, artist_id: int) -> Optional[str]:
        """An artist's top tag ('' when it has none), or None for an unknown ID."""
        raw_tag = _ffi.lr_model_artist_top_tag(self._handle(), artist_id)
        return decode(raw_tag) if raw_tag is not None else None

    # -------------------------------------------------------------- queries

    def _thread_query(self):
        # One C query per thread: a query is scratch space that must not be
        # shared, while the model may be.  It dies with its thread's locals,
        # or with the model, whichever comes first.
        # close() replaces _local, so a closed model finds no core here and
        # _handle() refuses.
        core = getattr(self._local, "core", None)
        if core is None:
            core = _Core(self._handle(), self._names, self._info, self._queries)
            self._local.core = core
        return core

    def query(self, **settings: Any) -> Query:
        """A new Query over this model (see lastrec.Query for the settings)."""
        return Query(self, **settings)

    def recommend(self, user: IdOrIds, k: int = 10, measure: str = "dot",
                  exclude_listened: bool = True, explain: int = 3, tag: Optional[str] = None,
                  *, filter_listened: Optional[bool] = None, threads: Optional[int] = None,
                  as_numpy: Optional[bool] = None
                  ) -> Union[List[Recommendation], Tuple[ArrayOrList, ArrayOrList]]:
        """Top-k artists for one user of the model, or for a batch of users.

        One user (an int, a numpy integer or a 0-d array): a list of
        Recommendation (artist, name, score, top_tag, tags, fans, because,
        because_tags), best first.

        A batch (a list, tuple, range, 1-D array or any other iterable of
        user IDs, even of one): ``(ids, scores)``, each n x k in the order
        of the users given, the way implicit's ``model.recommend(userids,
        user_items, N)`` answers: int32 and float32 numpy arrays when numpy
        is importable (``as_numpy`` forces either), else lists of lists.  A
        row with fewer than k artists is padded with ID -1 and score NaN.
        Each row is what the one-user call gives that user (scores as
        float32).  Large batches go through ``Query.recommend_all`` on
        ``threads`` threads (default: all cores); ``explain`` is ignored.

        ``filter_listened`` is another name for ``exclude_listened`` (the
        one implicit uses); given, it wins.  An unknown user raises
        NotFound; in a batch its message names the index
        (``user_ids[3]: unknown user 99``).  Thread-safe.
        """
        if filter_listened is not None:
            exclude_listened = filter_listened
        core = self._thread_query()
        if is_batch(user):
            users = id_list(user, "user_ids")
            core.configure(k, measure, exclude_listened, 0, tag)
            return core.recommend_batch(users, threads, as_numpy)
        core.configure(k, measure, exclude_listened, explain, tag)
        return core.recommend(user)

    def recommend_for(self, preferences: Preferences, k: int = 10, measure: str = "dot",
                      exclude_listened: bool = True, explain: int = 3,
                      tag: Optional[str] = None) -> List[Recommendation]:
        """Top-k for a new listener described by ``preferences`` (a dict or a
        list of (artist ID or name, listen count)), folded in without
        retraining; the preferred artists are left out.  An ambiguous name
        raises Ambiguous with its ``candidates``.  Thread-safe."""
        core = self._thread_query()
        core.configure(k, measure, exclude_listened, explain, tag)
        return core.recommend_for(preferences)

    def similar(self, artist: ArtistRef, k: int = 10, measure: str = "dot",
                tag: Optional[str] = None) -> List[Recommendation]:
        """Top-k artists similar to an artist ID or name (the best match of
        the name: "Kanye" finds "Kanye West").  Thread-safe."""
        core = self._thread_query()
        core.configure(k, measure, None, None, tag)
        return core.similar(artist)

    def similar_artists(self, artists: Any, k: int = 10, measure: str = "dot",
                        tag: Optional[str] = None, *, as_numpy: Optional[bool] = None
                        ) -> Tuple[ArrayOrList, ArrayOrList]:
        """Top-k similar artists as arrays: ``(ids, scores)``.

        ``artists`` is a batch (a list, tuple, 1-D array or other iterable
        of artist IDs or names): n x k results, one row per artist in the
        order given.  One artist (an int or a name): 1-D results of k.
        int32 and float32 numpy arrays when numpy is importable
        (``as_numpy`` forces either), else lists; rows with fewer than k
        artists are padded with ID -1 and score NaN.  A name is resolved as
        :meth:`similar` resolves it.  Each row holds what :meth:`similar`
        gives.  An unknown artist raises NotFound naming its index
        (``artist_ids[2]: ...``).  Unsupported for models without artist
        vectors (pop).  Thread-safe.
        """
        core = self._thread_query()
        core.configure(k, measure, None, None, tag)
        return core.similar_arrays(artists, as_numpy)

    def find_artist(self, name: str) -> int:
        """Resolve an artist name with the names the model carries: its ID,
        or Ambiguous (with ``candidates``) / NotFound."""
        return self._thread_query().find_artist(name)

    # ----------------------------------------------------------- evaluation

    def evaluate(self, train: Dataset, test: Dataset, k: int = 10, **kwargs: Any) -> "Metrics":
        """Same as lastrec.evaluate(self, train, test, k, ...)."""
        from .evaluation import evaluate
        return evaluate(self, train, test, k, **kwargs)
