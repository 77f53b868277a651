"""The binding on the real HetRec 2011 Last.fm 2K data and its dev split.

Skipped (exit 77, which meson reports as SKIP) unless LASTREC_DATA names
the data directory; LASTREC_SPLIT names the fixed split (train.dat,
test.dat), and without it a seeded per-user split is used.
"""

import os
import sys
import unittest

import lastrec

DATA = os.environ.get("LASTREC_DATA")
SPLIT = os.environ.get("LASTREC_SPLIT")

NOTEBOOK_PREFERENCES = [
    {"Chris Brown": 4000, "Justin Timberlake": 6000, "David Guetta": 500, "Kanye West": 100,
     "Drake": 200},
    {"Black Eyed Peas": 1000, "Katy Perry": 2050, "Jennifer Lopez": 2500, "Beyoncé": 3570,
     "Leona Lewis": 2660},
]


class TestRealData(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ds = lastrec.Dataset.load(DATA)
        if SPLIT:
            cls.train = lastrec.Dataset.load_listens(os.path.join(SPLIT, "train.dat"), cls.ds)
            cls.test = lastrec.Dataset.load_listens(os.path.join(SPLIT, "test.dat"), cls.ds)
        else:
            cls.train, cls.test = cls.ds.split(seed=42)
        cls.model = lastrec.Model("als", factors=32, epochs=8).fit(cls.train)

    def test_counts(self):
        self.assertEqual((self.ds.users, self.ds.artists, self.ds.listens), (1892, 17632, 92834))
        self.assertEqual(self.train.listens + self.test.listens, self.ds.listens)
        if SPLIT:
            self.assertEqual(lastrec.evaluate(self.model, self.train, self.test).users, 1884)

    def test_search_ignores_case_and_accents(self):
        self.assertEqual(self.ds.find_artist("beyonce", limit=1)[0].name, "Beyoncé")
        self.assertEqual(self.ds.find_artist("Kanye", limit=1)[0].name, "Kanye West")

    def test_notebook_preferences(self):
        for prefs in NOTEBOOK_PREFERENCES:
            results = self.model.recommend_for(prefs, k=10)
            self.assertEqual(len(results), 10)
            names = {r.name for r in results}
            self.assertFalse(names & set(prefs), "a preferred artist was recommended")
            # Plausible: most of the top ten share a tag with the preferences.
            pref_tags = set()
            for name in prefs:
                a = self.model.find_artist(name)
                pref_tags.update(t.name for t in self.ds.artist_tags(a, limit=5))
            sharing = sum(1 for r in results if {t for t, _ in r.tags} & pref_tags)
            self.assertGreaterEqual(sharing, 6, [r.name for r in results])

    def test_similar_to_kanye(self):
        with self.model.query(k=10) as q:
            results = q.similar("Kanye")
            candidates = q.candidates()
        self.assertEqual(candidates[0].name, "Kanye West")
        self.assertIn("Kanye West & Jay-Z", [c.name for c in candidates])
        self.assertNotIn("Kanye West", [r.name for r in results])
        self.assertEqual(len(results), 10)


if __name__ == "__main__":
    if not DATA:
        print("SKIP: LASTREC_DATA is not set (the real data set is never copied into the project)")
        sys.exit(77)
    unittest.main()
