"""Datasets: synthesising, loading, counts, names, statistics, splits."""

import os
import unittest

import support
import lastrec


class TestSynthetic(unittest.TestCase):
    def setUp(self):
        self.ds, self.train, self.test = support.synthetic()

    def test_counts(self):
        ds = self.ds
        self.assertEqual(ds.source, "synthetic")
        self.assertEqual(ds.users, support.SYNTH["users"])
        self.assertEqual(ds.artists, support.SYNTH["artists"])
        self.assertGreater(ds.listens, ds.users)
        counts = ds.counts()
        self.assertEqual(set(counts), set(lastrec.dataset.COUNTS))
        for name in ("users", "artists", "listens", "tags", "tag_uses", "friend_pairs"):
            self.assertEqual(counts[name], getattr(ds, name))
            self.assertEqual(ds.count(name), counts[name])
        self.assertEqual(counts["tags"] + counts["tags_dropped"], counts["tags_in_file"])
        with self.assertRaises(lastrec.InvalidArgument):
            ds.count("no_such_count")
        self.assertIn("synthetic", repr(ds))

    def test_same_options_same_dataset(self):
        again = lastrec.Dataset.synthesize(**support.SYNTH)
        self.assertEqual(again.counts(), self.ds.counts())
        self.assertEqual(again.artist_ids(), self.ds.artist_ids())
        other = lastrec.Dataset.synthesize(**dict(support.SYNTH, seed=8))
        self.assertNotEqual(other.distribution("user_listens", as_numpy=False),
                            self.ds.distribution("user_listens", as_numpy=False))

    def test_ids_and_names(self):
        ds = self.ds
        users, artists, tags = ds.user_ids(), ds.artist_ids(), ds.tag_ids()
        self.assertEqual(len(users), ds.users)
        self.assertEqual(len(artists), ds.artists)
        self.assertEqual(len(tags), ds.tags)
        for ids in (users, artists, tags):
            self.assertEqual(ids, sorted(set(ids)))
        for a in artists[:20]:
            self.assertIsInstance(ds.artist_name(a), str)
            self.assertTrue(ds.artist_name(a))
        for t in tags[:20]:
            name = ds.tag_name(t)
            self.assertNotIn(" ", name)  # CamelCase

    def test_find_artist(self):
        ds = self.ds
        target = ds.artist_ids()[17]
        name = ds.artist_name(target)
        found = ds.find_artist(name.upper())
        self.assertEqual(found[0], (target, name))  # the exact match ranks first
        self.assertIsInstance(found[0], lastrec.ArtistMatch)
        prefix = name[:2].lower()
        some = ds.find_artist(prefix, limit=3)
        every = ds.find_artist(prefix, limit=None)
        self.assertLessEqual(len(some), 3)
        self.assertEqual(some, every[:len(some)])
        self.assertIn(target, [m.id for m in every])
        self.assertEqual(ds.find_artist("zzqqxxnothing"), [])
        self.assertEqual(ds.find_artist(name, limit=0), [])

    def test_stats_agree_with_listens(self):
        ds = self.ds
        fans = {}
        totals = {}
        for u in ds.user_ids():
            listens = ds.user_listens(u)
            st = ds.user_stats(u)
            self.assertEqual(st.id, u)
            self.assertEqual(st.artists, len(listens))
            self.assertEqual(st.total_listens, sum(listens.values()))
            self.assertEqual(list(listens), sorted(listens))
            for a, c in listens.items():
                fans[a] = fans.get(a, 0) + 1
                totals[a] = totals.get(a, 0) + c
        for a in ds.artist_ids()[:60]:
            st = ds.artist_stats(a)
            self.assertEqual(st.fans, fans.get(a, 0))
            self.assertEqual(st.total_listens, totals.get(a, 0))
            self.assertEqual(st.name, ds.artist_name(a))
            tags = ds.artist_tags(a)
            if st.top_tag_id >= 0:
                self.assertEqual(st.top_tag, ds.tag_name(st.top_tag_id))
                self.assertEqual(tags[0].id, st.top_tag_id)
                self.assertEqual(tags[0].name, st.top_tag)
                self.assertEqual(sum(t.count for t in tags), st.tag_uses)
                self.assertEqual(ds.artist_tags(a, limit=1), tags[:1])
            else:
                self.assertIsNone(st.top_tag)
                self.assertEqual(tags, [])

    def test_friends_and_overlap(self):
        ds = self.ds
        pairs = 0
        for u in ds.user_ids():
            friends = ds.user_friends(u)
            self.assertEqual(ds.user_stats(u).friends, len(friends))
            for f in friends:
                self.assertIn(u, ds.user_friends(f))
            pairs += len(friends)
        self.assertEqual(pairs, 2 * ds.friend_pairs)
        a, b = ds.user_ids()[:2]
        self.assertGreaterEqual(ds.overlap(a, b, "jaccard"), 0.0)
        self.assertLessEqual(ds.overlap(a, b, "jaccard"), 1.0)
        shared = ds.overlap(a, b, "shared")
        self.assertEqual(shared, len(set(ds.user_listens(a)) & set(ds.user_listens(b))))
        with self.assertRaises(lastrec.InvalidArgument):
            ds.overlap(a, b, "euclid")

    def test_user_artist_tags(self):
        ds = self.ds
        for u in ds.user_ids()[:40]:
            for a in list(ds.user_listens(u))[:10]:
                for tag_id, name in ds.user_artist_tags(u, a):
                    self.assertEqual(ds.tag_name(tag_id), name)
        with self.assertRaises(lastrec.NotFound):
            ds.user_artist_tags(-5, ds.artist_ids()[0])

    def test_distribution_lists(self):
        ds = self.ds
        per_user = ds.distribution("user_listens", as_numpy=False)
        self.assertIsInstance(per_user, list)
        self.assertEqual(len(per_user), ds.users)
        self.assertEqual(per_user, [float(ds.user_stats(u).total_listens) for u in ds.user_ids()])
        fans = ds.distribution("artist_fans", as_numpy=False)
        self.assertEqual(len(fans), ds.artists)
        self.assertEqual(sum(fans), ds.listens)
        for name in lastrec.dataset.DISTRIBUTIONS:
            self.assertIsInstance(ds.distribution(name, as_numpy=False), list)
        with self.assertRaises(lastrec.InvalidArgument):
            ds.distribution("no_such_distribution")

    @unittest.skipIf(support.numpy is None, "numpy is not installed")
    def test_distribution_numpy(self):
        np = support.numpy
        arr = self.ds.distribution("artist_fans")
        self.assertIsInstance(arr, np.ndarray)
        self.assertEqual(arr.dtype, np.float64)
        self.assertEqual(arr.tolist(), self.ds.distribution("artist_fans", as_numpy=False))

    @unittest.skipIf(support.numpy is not None, "numpy is installed")
    def test_distribution_without_numpy(self):
        self.assertIsInstance(self.ds.distribution("artist_fans"), list)
        with self.assertRaises(ImportError):
            self.ds.distribution("artist_fans", as_numpy=True)

    def test_split(self):
        ds, train, test = self.ds, self.train, self.test
        self.assertEqual((train.source, test.source), ("split", "split"))
        self.assertEqual(train.listens + test.listens, ds.listens)
        self.assertEqual(train.artist_ids(), ds.artist_ids())
        self.assertEqual(test.user_ids(), ds.user_ids())
        for u in ds.user_ids()[:30]:
            whole, tr, te = ds.user_listens(u), train.user_listens(u), test.user_listens(u)
            self.assertFalse(set(tr) & set(te))
            self.assertEqual({**tr, **te}, whole)
            if len(whole) >= 2:
                self.assertEqual(len(te), max(1, round(0.2 * len(whole))))
        again_train, again_test = ds.split(seed=3)
        self.assertEqual(again_test.distribution("user_listens", as_numpy=False),
                         test.distribution("user_listens", as_numpy=False))
        pairs_train, pairs_test = ds.split("random_pairs", fraction=0.5, seed=1)
        self.assertEqual(pairs_train.listens + pairs_test.listens, ds.listens)
        self.assertAlmostEqual(pairs_test.listens / ds.listens, 0.5, delta=0.05)
        with self.assertRaises(lastrec.InvalidArgument):
            ds.split("by_moon_phase")
        with self.assertRaises(lastrec.InvalidArgument):
            ds.split(fraction=1.5)


class TestFiles(support.TempDirCase):
    def test_snapshot_round_trip(self):
        ds, _, _ = support.synthetic()
        path = self.path("data.snap")
        ds.save(path)
        back = lastrec.Dataset.load(path)
        self.assertEqual(back.source, "snapshot")
        for name in ("users", "artists", "listens", "tags", "tag_uses", "friend_pairs"):
            self.assertEqual(back.count(name), ds.count(name))
        self.assertEqual(back.artist_ids(), ds.artist_ids())
        a = ds.artist_ids()[5]
        self.assertEqual(back.artist_stats(a), ds.artist_stats(a))

    def test_hetrec_directory_and_listens_file(self):
        ds, train, test = support.synthetic()
        hetrec = self.path("hetrec")
        ds.write_hetrec(hetrec)
        self.assertTrue(os.path.exists(os.path.join(hetrec, "user_artists.dat")))
        back = lastrec.Dataset.load(hetrec, min_tag_uses=2)
        self.assertEqual(back.source, "hetrec")
        self.assertEqual((back.users, back.artists, back.listens),
                         (ds.users, ds.artists, ds.listens))
        # One side of a split, as a listens file, against the catalogue.
        side = self.path("test-side")
        test.write_hetrec(side)
        listens_path = os.path.join(side, "user_artists.dat")
        loaded = lastrec.Dataset.load_listens(listens_path, back)
        self.assertEqual(loaded.listens, test.listens)
        self.assertEqual(loaded.artist_ids(), ds.artist_ids())
        u = ds.user_ids()[0]
        self.assertEqual(loaded.user_listens(u), test.user_listens(u))
        # A listens file alone is a dataset too.
        alone = lastrec.Dataset.load(listens_path)
        self.assertEqual(alone.source, "listens")
        self.assertEqual(alone.listens, test.listens)

    def test_split_drops_tags_of_held_out_pairs(self):
        # docs/evaluation.md: the training side of a split loses the tag
        # assignments of held-out (user, artist) pairs, the test side none;
        # the same from files with load_split.
        ds, train, test = support.synthetic()
        dropped = train.count("tag_uses_held_out")
        self.assertGreater(dropped, 0)
        self.assertEqual(train.count("tag_uses") + dropped, ds.count("tag_uses"))
        self.assertEqual(test.count("tag_uses"), ds.count("tag_uses"))
        self.assertEqual(test.count("tag_uses_held_out"), 0)
        hetrec = self.path("hetrec")
        ds.write_hetrec(hetrec)
        back = lastrec.Dataset.load(hetrec)
        sides = {}
        for name, side in (("train", train), ("test", test)):
            side.write_hetrec(self.path(name))
            sides[name] = os.path.join(self.path(name), "user_artists.dat")
        tr, te = lastrec.Dataset.load_split(sides["train"], sides["test"], back)
        self.assertEqual((tr.listens, te.listens), (train.listens, test.listens))
        self.assertEqual(tr.count("tag_uses_held_out"), dropped)
        alone, none = lastrec.Dataset.load_split(sides["train"], None, back)
        self.assertIsNone(none)
        self.assertEqual(alone.count("tag_uses_held_out"), dropped)
        with self.assertRaises(lastrec.errors.LastrecIOError):
            lastrec.Dataset.load_split(sides["train"], self.path("missing.dat"), back)

    def test_pathlike_and_unicode_paths(self):
        import pathlib
        ds, _, _ = support.synthetic()
        path = pathlib.Path(self.path("Beyoncé data.snap"))
        ds.save(path)
        self.assertEqual(lastrec.Dataset.load(path).listens, ds.listens)

    def test_load_progress_and_cancel(self):
        ds, _, _ = support.synthetic()
        hetrec = self.path("hetrec")
        ds.write_hetrec(hetrec)
        seen = []
        lastrec.Dataset.load(hetrec, progress=lambda stage, done, total: seen.append(stage))
        self.assertTrue(seen)
        self.assertTrue(all(isinstance(s, str) for s in seen))
        with self.assertRaises(lastrec.Cancelled) as cm:
            lastrec.Dataset.load(hetrec, progress=lambda *a: True)
        self.assertEqual(cm.exception.status, lastrec.errors.E_CANCELLED)

        class Boom(Exception):
            pass

        def explode(stage, done, total):
            raise Boom(stage)

        with self.assertRaises(Boom) as cm:
            lastrec.Dataset.load(hetrec, progress=explode)
        self.assertIsInstance(cm.exception.__cause__, lastrec.Cancelled)


class TestLastfm360k(support.TempDirCase):
    """The lastfm-360K format through Dataset.load, as a user reaches it."""

    def test_quirky_set_round_trip(self):
        src = lastrec.Dataset.synthesize(users=120, artists=400)
        d = self.path("l360")
        src.write_lastfm360k(d, synth_bad_lines=3)
        with self.assertRaises(lastrec.ParseError) as cm:
            lastrec.Dataset.load(d)
        self.assertIn("usersha1-artmbid-artname-plays.tsv:", str(cm.exception))
        ds = lastrec.Dataset.load(d, skip_bad_lines=1)
        self.assertEqual(ds.source, "lastfm360k")
        counts = ds.counts()
        self.assertEqual(counts["bad_lines_skipped"], 3)
        self.assertEqual(counts["profiles"], 120)
        self.assertGreater(counts["rows_summed"], 0)
        self.assertGreater(counts["spellings_merged"], 0)
        self.assertEqual((ds.users, ds.artists, ds.listens), (src.users, src.artists, src.listens))
        key = ds.user_key(1)
        self.assertEqual(len(key), 40)
        self.assertEqual(ds.find_user_key(key.upper()), 1)
        with self.assertRaises(lastrec.NotFound):
            ds.find_user_key("0" * 40)
        with self.assertRaises(lastrec.NotFound):
            src.user_key(src.user_ids()[0])


if __name__ == "__main__":
    unittest.main()
