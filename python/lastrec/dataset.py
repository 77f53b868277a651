"""Datasets: loading, synthesising, counting, searching, analysing, splitting."""

import collections
import ctypes
import operator
from typing import Any, Dict, List, Optional, Tuple
from ctypes import byref, c_char_p, c_double, c_float, c_int32, c_int64, c_size_t

from . import _ffi
from . import _numpy
from . import errors
from ._base import (Handle, Progress, call_with_progress, decode, encode_path,
                    encode_text, handle_of, int_id as _int_id, make_options, raw)
from ._types import ArrayOrList, OptionValue, PathLike, ProgressFn

# enum lr_count, by name.  Numbers never change.
COUNTS = {
    "source_kind": 0, "users": 1, "artists": 2, "listens": 3, "tags": 4,
    "tags_in_file": 5, "tags_dropped": 6, "tag_uses": 7, "tag_uses_in_file": 8,
    "tag_uses_unlistened": 9, "artists_unlistened": 10, "tag_uses_rare": 11,
    "friend_rows": 12, "friend_pairs": 13, "latin1_fixes": 14,
    "timestamps_merged": 15, "min_tag_uses": 16, "friend_rows_one_way": 17,
    "tag_uses_held_out": 18, "rows_summed": 19, "spellings_merged": 20,
    "bad_lines_skipped": 21, "profiles": 22,
}

# enum lr_source_kind
SOURCES = {1: "hetrec", 2: "listens", 3: "snapshot", 4: "synthetic", 5: "split", 6: "builder",
           7: "lastfm360k"}

# enum lr_distribution
DISTRIBUTIONS = {
    "user_listens": 1, "artist_listens": 2, "user_artists": 3, "artist_fans": 4,
    "user_tagged_artists": 5, "tag_sessions": 6, "tags_per_user_artist": 7,
    "friend_jaccard": 8, "random_jaccard": 9, "friend_cosine": 10,
    "random_cosine": 11, "friend_shared": 12, "random_shared": 13, "tag_uses": 14,
    "user_tag_repeats": 15,
}

SPLIT_METHODS = {"per_user": 1, "random_pairs": 2}
OVERLAPS = {"shared": 1, "jaccard": 2, "cosine": 3}

_IDS_USERS, _IDS_ARTISTS, _IDS_TAGS = 1, 2, 3
(_STAT_TOTAL, _STAT_MEAN, _STAT_COUNT, _STAT_TOP_TAG, _STAT_TAG_USES,
 _STAT_FRIENDS) = range(1, 7)

ArtistMatch = collections.namedtuple("ArtistMatch", "id name")
ArtistMatch.__doc__ = "An artist found by name: its ID and full name."

Tag = collections.namedtuple("Tag", "id name count")
Tag.__doc__ = "A kept tag of an artist: ID, CamelCase name, number of uses."

ArtistStats = collections.namedtuple(
    "ArtistStats", "id name total_listens mean_listens fans top_tag_id top_tag tag_uses")
ArtistStats.__doc__ = ("Statistics of one artist; top_tag is None (top_tag_id -1) "
                       "when no kept tag was used on it.")

UserStats = collections.namedtuple(
    "UserStats", "id total_listens mean_listens artists top_tag_id top_tag tag_uses friends")
UserStats.__doc__ = ("Statistics of one user; top_tag is None (top_tag_id -1) "
                     "when the user used no kept tag.")


def _counter(name: str, doc: str) -> property:
    """A read-only int property reading the counter ``name``."""
    def get(self: "Dataset") -> int:
        return self.count(name)
    get.__doc__ = doc
    return property(get, doc=doc)


def _lookup(table, name, what):
    try:
        return table[name]
    except (KeyError, TypeError):
        raise errors.InvalidArgument(
            errors.E_INVALID, "unknown %s %r; one of: %s" % (what, name, ", ".join(table))) from None


class Dataset(Handle):
    """A loaded, processed, read-only listening data set.

    Make one with :meth:`load`, :meth:`load_listens`, :meth:`load_split`,
    :meth:`synthesize`, :meth:`split`, or from data in memory with
    :meth:`from_listens` and :meth:`from_pandas`.  A dataset may be shared by any number of threads.  It is
    freed by :meth:`close`, at the end of a ``with`` block, or when
    garbage collected.
    """

    _what = "dataset"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("use Dataset.load(), Dataset.load_listens(), "
                        "Dataset.synthesize(), Dataset.split() or Dataset.from_listens()")

    @classmethod
    def _wrap(cls, ptr):
        self = object.__new__(cls)
        self._adopt(ptr, _ffi.lr_dataset_free)
        return self

    # ------------------------------------------------------------- creating

    @classmethod
    def load(cls, path: PathLike, progress: Optional[ProgressFn] = None,
             **options: OptionValue) -> "Dataset":
        """Load a HetRec 2011 directory, a lastfm-360K directory or plays
        file, a user_artists.dat-format file or a snapshot (recognised from
        the path and the file's first bytes).

        Options: ``min_tag_uses``, ``max_line``, ...  ``progress`` is called
        as ``progress(stage, done, total)``; returning True cancels.
        ``progress=True`` draws a tqdm bar per stage when tqdm is installed,
        a line on stderr otherwise.
        """
        bridge = Progress(progress) if progress is not None else None
        opts = make_options(options, bridge)
        ptr = _ffi.DatasetP()
        call_with_progress(bridge, _ffi.lr_dataset_load, byref(ptr), encode_path(path), raw(opts))
        return cls._wrap(ptr)

    @classmethod
    def load_listens(cls, path: PathLike, catalogue: "Dataset",
                     progress: Optional[ProgressFn] = None,
                     **options: OptionValue) -> "Dataset":
        """Load a user_artists.dat-format file (one side of a given split) as
        listens over the users and artists of ``catalogue``.  The catalogue
        is only read during the call."""
        bridge = Progress(progress) if progress is not None else None
        opts = make_options(options, bridge)
        ptr = _ffi.DatasetP()
        call_with_progress(bridge, _ffi.lr_dataset_load_listens, byref(ptr), encode_path(path),
                           handle_of(catalogue, Dataset, "catalogue"), raw(opts))
        return cls._wrap(ptr)

    @classmethod
    def load_split(cls, train_path: PathLike, test_path: PathLike, catalogue: "Dataset",
                   progress: Optional[ProgressFn] = None,
                   **options: OptionValue) -> Tuple["Dataset", "Dataset"]:
        """Load a split given as two user_artists.dat-format files over the
        users and artists of ``catalogue``: returns ``(train, test)``.  The
        training side drops the tag assignments of the test file's (user,
        artist) pairs, so no tag leaks into the test
        (``train.count('tag_uses_held_out')`` says how many).  With
        ``test_path`` None, test is None and the held-out pairs are the
        catalogue's pairs the training file lacks."""
        bridge = Progress(progress) if progress is not None else None
        opts = make_options(options, bridge)
        train, test = _ffi.DatasetP(), _ffi.DatasetP()
        call_with_progress(bridge, _ffi.lr_dataset_load_split, byref(train),
                           byref(test) if test_path is not None else None,
                           encode_path(train_path),
                           encode_path(test_path) if test_path is not None else None,
                           handle_of(catalogue, Dataset, "catalogue"), raw(opts))
        # Wrap both before anything else can fail, so neither leaks.
        tr = cls._wrap(train)
        return tr, (cls._wrap(test) if test_path is not None else None)

    @classmethod
    def synthesize(cls, progress: Optional[ProgressFn] = None,
                   **options: OptionValue) -> "Dataset":
        """A HetRec-shaped synthetic dataset.  Options (``synth_users``,
        ``synth_artists``, ``synth_clusters``, ``synth_tags``,
        ``synth_artists_per_user``, ``synth_friends_per_user``, ``seed``) may
        be given without the ``synth_`` prefix: ``synthesize(users=200)``.
        ``progress`` as for load()."""
        named = {}
        for name, value in options.items():
            if name in ("users", "artists", "clusters", "tags", "artists_per_user",
                        "friends_per_user"):
                name = "synth_" + name
            named[name] = value
        bridge = Progress(progress) if progress is not None else None
        opts = make_options(named, bridge)
        ptr = _ffi.DatasetP()
        call_with_progress(bridge, _ffi.lr_dataset_synthesize, byref(ptr), raw(opts))
        return cls._wrap(ptr)

    @classmethod
    def from_listens(cls, users: Any, artists: Any = None, counts: Any = None,
                     artist_names: Any = None, tags: Any = None, tag_names: Any = None,
                     friends: Any = None, progress: Optional[ProgressFn] = None,
                     **options: OptionValue) -> "Dataset":
        """A dataset from listens in memory, processed exactly as the files
        of :meth:`load` are (the C library's lr_dataset_builder).

        ``users``, ``artists``, ``counts``: one listen per position (user
        ``users[i]`` played artist ``artists[i]`` ``counts[i]`` times), as
        lists, tuples or numpy arrays; int32 IDs and int64 counts in C order
        are passed to the library without a copy, anything else is checked
        and converted (whole-number floats are accepted).  Or ``users`` alone
        as a ``scipy.sparse`` user x artist matrix (COO, CSR, CSC, ...):
        row = user ID, column = artist ID, value = listen count; duplicate
        entries are summed and stored zeros dropped, as scipy does.

        IDs are non-negative 32-bit integers.  ``artist_names``: a dict (or
        pairs) artist ID -> name; unnamed artists are named by their ID.
        ``tags``: (user, artist, tag) or (user, artist, tag, time_ms) tuples,
        the tag a name (``"hip hop"``, made CamelCase) or, with
        ``tag_names`` (a dict tag ID -> name), an ID.  ``friends``: (user,
        friend) pairs, one direction enough.  Options as for :meth:`load`
        (``min_tag_uses``).  A bad element raises InvalidArgument naming it
        ("element 17: count -3 is negative"); a repeated listen, Duplicate.
        """
        bridge = Progress(progress) if progress is not None else None
        opts = make_options(options, bridge)
        if artists is None and counts is None and _is_sparse(users):
            users, artists, counts = _sparse_columns(users)
        elif artists is None or counts is None:
            raise TypeError("from_listens: give users, artists and counts, or one "
                            "scipy.sparse matrix")
        b = _ffi.DatasetBuilderP()
        _ffi.lr_dataset_builder_new(byref(b), raw(opts))
        try:
            _add_listens(b, users, artists, counts)
            if artist_names is not None:
                items = artist_names.items() if hasattr(artist_names, "items") else artist_names
                for artist, name in items:
                    _ffi.lr_dataset_builder_set_artist_name(
                        b, _builder_id(artist, "artist_names: artist"), encode_text(name))
            if tag_names is not None:
                items = tag_names.items() if hasattr(tag_names, "items") else tag_names
                for tag, name in items:
                    _ffi.lr_dataset_builder_set_tag_name(
                        b, _builder_id(tag, "tag_names: tag"), encode_text(name))
            if tags is not None:
                _add_tag_uses(b, tags)
            if friends is not None:
                pairs = [tuple(p) for p in friends]
                if any(len(p) != 2 for p in pairs):
                    raise errors.InvalidArgument(errors.E_INVALID,
                                                 "friends: (user, friend) pairs expected")
                fu = _column([p[0] for p in pairs], "friends: user", True)
                ff = _column([p[1] for p in pairs], "friends: friend", True)
                _ffi.lr_dataset_builder_add_friends(b, fu[0], ff[0], len(pairs))
            ptr = _ffi.DatasetP()
            call_with_progress(bridge, _ffi.lr_dataset_builder_finish, b, byref(ptr))
        finally:
            _ffi.lr_dataset_builder_free(b)
        return cls._wrap(ptr)

    @classmethod
    def from_pandas(cls, df: Any, user: str = "userID", artist: str = "artistID",
                    count: str = "weight", **kwargs: Any) -> "Dataset":
        """:meth:`from_listens` from a pandas DataFrame's columns ``user``,
        ``artist`` and ``count`` (HetRec's names by default, as
        ``pandas.read_csv('user_artists.dat', sep='\\t')`` gives them).
        Other keyword arguments go to :meth:`from_listens`.  pandas is needed
        only here, and imported only when called."""
        try:
            import pandas
        except ImportError:
            raise ImportError("Dataset.from_pandas needs pandas, which is not installed") from None
        if not isinstance(df, pandas.DataFrame):
            raise TypeError("from_pandas: a pandas.DataFrame is required, not %s"
                            % type(df).__name__)
        for name in (user, artist, count):
            if name not in df.columns:
                raise errors.InvalidArgument(
                    errors.E_INVALID, "from_pandas: no column %r (columns: %s)"
                    % (name, ", ".join(map(str, df.columns))))
        return cls.from_listens(df[user].to_numpy(), df[artist].to_numpy(),
                                df[count].to_numpy(), **kwargs)

    def split(self, method: str = "per_user", fraction: float = 0.2, seed: int = 42,
              **options: OptionValue) -> Tuple["Dataset", "Dataset"]:
        """Hold out listens: returns ``(train, test)`` over the same catalogue.

        ``method``: ``'per_user'`` (each user with n >= 2 artists loses
        max(1, round(fraction*n)) of them) or ``'random_pairs'`` (the
        notebook's: a random fraction of all rows).  The two new datasets do
        not depend on this one; it may be closed afterwards.
        """
        code = _lookup(SPLIT_METHODS, method, "split method")
        opts = make_options(dict(options, holdout_fraction=fraction, seed=seed))
        train, test = _ffi.DatasetP(), _ffi.DatasetP()
        _ffi.lr_dataset_split(self._handle(), code, raw(opts), byref(train), byref(test))
        # Wrap both before anything else can fail, so neither leaks.
        return Dataset._wrap(train), Dataset._wrap(test)

    def save(self, path: PathLike) -> None:
        """Write a binary snapshot that :meth:`load` reads back."""
        _ffi.lr_dataset_save(self._handle(), encode_path(path))

    def write_hetrec(self, directory: PathLike) -> None:
        """Write the dataset as a HetRec 2011 directory (created if missing)."""
        _ffi.lr_dataset_write_hetrec(self._handle(), encode_path(directory))

    def write_lastfm360k(self, directory: PathLike, **options: OptionValue) -> None:
        """Write the dataset as lastfm-360K files (created if missing), with
        the real files' quirks unless ``synth_quirks=0``, and
        ``synth_bad_lines`` malformed lines; ``seed`` applies."""
        opts = make_options(options, None)
        _ffi.lr_dataset_write_lastfm360k(self._handle(), encode_path(directory), raw(opts))

    # -------------------------------------------------------------- counts

    def count(self, name: str) -> int:
        """One counter by name (``'users'``, ``'tags_dropped'``, ... see COUNTS)."""
        value = _ffi.lr_dataset_count(self._handle(), _lookup(COUNTS, name, "count"))
        if value < 0:
            raise errors.InvalidArgument(errors.E_INVALID, "count %r is not available" % name)
        return value

    def counts(self) -> Dict[str, int]:
        """Every counter, as a dict."""
        return {name: self.count(name) for name in COUNTS}

    @property
    def source(self) -> str:
        """What the dataset was made from: 'hetrec', 'listens', 'snapshot',
        'synthetic', 'split', 'builder' (:meth:`from_listens`) or
        'lastfm360k'."""
        return SOURCES.get(self.count("source_kind"), "unknown")

    users = _counter("users", "number of users")
    artists = _counter("artists", "number of artists in the catalogue")
    listens = _counter("listens", "number of (user, artist, count) rows")
    tags = _counter("tags", "number of kept tags")
    tag_uses = _counter("tag_uses", "number of kept tag assignments")
    friend_pairs = _counter("friend_pairs", "distinct friend pairs")

    def __repr__(self):
        if self._ptr is None:
            return "<lastrec.Dataset (closed)>"
        return "<lastrec.Dataset %s: %d users, %d artists, %d listens, %d tags>" % (
            self.source, self.users, self.artists, self.listens, self.tags)

    # ----------------------------------------------------------------- IDs

    def _ids(self, kind):
        return list(_ffi.fetch(_ffi.lr_dataset_ids, c_int32, self._handle(), kind))

    def user_ids(self) -> List[int]:
        """User IDs, ascending."""
        return self._ids(_IDS_USERS)

    def artist_ids(self) -> List[int]:
        """Artist IDs, ascending."""
        return self._ids(_IDS_ARTISTS)

    def tag_ids(self) -> List[int]:
        """IDs of the kept tags, ascending."""
        return self._ids(_IDS_TAGS)

    def artist_name(self, artist_id: int) -> str:
        """An artist's name; NotFound for an unknown ID."""
        artist_id = _int_id(artist_id, "artist")
        name = _ffi.lr_dataset_artist_name(self._handle(), artist_id)
        if name is None:
            raise errors.NotFound(errors.E_NOTFOUND, "unknown artist %d" % artist_id)
        return decode(name)

    def user_key(self, user_id: int) -> str:
        """A user's key in the source files (a lastfm-360K user's SHA-1);
        NotFound for an unknown ID or a dataset without keys."""
        user_id = _int_id(user_id, "user")
        key = _ffi.lr_dataset_user_key(self._handle(), user_id)
        if key is None:
            raise errors.NotFound(errors.E_NOTFOUND, "user %d has no key" % user_id)
        return decode(key)

    def find_user_key(self, key: str) -> int:
        """The user ID of a key (lower or upper case); NotFound if none."""
        out = c_int32()
        _ffi.lr_dataset_find_user_key(self._handle(), key.encode("utf-8"), byref(out))
        return out.value

    def tag_name(self, tag_id: int) -> str:
        """A kept tag's CamelCase name; NotFound for an unknown or dropped tag."""
        tag_id = _int_id(tag_id, "tag")
        name = _ffi.lr_dataset_tag_name(self._handle(), tag_id)
        if name is None:
            raise errors.NotFound(errors.E_NOTFOUND, "unknown or dropped tag %d" % tag_id)
        return decode(name)

    def find_artist(self, text: str, limit: int = 10) -> List[ArtistMatch]:
        """Artists whose name contains ``text``, ignoring case and accents,
        best first (exact match, then prefix, then by fans): a list of
        ArtistMatch(id, name), at most ``limit`` long (None: all)."""
        ds = self._handle()
        found = c_size_t(0)
        key = encode_text(text)
        if limit is None:
            _ffi.lr_dataset_find_artist(ds, key, None, 0, byref(found))
            limit = found.value
        if limit <= 0:
            return []
        buf = (c_int32 * limit)()
        _ffi.lr_dataset_find_artist(ds, key, buf, limit, byref(found))
        n = min(limit, found.value)
        return [ArtistMatch(a, decode(_ffi.lr_dataset_artist_name(ds, a))) for a in buf[:n]]

    # ---------------------------------------------------------- statistics

    def _stat(self, func, ident, which):
        value = c_double()
        func(self._handle(), ident, which, byref(value))
        return value.value

    def artist_stats(self, artist_id: int) -> ArtistStats:
        """ArtistStats of one artist."""
        a = _int_id(artist_id, "artist")
        f = _ffi.lr_dataset_artist_stat
        top = int(self._stat(f, a, _STAT_TOP_TAG))
        return ArtistStats(a, self.artist_name(a), int(self._stat(f, a, _STAT_TOTAL)),
                           self._stat(f, a, _STAT_MEAN), int(self._stat(f, a, _STAT_COUNT)),
                           top, self.tag_name(top) if top >= 0 else None,
                           int(self._stat(f, a, _STAT_TAG_USES)))

    def user_stats(self, user_id: int) -> UserStats:
        """UserStats of one user."""
        u = _int_id(user_id, "user")
        f = _ffi.lr_dataset_user_stat
        top = int(self._stat(f, u, _STAT_TOP_TAG))
        return UserStats(u, int(self._stat(f, u, _STAT_TOTAL)), self._stat(f, u, _STAT_MEAN),
                         int(self._stat(f, u, _STAT_COUNT)), top,
                         self.tag_name(top) if top >= 0 else None,
                         int(self._stat(f, u, _STAT_TAG_USES)), int(self._stat(f, u, _STAT_FRIENDS)))

    def artist_tags(self, artist_id: int, limit: Optional[int] = None) -> List[Tag]:
        """The artist's kept tags, most used first: a list of Tag(id, name, count)."""
        a = _int_id(artist_id, "artist")
        ds = self._handle()
        needed = c_size_t(0)
        if limit is None:
            _ffi.lr_dataset_artist_tags(ds, a, None, None, 0, byref(needed))
            limit = needed.value
        if limit <= 0:
            return []
        ids, counts = (c_int32 * limit)(), (c_int64 * limit)()
        _ffi.lr_dataset_artist_tags(ds, a, ids, counts, limit, byref(needed))
        n = min(limit, needed.value)
        return [Tag(ids[i], self.tag_name(ids[i]), counts[i]) for i in range(n)]

    def user_artist_tags(self, user_id: int, artist_id: int) -> List[Tuple[int, str]]:
        """The kept tags a user gave an artist: a list of (tag ID, name), by ID."""
        u, a = _int_id(user_id, "user"), _int_id(artist_id, "artist")
        ids = _ffi.fetch(_ffi.lr_dataset_user_artist_tags, c_int32, self._handle(), u, a)
        return [(t, self.tag_name(t)) for t in ids]

    def user_listens(self, user_id: int) -> Dict[int, int]:
        """A user's listens: a dict artist ID -> listen count, by artist ID."""
        u = _int_id(user_id, "user")
        ds = self._handle()
        needed = c_size_t(0)
        _ffi.lr_dataset_user_listens(ds, u, None, None, 0, byref(needed))
        n = needed.value
        ids, counts = (c_int32 * n)(), (c_float * n)()
        if n:
            _ffi.lr_dataset_user_listens(ds, u, ids, counts, n, byref(needed))
        return {ids[i]: int(counts[i]) for i in range(n)}

    def user_friends(self, user_id: int) -> List[int]:
        """A user's friends' IDs, ascending."""
        u = _int_id(user_id, "user")
        return list(_ffi.fetch(_ffi.lr_dataset_user_friends, c_int32, self._handle(), u))

    def overlap(self, user_a: int, user_b: int, measure: str = "jaccard") -> float:
        """Taste overlap of two users: 'shared' artists, 'jaccard' or 'cosine'."""
        value = c_double()
        _ffi.lr_dataset_user_overlap(self._handle(), _int_id(user_a, "user"),
                                     _int_id(user_b, "user"),
                                     _lookup(OVERLAPS, measure, "overlap measure"), byref(value))
        return value.value

    def distribution(self, name: str, as_numpy: Optional[bool] = None) -> ArrayOrList:
        """One value per item of an analysis distribution (DISTRIBUTIONS
        lists the names: 'user_listens', 'artist_fans', 'friend_jaccard', ...),
        in ID order.  A float64 numpy array when numpy is importable (filled
        by the library directly), else a list; ``as_numpy`` forces either."""
        which = _lookup(DISTRIBUTIONS, name, "distribution")
        ds = self._handle()
        if _numpy.use_numpy(as_numpy):
            np = _numpy.numpy
            return _ffi.fetch_into(_ffi.lr_dataset_distribution,
                                   lambda n: np.empty(n, dtype=np.float64), ds, which)
        return list(_ffi.fetch(_ffi.lr_dataset_distribution, c_double, ds, which))


# ------------------------------------------------------ datasets from memory

def _is_sparse(obj):
    try:
        import scipy.sparse
    except ImportError:
        return False
    return scipy.sparse.issparse(obj)


def _sparse_columns(matrix):
    """(users, artists, counts) of a scipy.sparse user x artist matrix, with
    scipy's meaning of duplicates (summed) and stored zeros (absent)."""
    m = matrix.tocsr(copy=True)
    m.sum_duplicates()
    m.eliminate_zeros()
    coo = m.tocoo()
    return coo.row, coo.col, coo.data


def _fail(what, i, message):
    return errors.InvalidArgument(errors.E_INVALID, "%s: element %d: %s" % (what, i, message))


def _whole(values, what, lo, hi):
    """Check a numpy array of numbers: whole, within [lo, hi] (the C type's
    range; the library checks the rest and names the element itself)."""
    np = _numpy.numpy
    kind = values.dtype.kind
    if kind not in "iuf":
        raise errors.InvalidArgument(errors.E_INVALID, "%s: numbers expected, got dtype %s"
                                     % (what, values.dtype))
    if kind == "f":
        bad = ~np.isfinite(values) | (values != np.floor(values))
        if bad.any():
            i = int(np.argmax(bad))
            raise _fail(what, i, "%r is not a whole number" % values[i].item())
    if values.size:
        out = (values < lo) | (values > hi)
        if out.any():
            i = int(np.argmax(out))
            raise _fail(what, i, "%s does not fit %s" % (values[i].item(),
                                                         "32 bits" if hi < 2**32 else "64 bits"))


def _column(values, what, is_id):
    """(address, keepalive) of one column for the builder: an int32 (IDs) or
    int64 (counts) numpy array in C order as it is, without a copy; other
    arrays and sequences checked and converted."""
    ctype, typestr = (c_int32, "int32") if is_id else (c_int64, "int64")
    lo, hi = (-2**31, 2**31 - 1) if is_id else (-2**63, 2**63 - 1)
    np = _numpy.numpy
    if np is not None and not isinstance(values, np.ndarray) and hasattr(values, "__array__"):
        values = np.asarray(values)  # a pandas Series, say
    if np is not None and isinstance(values, np.ndarray):
        if values.ndim != 1:
            raise errors.InvalidArgument(errors.E_INVALID, "%s: a one-dimensional array is "
                                         "required, got shape %s" % (what, values.shape))
        want = np.dtype(typestr)
        if values.dtype != want or not values.flags.c_contiguous:
            _whole(values, what, lo, hi)
            values = np.ascontiguousarray(values, dtype=want)
        return values.ctypes.data, values
    seq = list(values)
    for i, v in enumerate(seq):
        if isinstance(v, float) and v.is_integer():
            v = seq[i] = int(v)
        try:
            v = seq[i] = operator.index(v)
        except TypeError:
            raise _fail(what, i, "%r is not an integer" % (v,)) from None
        if not lo <= v <= hi:
            raise _fail(what, i, "%d does not fit %s" % (v, "32 bits" if is_id else "64 bits"))
    arr = (ctype * max(1, len(seq)))(*seq)
    return ctypes.addressof(arr), arr


def _length(values):
    shape = getattr(values, "shape", None)
    return shape[0] if shape else len(values)


def _add_listens(b, users, artists, counts):
    if not hasattr(users, "__len__"):
        users = list(users)
    if not hasattr(artists, "__len__"):
        artists = list(artists)
    if not hasattr(counts, "__len__"):
        counts = list(counts)
    n = _length(users)
    if _length(artists) != n or _length(counts) != n:
        raise errors.InvalidArgument(
            errors.E_INVALID, "from_listens: users, artists and counts differ in length "
            "(%d, %d, %d)" % (n, _length(artists), _length(counts)))
    u = _column(users, "users", True)
    a = _column(artists, "artists", True)
    c = _column(counts, "counts", False)
    _ffi.lr_dataset_builder_add_listens(b, u[0], a[0], c[0], n)


def _builder_id(value, what):
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = operator.index(value)
        except TypeError:
            raise errors.InvalidArgument(errors.E_INVALID, "%s %r is not an integer ID"
                                         % (what, value)) from None
    if not -2**31 <= value < 2**31:
        raise errors.InvalidArgument(errors.E_INVALID, "%s %d does not fit 32 bits"
                                     % (what, value))
    return value


def _add_tag_uses(b, tags):
    rows = [tuple(t) for t in tags]
    if not rows:
        return
    if any(len(r) != len(rows[0]) or len(r) not in (3, 4) for r in rows):
        raise errors.InvalidArgument(
            errors.E_INVALID, "tags: all (user, artist, tag) or all (user, artist, tag, "
            "time_ms) tuples expected")
    by_name = isinstance(rows[0][2], str)
    for i, r in enumerate(rows):
        if isinstance(r[2], str) != by_name:
            raise _fail("tags", i, "tags are all names or all IDs, not both")
    u = _column([r[0] for r in rows], "tags: user", True)
    a = _column([r[1] for r in rows], "tags: artist", True)
    times = _column([r[3] for r in rows], "tags: time_ms", False) if len(rows[0]) == 4 else None
    if by_name:
        names = (c_char_p * len(rows))(*[encode_text(r[2]) for r in rows])
        _ffi.lr_dataset_builder_add_tag_uses_by_name(
            b, u[0], a[0], ctypes.addressof(names), times[0] if times else None, len(rows))
    else:
        t = _column([r[2] for r in rows], "tags: tag", True)
        _ffi.lr_dataset_builder_add_tag_uses(b, u[0], a[0], t[0], times[0] if times else None,
                                             len(rows))
