"""Datasets from memory: Dataset.from_listens and Dataset.from_pandas against
the same data loaded from HetRec files."""

import unittest

import support
import lastrec
from lastrec import dataset as _dataset

numpy = support.numpy
try:
    import scipy.sparse as sparse
except ImportError:
    sparse = None
try:
    import pandas
except ImportError:
    pandas = None

SMALL = dict(users=40, artists=120, clusters=3, tags=30, artists_per_user=10, seed=5)


def columns(ds):
    """What a host program would hold: listens, names, tag uses by name,
    friends, all by external ID."""
    users, artists, counts = [], [], []
    tags, friends = [], []
    all_artists = ds.artist_ids()
    for u in ds.user_ids():
        for a, c in sorted(ds.user_listens(u).items()):
            users.append(u)
            artists.append(a)
            counts.append(c)
        # A user may tag an artist they never played (others did).
        for a in all_artists:
            for _, name in ds.user_artist_tags(u, a):
                tags.append((u, a, name))
        friends.extend((u, f) for f in ds.user_friends(u))
    names = {a: ds.artist_name(a) for a in ds.artist_ids()}
    return users, artists, counts, names, tags, friends


def top(model, users):
    return [[r.artist for r in model.recommend(u, k=10, explain=0)] for u in users]


class FromListens(support.TempDirCase):
    @classmethod
    def setUpClass(cls):
        cls.src = lastrec.Dataset.synthesize(**SMALL)
        cls.cols = columns(cls.src)

    def files(self):
        self.src.write_hetrec(self.path("hetrec"))
        return lastrec.Dataset.load(self.path("hetrec"))

    def test_lists_equal_files(self):
        users, artists, counts, names, tags, friends = self.cols
        mem = lastrec.Dataset.from_listens(users, artists, counts, artist_names=names, tags=tags,
                                           friends=friends)
        files = self.files()
        self.assertEqual(mem.source, "builder")
        for name in ("users", "artists", "listens", "tags", "tag_uses", "friend_pairs",
                     "friend_rows", "tags_dropped", "tag_uses_rare", "tag_uses_unlistened"):
            self.assertEqual(mem.count(name), files.count(name), name)
        self.assertGreater(mem.tag_uses, 50)
        self.assertEqual(mem.artist_ids(), files.artist_ids())
        for a in mem.artist_ids()[:30]:
            self.assertEqual(mem.artist_name(a), files.artist_name(a))
        for u in mem.user_ids()[:10]:
            self.assertEqual(mem.user_listens(u), files.user_listens(u))
            self.assertEqual(mem.user_friends(u), files.user_friends(u))
        m1 = support.fit(self, "als", mem, seed=3)
        m2 = support.fit(self, "als", files, seed=3)
        some = mem.user_ids()[::7]
        self.assertEqual(top(m1, some), top(m2, some))

    def test_cleaning_like_files(self):
        # min_tag_uses as an option; a tag on an artist nobody played dropped.
        ds = lastrec.Dataset.from_listens(
            [1, 2, 2], [10, 10, 20], [3, 1, 2], artist_names=[(10, "Ten"), (99, "Silent")],
            tags=[(1, 10, "hip hop"), (2, 10, "hip-hop"), (2, 20, "hip hop"),
                  (1, 99, "hip hop")],
            min_tag_uses=1)
        self.assertEqual(ds.artists, 3)
        self.assertEqual(ds.artist_name(20), "20")
        self.assertEqual(ds.count("tag_uses_unlistened"), 1)
        self.assertEqual(ds.count("tag_uses_rare"), 1)  # "hip-hop", used once
        self.assertEqual(ds.tags, 1)
        self.assertEqual(ds.tag_name(ds.tag_ids()[0]), "HipHop")

    def test_tags_by_id(self):
        ds = lastrec.Dataset.from_listens(
            [1, 2], [10, 10], [3, 1], tag_names={7: "80s", 8: "80s"},
            tags=[(1, 10, 7, 1000), (2, 10, 7, 2000), (2, 10, 8, 3000)], min_tag_uses=0)
        self.assertEqual(ds.tag_ids(), [7, 8])  # same name, two tags, as in tags.dat
        self.assertEqual(ds.count("timestamps_merged"), 3)
        with self.assertRaises(lastrec.InvalidArgument):
            lastrec.Dataset.from_listens([1], [10], [3], tags=[(1, 10, 7), (1, 10, "rock")])

    def test_bad_elements_named(self):
        cases = [
            (([1, 2, 3], [1, 2, 3], [1, 2, -3]), "element 2: count -3 is negative"),
            (([1, -2, 3], [1, 2, 3], [1, 2, 3]), "element 1: user ID -2 is negative"),
            (([1, 2, 3], [1, 2, 2**31], [1, 2, 3]), "artists: element 2"),
            (([1, 2, 3], [1, 2, 3], [1, 2.5, 3]), "counts: element 1"),
            (([1, 2], [1, 2, 3], [1, 2, 3]), "differ in length"),
        ]
        for args, text in cases:
            with self.assertRaises(lastrec.InvalidArgument) as cm:
                lastrec.Dataset.from_listens(*args)
            self.assertIn(text, str(cm.exception))
            self.assertEqual(cm.exception.status, lastrec.errors.E_INVALID)
        with self.assertRaises(lastrec.DuplicateError) as cm:
            lastrec.Dataset.from_listens([1, 1], [2, 2], [1, 1])
        self.assertIn("element 1", str(cm.exception))
        with self.assertRaises(lastrec.InvalidArgument) as cm:
            lastrec.Dataset.from_listens([1], [2], [1], friends=[(1, 1)])
        self.assertIn("own friend", str(cm.exception))
        with self.assertRaises(TypeError):
            lastrec.Dataset.from_listens([1, 2])


@unittest.skipIf(numpy is None, "numpy is not installed")
class FromNumpy(unittest.TestCase):
    def setUp(self):
        users, artists, counts = columns(lastrec.Dataset.synthesize(**SMALL))[:3]
        self.lists = lastrec.Dataset.from_listens(users, artists, counts)
        self.users, self.artists, self.counts = users, artists, counts

    def test_zero_copy_when_types_allow(self):
        ids = numpy.array(self.users, dtype=numpy.int32)
        self.assertIs(_dataset._column(ids, "users", True)[1], ids)
        counts = numpy.array(self.counts, dtype=numpy.int64)
        self.assertIs(_dataset._column(counts, "counts", False)[1], counts)
        # A strided view or another dtype is copied, not refused.
        self.assertIsNot(_dataset._column(ids[::2], "users", True)[1], ids)
        ids.setflags(write=False)  # read-only input is fine: the library copies
        ds = lastrec.Dataset.from_listens(ids, numpy.array(self.artists, dtype=numpy.int32),
                                          counts)
        self.assertEqual(ds.counts(), self.lists.counts())

    def test_other_dtypes(self):
        ds = lastrec.Dataset.from_listens(numpy.array(self.users, dtype=numpy.int64),
                                          numpy.array(self.artists, dtype=numpy.uint32),
                                          numpy.array(self.counts, dtype=numpy.float32))
        self.assertEqual(ds.counts(), self.lists.counts())
        u = self.users[0]
        self.assertEqual(ds.user_listens(u), self.lists.user_listens(u))
        with self.assertRaises(lastrec.InvalidArgument) as cm:
            lastrec.Dataset.from_listens(numpy.array([1, 2]), numpy.array([1, 2]),
                                         numpy.array([1.0, numpy.nan]))
        self.assertIn("counts: element 1", str(cm.exception))
        with self.assertRaises(lastrec.InvalidArgument) as cm:
            lastrec.Dataset.from_listens(numpy.array([1, 2**40]), numpy.array([1, 2]),
                                         numpy.array([1, 1]))
        self.assertIn("users: element 1", str(cm.exception))
        with self.assertRaises(lastrec.InvalidArgument):
            lastrec.Dataset.from_listens(numpy.ones((2, 2)), numpy.ones(2), numpy.ones(2))

    @unittest.skipIf(sparse is None, "scipy is not installed")
    def test_scipy_sparse(self):
        data = numpy.array(self.counts, dtype=numpy.float64)
        coo = sparse.coo_matrix((data, (numpy.array(self.users), numpy.array(self.artists))))
        for m in (coo, coo.tocsr(), coo.tocsc()):
            ds = lastrec.Dataset.from_listens(m)
            self.assertEqual(ds.counts(), self.lists.counts())
        # scipy's meaning: duplicates add up, stored zeros are no listen.
        dup = sparse.coo_matrix((numpy.array([1.0, 2.0, 0.0]),
                                 (numpy.array([3, 3, 4]), numpy.array([5, 5, 6]))))
        ds = lastrec.Dataset.from_listens(dup)
        self.assertEqual((ds.users, ds.listens), (1, 1))
        self.assertEqual(ds.user_listens(3), {5: 3})


@unittest.skipIf(pandas is None, "pandas is not installed")
class FromPandas(unittest.TestCase):
    def test_dataframe(self):
        users, artists, counts, names = columns(lastrec.Dataset.synthesize(**SMALL))[:4]
        df = pandas.DataFrame({"userID": users, "artistID": artists, "weight": counts})
        ds = lastrec.Dataset.from_pandas(df, artist_names=names)
        lists = lastrec.Dataset.from_listens(users, artists, counts, artist_names=names)
        self.assertEqual(ds.counts(), lists.counts())
        a = artists[0]
        self.assertEqual(ds.artist_name(a), names[a])
        other = df.rename(columns={"weight": "plays"})
        self.assertEqual(lastrec.Dataset.from_pandas(other, count="plays").counts(),
                         ds.counts())
        with self.assertRaises(lastrec.InvalidArgument) as cm:
            lastrec.Dataset.from_pandas(other)
        self.assertIn("no column 'weight'", str(cm.exception))


if __name__ == "__main__":
    for missing, name in ((numpy, "numpy"), (sparse, "scipy"), (pandas, "pandas")):
        if missing is None:
            print("test_from_memory: %s is not installed; its tests are skipped" % name)
    unittest.main()
