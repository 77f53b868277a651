"""Datasets: loading, synthesising, counting, searching, analysing, splitting."""

import collections
from ctypes import byref, c_double, c_float, c_int32, c_int64, c_size_t

from . import _ffi
from . import _numpy
from . import errors
from ._base import (Handle, Progress, call_with_progress, decode, encode_path,
                    encode_text, handle_of, int_id as _int_id, make_options, raw)

# enum lr_count, by name.  Numbers never change.
COUNTS = {
    "source_kind": 0, "users": 1, "artists": 2, "listens": 3, "tags": 4,
    "tags_in_file": 5, "tags_dropped": 6, "tag_uses": 7, "tag_uses_in_file": 8,
    "tag_uses_unlistened": 9, "artists_unlistened": 10, "tag_uses_rare": 11,
    "friend_rows": 12, "friend_pairs": 13, "latin1_fixes": 14,
    "timestamps_merged": 15, "min_tag_uses": 16, "friend_rows_one_way": 17,
    "tag_uses_held_out": 18,
}

# enum lr_source_kind
SOURCES = {1: "hetrec", 2: "listens", 3: "snapshot", 4: "synthetic", 5: "split"}

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


def _lookup(table, name, what):
    try:
        return table[name]
    except (KeyError, TypeError):
        raise errors.InvalidArgument(
            errors.E_INVALID, "unknown %s %r; one of: %s" % (what, name, ", ".join(table))) from None


class Dataset(Handle):
    """A loaded, processed, read-only listening data set.

    Make one with :meth:`load`, :meth:`load_listens`, :meth:`load_split`,
    :meth:`synthesize` or :meth:`split`.  A dataset may be shared by any number of threads.  It is
    freed by :meth:`close`, at the end of a ``with`` block, or when
    garbage collected.
    """

    _what = "dataset"

    def __init__(self, *args, **kwargs):
        raise TypeError("use Dataset.load(), Dataset.load_listens(), "
                        "Dataset.synthesize() or Dataset.split()")

    @classmethod
    def _wrap(cls, ptr):
        self = object.__new__(cls)
        self._adopt(ptr, _ffi.lr_dataset_free)
        return self

    # ------------------------------------------------------------- creating

    @classmethod
    def load(cls, path, progress=None, **options):
        """Load a HetRec 2011 directory, a user_artists.dat-format file or a
        snapshot (recognised from the path and the file's first bytes).

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
    def load_listens(cls, path, catalogue, progress=None, **options):
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
    def load_split(cls, train_path, test_path, catalogue, progress=None, **options):
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
    def synthesize(cls, progress=None, **options):
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

    def split(self, method="per_user", fraction=0.2, seed=42, **options):
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

    def save(self, path):
        """Write a binary snapshot that :meth:`load` reads back."""
        _ffi.lr_dataset_save(self._handle(), encode_path(path))

    def write_hetrec(self, directory):
        """Write the dataset as a HetRec 2011 directory (created if missing)."""
        _ffi.lr_dataset_write_hetrec(self._handle(), encode_path(directory))

    # -------------------------------------------------------------- counts

    def count(self, name):
        """One counter by name (``'users'``, ``'tags_dropped'``, ... see COUNTS)."""
        value = _ffi.lr_dataset_count(self._handle(), _lookup(COUNTS, name, "count"))
        if value < 0:
            raise errors.InvalidArgument(errors.E_INVALID, "count %r is not available" % name)
        return value

    def counts(self):
        """Every counter, as a dict."""
        return {name: self.count(name) for name in COUNTS}

    @property
    def source(self):
        """What the dataset was made from: 'hetrec', 'listens', 'snapshot',
        'synthetic' or 'split'."""
        return SOURCES.get(self.count("source_kind"), "unknown")

    users = property(lambda self: self.count("users"), doc="number of users")
    artists = property(lambda self: self.count("artists"), doc="number of artists in the catalogue")
    listens = property(lambda self: self.count("listens"), doc="number of (user, artist, count) rows")
    tags = property(lambda self: self.count("tags"), doc="number of kept tags")
    tag_uses = property(lambda self: self.count("tag_uses"), doc="number of kept tag assignments")
    friend_pairs = property(lambda self: self.count("friend_pairs"), doc="distinct friend pairs")

    def __repr__(self):
        if self._ptr is None:
            return "<lastrec.Dataset (closed)>"
        return "<lastrec.Dataset %s: %d users, %d artists, %d listens, %d tags>" % (
            self.source, self.users, self.artists, self.listens, self.tags)

    # ----------------------------------------------------------------- IDs

    def _ids(self, kind):
        return list(_ffi.fetch(_ffi.lr_dataset_ids, c_int32, self._handle(), kind))

    def user_ids(self):
        """User IDs, ascending."""
        return self._ids(_IDS_USERS)

    def artist_ids(self):
        """Artist IDs, ascending."""
        return self._ids(_IDS_ARTISTS)

    def tag_ids(self):
        """IDs of the kept tags, ascending."""
        return self._ids(_IDS_TAGS)

    def artist_name(self, artist_id):
        """An artist's name; NotFound for an unknown ID."""
        artist_id = _int_id(artist_id, "artist")
        name = _ffi.lr_dataset_artist_name(self._handle(), artist_id)
        if name is None:
            raise errors.NotFound(errors.E_NOTFOUND, "unknown artist %d" % artist_id)
        return decode(name)

    def tag_name(self, tag_id):
        """A kept tag's CamelCase name; NotFound for an unknown or dropped tag."""
        tag_id = _int_id(tag_id, "tag")
        name = _ffi.lr_dataset_tag_name(self._handle(), tag_id)
        if name is None:
            raise errors.NotFound(errors.E_NOTFOUND, "unknown or dropped tag %d" % tag_id)
        return decode(name)

    def find_artist(self, text, limit=10):
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

    def artist_stats(self, artist_id):
        """ArtistStats of one artist."""
        a = _int_id(artist_id, "artist")
        f = _ffi.lr_dataset_artist_stat
        top = int(self._stat(f, a, _STAT_TOP_TAG))
        return ArtistStats(a, self.artist_name(a), int(self._stat(f, a, _STAT_TOTAL)),
                           self._stat(f, a, _STAT_MEAN), int(self._stat(f, a, _STAT_COUNT)),
                           top, self.tag_name(top) if top >= 0 else None,
                           int(self._stat(f, a, _STAT_TAG_USES)))

    def user_stats(self, user_id):
        """UserStats of one user."""
        u = _int_id(user_id, "user")
        f = _ffi.lr_dataset_user_stat
        top = int(self._stat(f, u, _STAT_TOP_TAG))
        return UserStats(u, int(self._stat(f, u, _STAT_TOTAL)), self._stat(f, u, _STAT_MEAN),
                         int(self._stat(f, u, _STAT_COUNT)), top,
                         self.tag_name(top) if top >= 0 else None,
                         int(self._stat(f, u, _STAT_TAG_USES)), int(self._stat(f, u, _STAT_FRIENDS)))

    def artist_tags(self, artist_id, limit=None):
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

    def user_artist_tags(self, user_id, artist_id):
        """The kept tags a user gave an artist: a list of (tag ID, name), by ID."""
        u, a = _int_id(user_id, "user"), _int_id(artist_id, "artist")
        ids = _ffi.fetch(_ffi.lr_dataset_user_artist_tags, c_int32, self._handle(), u, a)
        return [(t, self.tag_name(t)) for t in ids]

    def user_listens(self, user_id):
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

    def user_friends(self, user_id):
        """A user's friends' IDs, ascending."""
        u = _int_id(user_id, "user")
        return list(_ffi.fetch(_ffi.lr_dataset_user_friends, c_int32, self._handle(), u))

    def overlap(self, user_a, user_b, measure="jaccard"):
        """Taste overlap of two users: 'shared' artists, 'jaccard' or 'cosine'."""
        value = c_double()
        _ffi.lr_dataset_user_overlap(self._handle(), _int_id(user_a, "user"),
                                     _int_id(user_b, "user"),
                                     _lookup(OVERLAPS, measure, "overlap measure"), byref(value))
        return value.value

    def distribution(self, name, as_numpy=None):
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
