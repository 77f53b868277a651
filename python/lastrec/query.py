"""Queries: recommendations for a user or for preferences, similar artists."""

import collections
import functools
import itertools
import math
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Tuple, Union
import weakref
from ctypes import byref, c_char_p, c_double, c_float, c_int32, c_int64, c_size_t, c_void_p

from . import _ffi
from . import _numpy
from . import errors
from ._base import decode, encode_text, handle_of, int_id, make_options, raw
from .dataset import ArtistMatch
from ._types import ArrayOrList, ArtistRef, IdOrIds, Preferences

if TYPE_CHECKING:
    from .model import Model

Recommendation = collections.namedtuple(
    "Recommendation", "artist name score top_tag tags fans because because_tags")
Recommendation.__doc__ = """One result of a query, best first.

artist: artist ID; name; score: the model's score (or cosine); top_tag: the
artist's most used tag (None when it has none); tags: up to five
(tag name, use count) pairs, most used first; fans: listeners in the
training data; because: for user and preference queries, the Because
entries of the user's artists that contributed most to the score (empty for
similar artists and pop); because_tags: for softmax models, the BecauseTag
entries of the tags of those artists that raised the score most through the
user tower (empty for other models and for similar artists)."""

Because = collections.namedtuple("Because", "artist name contribution")
Because.__doc__ = "An artist of the user's that contributed to a recommendation, and how much."

BecauseTag = collections.namedtuple("BecauseTag", "tag contribution")
BecauseTag.__doc__ = "A tag of the user's artists that raised a recommendation, and by how much."

AllRecommendations = collections.namedtuple("AllRecommendations", "users artists scores")
AllRecommendations.__doc__ = """Top-k of every user: users (IDs, the row
order), artists (users x k IDs, -1 where a user has fewer than k) and scores
(users x k, NaN there).  numpy arrays when numpy is importable, else lists."""

# enum lr_query_key
_K, _MEASURE, _EXCLUDE, _EXPLAIN = 1, 2, 3, 4
MEASURES = {"dot": 1, "cosine": 2}
_MEASURE_NAMES = {v: k for k, v in MEASURES.items()}
_FILTER_NONE, _FILTER_ALLOW, _FILTER_DENY = 0, 1, 2
_TAGS_MAX = 5
_IDS_USERS = 1

_tokens = itertools.count()

# Because entries straight from zip()'s tuples, in C: no Python frame per entry.
_MAKE_BECAUSE = functools.partial(tuple.__new__, Because)
_MAKE_BECAUSE_TAG = functools.partial(tuple.__new__, BecauseTag)
_SOFTMAX = 7  # enum lr_algorithm: the one algorithm that explains by tags


def _free_query(ptr, registry, token):
    registry.pop(token, None)
    _ffi.lr_query_free(ptr)


class _Core:
    """One C query with what the binding keeps beside it.

    It holds the C model pointer but not the Model object, so that a Model
    can keep one of these per thread without a reference cycle.  Its
    finalizer sits in the model's registry, and the model frees every
    registered query before itself (a query borrows its model).  Reusable
    out-parameters and buffers keep the per-result cost to the C calls.
    """

    __slots__ = ("ptr", "model_ptr", "settings", "tag", "names", "info", "finalizer",
                 "_id", "_count", "_needed", "_tags", "_tag_counts", "_by_tags", "_tag_vals",
                 "_count_ref", "_needed_ref", "_vptr", "_bufs", "_user_rows", "__weakref__")

    def __init__(self, model_ptr, names, info, registry):
        handle = _ffi.QueryP()
        _ffi.lr_query_new(byref(handle), model_ptr)
        ptr = handle.value
        token = next(_tokens)
        fin = weakref.finalize(self, _free_query, ptr, registry, token)
        fin.atexit = False  # as for every handle: see _base.free_on_collect
        registry[token] = fin
        self.finalizer = fin
        self.ptr = ptr
        self.model_ptr = model_ptr
        self.names = names  # artist ID -> name, shared by the model's queries
        self.info = info    # artist ID -> (name, top tag, tags, fans), likewise
        value = c_int64()
        self.settings = {}
        for key in (_K, _MEASURE, _EXCLUDE, _EXPLAIN):
            _ffi.lr_query_get_int(ptr, key, byref(value))
            self.settings[key] = value.value
        self.tag = None
        self._id = c_int32()
        self._count = c_size_t()
        self._needed = c_size_t()
        self._tags = (c_char_p * _TAGS_MAX)()
        self._tag_counts = (c_int64 * _TAGS_MAX)()
        # Tag explanations are asked for only of the model that gives them,
        # so other models' queries pay nothing for them.
        self._by_tags = _ffi.lr_model_algorithm(model_ptr) == _SOFTMAX
        self._tag_vals = None
        # byref() objects made once: they stay valid as long as their targets.
        self._count_ref = byref(self._count)
        self._needed_ref = byref(self._needed)
        # Arguments of the results call, converted once (see _ffi.fast): the
        # handle, and buffers for k results (made on first use, remade when
        # k or the explanation count grows).
        self._vptr = c_void_p(ptr)
        self._bufs = None
        self._user_rows = None  # user ID -> row of recommend_all, made on first use

    def close(self):
        self.finalizer()
        self.ptr = None

    # -------------------------------------------------------------- settings

    def set(self, key, value):
        # Only what changes goes to C: the convenience methods pass every
        # setting on every call.
        if self.settings[key] != value:
            _ffi.lr_query_set_int(self.ptr, key, value)
            self.settings[key] = value

    def configure(self, k, measure, exclude_listened, explain, tag):
        if k is not None:
            self.set(_K, _count_arg(k, "k"))
        if measure is not None:
            self.set(_MEASURE, _measure_code(measure))
        if exclude_listened is not None:
            self.set(_EXCLUDE, 1 if exclude_listened else 0)
        if explain is not None:
            self.set(_EXPLAIN, _count_arg(explain, "explain"))
        if tag != self.tag:
            self.set_tag(tag)

    def set_tag(self, tag):
        _ffi.lr_query_set_tag(self.ptr, encode_text(tag) if tag else None)
        self.tag = tag or None

    def set_filter(self, mode, ids):
        ids = [int_id(a, "artist") for a in (ids or ())]
        buf = (c_int32 * len(ids))(*ids)
        _ffi.lr_query_set_filter(self.ptr, mode, buf if ids else None, len(ids))

    # --------------------------------------------------------------- names

    def name(self, artist):
        name = self.names.get(artist)
        if name is None:
            raw_name = _ffi.lr_query_artist_name(self.ptr, artist)
            if raw_name is None:
                raise errors.NotFound(errors.E_NOTFOUND, "unknown artist %d" % artist)
            name = self.names[artist] = decode(raw_name)
        return name

    def candidates(self):
        found = c_size_t(0)
        _ffi.lr_query_candidates(self.ptr, None, 0, byref(found))
        n = found.value
        if not n:
            return []
        buf = (c_int32 * n)()
        _ffi.lr_query_candidates(self.ptr, buf, n, byref(found))
        return [ArtistMatch(a, self.name(a)) for a in buf[:min(n, found.value)]]

    def _resolving(self, func, *args):
        """Call a name-resolving function; an Ambiguous error gets the candidates."""
        try:
            return func(*args)
        except errors.Ambiguous as exc:
            exc.candidates = tuple(self.candidates())
            raise

    def find_artist(self, name):
        self._resolving(_ffi.lr_query_find_artist, self.ptr, encode_text(name), byref(self._id))
        return self._id.value

    def artist_id(self, artist):
        """An artist given by ID or by name, as an ID."""
        if isinstance(artist, str):
            return self.find_artist(artist)
        return int_id(artist, "artist")

    # ---------------------------------------------------------- preferences

    def add_preference(self, artist, listens):
        listens = float(listens)
        if isinstance(artist, str):
            self._resolving(_ffi.lr_query_add_preference_name, self.ptr, encode_text(artist),
                            listens, byref(self._id))
            return self._id.value
        artist = int_id(artist, "artist")
        _ffi.lr_query_add_preference(self.ptr, artist, listens)
        return artist

    def clear_preferences(self):
        _ffi.lr_query_clear_preferences(self.ptr)

    def preferences(self):
        needed = c_size_t(0)
        _ffi.lr_query_preferences(self.ptr, None, None, 0, byref(needed))
        n = needed.value
        ids, listens = (c_int32 * n)(), (c_double * n)()
        if n:
            _ffi.lr_query_preferences(self.ptr, ids, listens, n, byref(needed))
        return dict(zip(ids, listens))

    # -------------------------------------------------------------- queries

    def recommend(self, user):
        _ffi.lr_query_recommend_user(self.ptr, int_id(user, "user"), self._count_ref)
        return self.results(self._count.value, True)

    def recommend_preferences(self):
        _ffi.lr_query_recommend_preferences(self.ptr, self._count_ref)
        return self.results(self._count.value, True)

    def recommend_for(self, preferences):
        items = preferences.items() if hasattr(preferences, "items") else preferences
        self.clear_preferences()
        try:
            for artist, listens in items:
                self.add_preference(artist, listens)
            return self.recommend_preferences()
        finally:
            # "Remove my preferences" is implicit: the next call starts clean.
            self.clear_preferences()

    def similar(self, artist):
        if isinstance(artist, str):
            self._resolving(_ffi.lr_query_similar_name, self.ptr, encode_text(artist),
                            byref(self._id), self._count_ref)
        else:
            _ffi.lr_query_similar(self.ptr, int_id(artist, "artist"), self._count_ref)
        return self.results(self._count.value, False)

    def results(self, n, explained):
        # The hot path of every query (the budget is 50 µs of Python per
        # recommendation): one call copies every result and explanation
        # out (lr_query_results, through its fast binding with arguments
        # converted once), everything used in the loop is a local, and the
        # named tuples are made by tuple.__new__, not their Python-level
        # constructors.
        explain = self.settings[_EXPLAIN] if explained else 0
        bufs = self._bufs
        if bufs is None or bufs[0] < n or bufs[1] < explain:
            cap = max(n, self.settings[_K], 1)
            per = max(explain, self.settings[_EXPLAIN], 1)
            bufs = self._bufs = (cap, per, (c_int32 * cap)(), (c_double * cap)(),
                                 (c_size_t * cap)(), (c_int32 * (cap * per))(),
                                 (c_double * (cap * per))(), c_size_t(cap), c_size_t(per))
        _, per, ids_buf, score_buf, count_buf, exp_id_buf, exp_val_buf, cap_arg, per_arg = bufs
        if explain:
            rc = _ffi.lr_query_results_fast(self._vptr, ids_buf, score_buf, count_buf,
                                            exp_id_buf, exp_val_buf, per_arg, cap_arg,
                                            self._needed_ref)
        else:
            rc = _ffi.lr_query_results_fast(self._vptr, ids_buf, score_buf, None, None, None,
                                            per_arg, cap_arg, self._needed_ref)
        if rc:
            raise _ffi.error_for(rc)
        ids, scores = ids_buf[:n], score_buf[:n]
        info_get = self.info.get
        new = tuple.__new__
        out = []
        if explain:
            counts = count_buf[:n]
            exp_ids, exp_vals = exp_id_buf[:n * per], exp_val_buf[:n * per]
            name_get = self.names.get
            make_because = _MAKE_BECAUSE
        for rank in range(n):
            artist = ids[rank]
            info = info_get(artist)
            if info is None:
                info = self._artist_info(rank, artist)
            because = because_tags = ()
            if explain:
                if self._by_tags:
                    because_tags = self._tag_explanation(rank, explain)
                m = counts[rank]
                if m:
                    base = rank * per
                    because_ids = exp_ids[base:base + m]
                    names = list(map(name_get, because_ids))
                    if None in names:
                        names = [self.name(a) if n is None else n
                                 for a, n in zip(because_ids, names)]
                    because = tuple(map(make_because,
                                        zip(because_ids, names, exp_vals[base:base + m])))
            out.append(new(Recommendation, (artist, info[0], scores[rank], info[1], info[2],
                                            info[3], because, because_tags)))
        return out

    def _tag_explanation(self, rank, explain):
        vals = self._tag_vals
        if vals is None or len(vals[0]) < explain:
            vals = self._tag_vals = ((c_char_p * explain)(), (c_double * explain)())
        names, contributions = vals
        _ffi.lr_query_result_tag_explanation(self.ptr, rank, names, contributions, explain,
                                             self._needed_ref)
        n = min(self._needed.value, explain)
        return tuple(map(_MAKE_BECAUSE_TAG, zip(map(decode, names[:n]), contributions[:n])))

    def _artist_info(self, rank, artist):
        # Name, tags and fans belong to the artist in this model, whatever
        # the query; they are fetched once per artist and shared.
        ptr = self.ptr
        name = decode(_ffi.lr_query_result_name(ptr, rank))
        top = decode(_ffi.lr_query_result_top_tag(ptr, rank)) or None
        fans = _ffi.lr_query_result_fans(ptr, rank)
        _ffi.lr_query_result_tags(ptr, rank, self._tags, self._tag_counts, _TAGS_MAX,
                                  self._needed_ref)
        tags = tuple((decode(self._tags[i]), self._tag_counts[i])
                     for i in range(self._needed.value))
        info = (name, top, tags, fans)
        self.info[artist] = info
        self.names.setdefault(artist, name)
        return info

    def recommend_all(self, threads, as_numpy):
        opts = make_options({"threads": threads} if threads is not None else None)
        users = _ffi.fetch(_ffi.lr_model_ids, c_int32, self.model_ptr, _IDS_USERS)
        k = self.settings[_K]
        n = len(users) * k
        if _numpy.use_numpy(as_numpy):
            np = _numpy.numpy
            ids = np.empty((len(users), k), dtype=np.int32)
            scores = np.empty((len(users), k), dtype=np.float32)
            if n:
                _ffi.lr_query_recommend_all(self.ptr, raw(opts), ids, scores, n, byref(self._needed))
            return AllRecommendations(np.array(users, dtype=np.int32), ids, scores)
        ids, scores = (c_int32 * n)(), (c_float * n)()
        if n:
            _ffi.lr_query_recommend_all(self.ptr, raw(opts), ids, scores, n, byref(self._needed))
        return AllRecommendations(list(users), [ids[i * k:(i + 1) * k] for i in range(len(users))],
                                  [scores[i * k:(i + 1) * k] for i in range(len(users))])


    # ------------------------------------------------------------ batches

    def _user_row(self):
        # A fitted model's users never change, so their rows are looked up once.
        rows = self._user_rows
        if rows is None:
            users = _ffi.fetch(_ffi.lr_model_ids, c_int32, self.model_ptr, _IDS_USERS)
            rows = self._user_rows = {u: i for i, u in enumerate(users)}
        return rows

    def recommend_batch(self, users, threads, as_numpy):
        """(ids, scores), n x k, for n user IDs (a list of ints)."""
        k = self.settings[_K]
        rows = self._user_row()
        # recommend_all scores every user in blocks on several threads: for
        # a good share of the users that is quicker than one call per user
        # (docs/python.md, "Batches", has the figures), and its rows are
        # bit for bit what lr_query_recommend_user gives.
        if len(users) * _ALL_SHARE >= len(rows) and len(users) >= _ALL_MIN:
            where = []
            for i, user in enumerate(users):
                row = rows.get(user)
                if row is None:
                    raise errors.NotFound(errors.E_NOTFOUND,
                                          "user_ids[%d]: the model has no user ID %d" % (i, user))
                where.append(row)
            everyone = self.recommend_all(threads, as_numpy)
            if _numpy.use_numpy(as_numpy):
                np = _numpy.numpy
                index = np.array(where, dtype=np.intp)
                return everyone.artists[index], everyone.scores[index]
            return ([everyone.artists[r] for r in where], [everyone.scores[r] for r in where])

        def one(user):
            _ffi.lr_query_recommend_user(self.ptr, user, self._count_ref)
        return self._batch(users, one, "user_ids", k, as_numpy)

    def similar_batch(self, artists, as_numpy):
        """(ids, scores), n x k, for n artist IDs or names."""
        def one(artist):
            if isinstance(artist, str):
                self._resolving(_ffi.lr_query_similar_name, self.ptr, encode_text(artist),
                                byref(self._id), self._count_ref)
            else:
                _ffi.lr_query_similar(self.ptr, artist, self._count_ref)
        return self._batch(artists, one, "artist_ids", self.settings[_K], as_numpy)

    def similar_arrays(self, artists, as_numpy):
        """similar_batch for a batch of IDs or names, 1-D rows for one."""
        if is_batch(artists):
            return self.similar_batch(id_list(artists, "artist_ids", names=True), as_numpy)
        one = artists if isinstance(artists, str) else int_id(artists, "artist")
        ids, scores = self.similar_batch([one], as_numpy)
        return ids[0], scores[0]

    def _batch(self, keys, ask, what, k, as_numpy):
        # One C query per key, each one's top k copied out without
        # explanations into a row padded with -1 and NaN, as recommend_all's.
        n = len(keys)
        ids_buf, score_buf = (c_int32 * max(k, 1))(), (c_double * max(k, 1))()
        zero, cap = c_size_t(0), c_size_t(k)
        results = _ffi.lr_query_results_fast
        vptr, needed_ref, count = self._vptr, self._needed_ref, self._count
        with_numpy = _numpy.use_numpy(as_numpy)
        if with_numpy:
            np = _numpy.numpy
            ids = np.full((n, k), -1, dtype=np.int32)
            scores = np.full((n, k), np.nan, dtype=np.float32)
        else:
            ids, scores = [], []
            pad_ids, pad_scores = [-1] * k, [math.nan] * k
            row_scores = (c_float * max(k, 1))()
        for i, key in enumerate(keys):
            try:
                ask(key)
            except errors.Error as exc:
                raise _at_index(exc, what, i) from None
            m = min(count.value, k)
            rc = results(vptr, ids_buf, score_buf, None, None, None, zero, cap, needed_ref)
            if rc:
                raise _ffi.error_for(rc)
            if with_numpy:
                ids[i, :m] = ids_buf[:m]
                scores[i, :m] = score_buf[:m]
            else:
                # Through float, so a row's scores are recommend_all's.
                row_scores[:m] = score_buf[:m]
                ids.append(ids_buf[:m] + pad_ids[m:])
                scores.append(row_scores[:m] + pad_scores[m:])
        return ids, scores


# A batch of users goes through recommend_all when it holds at least one
# _ALL_SHARE-th of the model's users and at least _ALL_MIN of them: recommend_all
# takes about half the time per user of one call each (docs/python.md, "Batches").
_ALL_SHARE = 2
_ALL_MIN = 16


def _at_index(exc, what, index):
    """The same error, its message starting with which element it was about."""
    new = errors.make_error(exc.status, "%s[%d]: %s" % (what, index, exc.message))
    new.function = exc.function
    if isinstance(exc, errors.Ambiguous):
        new.candidates = exc.candidates
    return new


def is_batch(value):
    """Whether a user or artist argument is a batch (a sequence or 1-D array
    of IDs) rather than one ID (an int, a numpy integer or 0-d array) or one
    artist name (a str)."""
    if isinstance(value, (str, bytes)):
        return False
    ndim = getattr(value, "ndim", None)
    if ndim is not None:  # numpy: arrays and scalars
        return ndim > 0
    if hasattr(value, "__index__"):
        return False
    try:
        iter(value)
    except TypeError:
        return False
    return True


def id_list(values, what, names=False):
    """A batch of IDs (or, with ``names``, also artist names) as a list of
    Python ints and strs; the error for a bad element names its index."""
    ndim = getattr(values, "ndim", None)
    if ndim is not None and ndim != 1:
        raise errors.InvalidArgument(
            errors.E_INVALID, "%s must be one-dimensional, got %d dimensions" % (what, ndim))
    if hasattr(values, "tolist"):
        values = values.tolist()  # numpy: Python ints in one call
    out = []
    single = what[:-4] if what.endswith("_ids") else what
    for i, value in enumerate(values):
        if names and isinstance(value, str):
            out.append(value)
            continue
        try:
            out.append(int_id(value, single))
        except errors.Error as exc:
            raise _at_index(exc, what, i) from None
    return out


def _count_arg(value, what):
    if isinstance(value, bool) or not isinstance(value, int):
        raise errors.InvalidArgument(errors.E_INVALID,
                                     "%s must be an integer, got %r" % (what, value))
    if not -2**63 <= value < 2**63:
        raise errors.InvalidArgument(errors.E_INVALID, "%s %d is out of range" % (what, value))
    return value


def _measure_code(measure):
    try:
        return MEASURES[measure]
    except (KeyError, TypeError):
        raise errors.InvalidArgument(
            errors.E_INVALID, "measure must be 'dot' or 'cosine', got %r" % (measure,)) from None


class Query:
    """Questions to a fitted model, with their own settings and scratch space.

    A Query belongs to one thread at a time (a Model may be shared: give
    each thread its own Query, or use the Model's convenience methods, which
    keep one per thread).  It keeps its Model alive.

    Settings (constructor keywords and properties): ``k`` results per query;
    ``measure`` 'dot' (the model's score) or 'cosine'; ``exclude_listened``
    leaves out the user's own artists (or the preferences); ``explain``
    explanation artists per result (0-50); ``tag`` keeps only artists with
    that tag; ``allow`` / ``deny`` restrict the artists by ID.
    """

    def __init__(self, model: "Model", k: int = 10, measure: str = "dot",
                 exclude_listened: bool = True, explain: int = 3, tag: Optional[str] = None,
                 allow: Optional[Iterable[int]] = None,
                 deny: Optional[Iterable[int]] = None) -> None:
        from .model import Model
        self._model = model
        self._core = _Core(handle_of(model, Model, "model"), model._names, model._info,
                           model._queries)
        model._depend(self)
        try:
            self._core.configure(k, measure, exclude_listened, explain, tag)
            if allow is not None or deny is not None:
                self.set_filter(allow=allow, deny=deny)
        except BaseException:
            self.close()
            raise

    def _c(self):
        core = self._core
        if core is None:
            raise errors.InvalidArgument(errors.E_INVALID, "the query is closed")
        return core

    @property
    def model(self) -> "Model":
        """The Model this query asks (it keeps it alive)."""
        return self._model

    @property
    def closed(self) -> bool:
        """Whether close() has been called."""
        return self._core is None

    def close(self) -> None:
        """Free the query's C side now (its Model is not affected)."""
        if self._core is not None:
            self._core.close()
            self._core = None
            # A closed query no longer holds back a Model.close().
            self._model._dependents.discard(self)

    def __enter__(self):
        self._c()
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        if self._core is None:
            return "<lastrec.Query (closed)>"
        return "<lastrec.Query k=%d measure=%s exclude_listened=%s explain=%d%s>" % (
            self.k, self.measure, self.exclude_listened, self.explain,
            " tag=%r" % self.tag if self.tag else "")

    # -------------------------------------------------------------- settings

    @property
    def k(self) -> int:
        """Results per query."""
        return self._c().settings[_K]

    @k.setter
    def k(self, value: int) -> None:
        self._c().set(_K, _count_arg(value, "k"))

    @property
    def measure(self) -> str:
        """'dot' (the model's score) or 'cosine'."""
        return _MEASURE_NAMES.get(self._c().settings[_MEASURE])

    @measure.setter
    def measure(self, value: str) -> None:
        self._c().set(_MEASURE, _measure_code(value))

    @property
    def exclude_listened(self) -> bool:
        """Whether the user's own artists (or the preferences) are left out."""
        return bool(self._c().settings[_EXCLUDE])

    @exclude_listened.setter
    def exclude_listened(self, value: bool) -> None:
        self._c().set(_EXCLUDE, 1 if value else 0)

    @property
    def explain(self) -> int:
        """Explanation artists per result (0-50)."""
        return self._c().settings[_EXPLAIN]

    @explain.setter
    def explain(self, value: int) -> None:
        self._c().set(_EXPLAIN, _count_arg(value, "explain"))

    @property
    def tag(self) -> Optional[str]:
        """Only artists with this tag are recommended (None: any)."""
        return self._c().tag

    @tag.setter
    def tag(self, value: Optional[str]) -> None:
        self._c().set_tag(value)

    def set_filter(self, allow: Optional[Iterable[int]] = None,
                   deny: Optional[Iterable[int]] = None) -> None:
        """Only the ``allow`` artist IDs, or all but the ``deny`` ones; with
        neither, remove the filter.  NotFound names an unknown ID."""
        if allow is not None and deny is not None:
            raise errors.InvalidArgument(errors.E_INVALID, "give allow or deny, not both")
        if allow is not None:
            self._c().set_filter(_FILTER_ALLOW, allow)
        elif deny is not None:
            self._c().set_filter(_FILTER_DENY, deny)
        else:
            self._c().set_filter(_FILTER_NONE, None)

    # ---------------------------------------------------------------- names

    def find_artist(self, name: str) -> int:
        """Resolve a name to an artist ID (an exact match, or the only
        candidate); Ambiguous (with ``candidates``) or NotFound otherwise."""
        return self._c().find_artist(name)

    def candidates(self) -> List[ArtistMatch]:
        """The candidates of the last name lookup, best first: ArtistMatch list."""
        return self._c().candidates()

    def artist_name(self, artist_id: int) -> str:
        """An artist's name; NotFound for an ID the model does not know."""
        return self._c().name(int_id(artist_id, "artist"))

    # ---------------------------------------------------------- preferences

    def add_preference(self, artist: ArtistRef, listens: float) -> int:
        """Add (or replace) a preference by artist ID or name; returns the ID."""
        return self._c().add_preference(artist, listens)

    def clear_preferences(self) -> None:
        """Forget the preferences added so far."""
        self._c().clear_preferences()

    def preferences(self) -> Dict[int, float]:
        """The current preferences: dict artist ID -> listens."""
        return self._c().preferences()

    # -------------------------------------------------------------- queries

    def recommend(self, user: IdOrIds, k: Optional[int] = None, *,
                  threads: Optional[int] = None, as_numpy: Optional[bool] = None
                  ) -> Union[List[Recommendation], Tuple[ArrayOrList, ArrayOrList]]:
        """Top-k artists for a user of the model: a list of Recommendation.

        For a batch of user IDs (a list, tuple, range, 1-D array or other
        iterable), ``(ids, scores)`` of n x k, as Model.recommend answers a
        batch: each row what the one-user call gives (scores as float32),
        padded with -1 and NaN; numpy arrays when numpy is importable
        (``as_numpy`` forces either).  The query's settings apply, but for
        ``explain``, which a batch does not compute.  Large batches go
        through recommend_all on ``threads`` threads.  An unknown user
        raises NotFound naming its index.
        """
        core = self._c()
        if k is not None:
            core.set(_K, _count_arg(k, "k"))
        if not is_batch(user):
            return core.recommend(user)
        users = id_list(user, "user_ids")
        explain = core.settings[_EXPLAIN]
        core.set(_EXPLAIN, 0)  # a batch's rows carry no explanations
        try:
            return core.recommend_batch(users, threads, as_numpy)
        finally:
            core.set(_EXPLAIN, explain)

    def recommend_preferences(self, k: Optional[int] = None) -> List[Recommendation]:
        """Top-k for the preferences added so far, folded in without retraining."""
        core = self._c()
        if k is not None:
            core.set(_K, _count_arg(k, "k"))
        return core.recommend_preferences()

    def recommend_for(self, preferences: Preferences,
                      k: Optional[int] = None) -> List[Recommendation]:
        """Top-k for a new listener: ``preferences`` is a dict or a list of
        (artist ID or name, listen count).  Any earlier preferences are
        cleared first, and these are cleared afterwards."""
        core = self._c()
        if k is not None:
            core.set(_K, _count_arg(k, "k"))
        return core.recommend_for(preferences)

    def similar(self, artist: ArtistRef, k: Optional[int] = None) -> List[Recommendation]:
        """Top-k artists similar to an artist ID, or to the best match of a
        name ("Kanye" finds "Kanye West"; candidates() lists the others)."""
        core = self._c()
        if k is not None:
            core.set(_K, _count_arg(k, "k"))
        return core.similar(artist)

    def similar_artists(self, artists: Any, k: Optional[int] = None, *,
                        as_numpy: Optional[bool] = None) -> Tuple[ArrayOrList, ArrayOrList]:
        """Top-k similar artists as arrays, as Model.similar_artists gives
        them with this query's settings: ``(ids, scores)``, n x k for a batch
        of artist IDs or names (one row per artist, in the order given,
        each what similar() gives), 1-D for one artist; padded with -1 and
        NaN.  An unknown artist raises NotFound naming its index."""
        core = self._c()
        if k is not None:
            core.set(_K, _count_arg(k, "k"))
        return core.similar_arrays(artists, as_numpy)

    def recommend_all(self, k: Optional[int] = None, threads: Optional[int] = None,
                      as_numpy: Optional[bool] = None) -> AllRecommendations:
        """Top-k of every user at once (blocks of users, several threads;
        each row bit for bit what recommend() gives that user): an
        AllRecommendations."""
        core = self._c()
        if k is not None:
            core.set(_K, _count_arg(k, "k"))
        return core.recommend_all(threads, as_numpy)
