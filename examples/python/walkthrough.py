#!/usr/bin/env python3
"""lastrec from Python, the way the Last.fm notebook went, cell by cell.

    LASTREC_DATA=path/to/hetrec2011-lastfm-2k python3 walkthrough.py

With LASTREC_DATA set it uses the real HetRec 2011 Last.fm 2K data (and
the fixed split in LASTREC_SPLIT, a directory with train.dat and test.dat,
when that is set too); otherwise a synthetic data set of the same shape, so
it runs anywhere, in CI as a Meson test among them.  numpy is used for the
embedding cells when it is installed.

Each cell is a function so the sequence reads top to bottom in main().
Features the loaded library does not have yet are reported and skipped;
any other failure is an error.
"""

import math
import os
import statistics
import sys
import tempfile
import time

import lastrec

try:
    import numpy as np
except ImportError:
    np = None

# The notebook's two new listeners, by artist name and listen count.
NOTEBOOK_PREFERENCES = [
    {"Chris Brown": 4000, "Justin Timberlake": 6000, "David Guetta": 500,
     "Kanye West": 100, "Drake": 200},
    {"Black Eyed Peas": 1000, "Katy Perry": 2050, "Jennifer Lopez": 2500,
     "Beyoncé": 3570, "Leona Lewis": 2660},
]


def cell(title):
    print("\n## %s" % title)


def quantiles(values):
    """min, median, 90th percentile and max, with numpy or without."""
    if np is not None:
        a = np.asarray(values, dtype=float)
        return a.min(), float(np.median(a)), float(np.percentile(a, 90)), a.max()
    values = sorted(values)
    p90 = statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]
    return values[0], statistics.median(values), p90, values[-1]


def histogram(values, bins=8, width=40):
    """A text histogram on a log scale: the listening data are heavy-tailed."""
    logs = [math.log10(v) for v in values if v > 0]
    lo, hi = min(logs), max(logs)
    step = (hi - lo) / bins or 1.0
    counts = [0] * bins
    for x in logs:
        counts[min(bins - 1, int((x - lo) / step))] += 1
    top = max(counts)
    for i, c in enumerate(counts):
        left = 10 ** (lo + i * step)
        print("  %10.0f+ %s %d" % (left, "#" * max(1 if c else 0, round(width * c / top)), c))


def load():
    cell("Load")
    path = os.environ.get("LASTREC_DATA")
    started = time.perf_counter()
    if path:
        ds = lastrec.Dataset.load(path)
        print("loaded the HetRec data from %s" % path)
    else:
        ds = lastrec.Dataset.synthesize(seed=42)
        print("LASTREC_DATA is not set: using synthetic HetRec-shaped data")
    print("%r in %.0f ms" % (ds, 1000 * (time.perf_counter() - started)))
    return ds, bool(path)


def counts(ds):
    cell("Counts, and what loading dropped")
    c = ds.counts()
    print("users %(users)d, artists %(artists)d, listens %(listens)d" % c)
    print("tags kept %(tags)d of %(tags_in_file)d; dropped %(tags_dropped)d "
          "(used at most %(min_tag_uses)d times, or never)" % c)
    print("tag uses kept %(tag_uses)d of %(tag_uses_in_file)d: %(tag_uses_unlistened)d on "
          "%(artists_unlistened)d artists nobody listened to, %(tag_uses_rare)d with rare tags"
          % c)
    print("friend pairs %(friend_pairs)d from %(friend_rows)d rows" % c)


def analysis(ds):
    cell("Analysis: how listening is spread")
    for name, label in (("user_listens", "listens per user"),
                        ("user_artists", "artists per user"),
                        ("artist_fans", "fans per artist"),
                        ("tag_uses", "uses per kept tag")):
        lo, med, p90, hi = quantiles(ds.distribution(name))
        print("%-18s min %g, median %g, 90%% %g, max %g" % (label, lo, med, p90, hi))
    print("fans per artist (log scale): the long tail")
    histogram(ds.distribution("artist_fans", as_numpy=False))

    friends = ds.distribution("friend_jaccard", as_numpy=False)
    strangers = ds.distribution("random_jaccard", as_numpy=False)
    if friends and strangers:
        print("taste overlap (Jaccard): friends %.4f, random pairs %.4f"
              % (statistics.mean(friends), statistics.mean(strangers)))

    fans = ds.distribution("artist_fans", as_numpy=False)
    ids = ds.artist_ids()
    top = sorted(range(len(ids)), key=lambda i: (-fans[i], ids[i]))[:10]
    print("most listened-to artists:")
    for i in top:
        st = ds.artist_stats(ids[i])
        print("  %-28s %4d fans  %-15s %d listens" % (clip(st.name, 28), st.fans,
                                                     clip(st.top_tag or "-", 15), st.total_listens))
    return [ids[i] for i in top]


def search_term(ds, real):
    """The notebook searched "Kanye"; synthetic data need a fragment of
    their own that several names share."""
    if real:
        return "Kanye"
    names = {ds.artist_name(a).casefold() for a in ds.artist_ids()}
    for a in ds.artist_ids():
        for word in ds.artist_name(a).split():
            if (len(word) >= 4 and word.isalpha() and word.casefold() not in names
                    and len(ds.find_artist(word, limit=None)) >= 2):
                return word
    return ds.artist_name(ds.artist_ids()[0])


def search(ds, term):
    cell("Search: %r" % term)
    for match in ds.find_artist(term, limit=5):
        print("  %6d  %s" % match)


def split(ds):
    cell("Split")
    split_dir = os.environ.get("LASTREC_SPLIT")
    if split_dir and os.environ.get("LASTREC_DATA"):
        train = lastrec.Dataset.load_listens(os.path.join(split_dir, "train.dat"), ds)
        test = lastrec.Dataset.load_listens(os.path.join(split_dir, "test.dat"), ds)
        print("the fixed split in %s" % split_dir)
    else:
        train, test = ds.split("per_user", fraction=0.2, seed=42)
        print("per user, 20% held out, seed 42")
    print("train %d listens, test %d listens" % (train.listens, test.listens))
    return train, test


def fit_models(train, real):
    cell("Fit")
    settings = {
        "pop": {},
        "als": dict(factors=64, epochs=15 if real else 8),
        "bpr": dict(factors=64, epochs=30 if real else 10),
        "mf": dict(factors=32, epochs=30 if real else 10),
        "ease": {},
        "blend": {},  # the best: a rank-weighted item autoencoder and ALS
    }
    models = {}
    for algorithm, options in settings.items():
        epochs = []
        model = lastrec.Model(algorithm, **options)
        started = time.perf_counter()
        try:
            model.fit(train, progress=lambda stage, done, total: epochs.append(done))
        except lastrec.Unsupported as exc:
            print("  %-5s not available in this library: %s" % (algorithm, exc))
            continue
        loss = model.history()["loss"]
        last = ("final loss %.4g" % loss[-1]) if loss and not math.isnan(loss[-1]) else ""
        print("  %-5s %3d epochs in %6.0f ms  %s" % (algorithm, len(epochs),
                                                     1000 * (time.perf_counter() - started), last))
        models[algorithm] = model
    return models


def evaluate(models, train, test):
    cell("Evaluate at k = 10")
    scores = {}
    print("  %-5s %9s %7s %7s %7s %8s %8s" % ("model", "precision", "recall", "ndcg", "map",
                                               "hit rate", "coverage"))
    for name, model in models.items():
        try:
            m = lastrec.evaluate(model, train, test, k=10)
        except lastrec.Unsupported as exc:
            print("  evaluation is not available in this library: %s" % exc)
            return None
        scores[name] = m.ndcg
        print("  %-5s %9.4f %7.4f %7.4f %7.4f %8.4f %8.4f" % (name, m.precision, m.recall,
                                                               m.ndcg, m.map, m.hit_rate,
                                                               m.coverage))
    best = max(scores, key=scores.get)
    print("best by NDCG@10: %s over %d users" % (best, m.users))
    return best


def clip(text, width):
    return text if len(text) <= width else text[:width - 1] + "…"


def show(results):
    for r in results:
        because = ", ".join(b.name for b in r.because)
        print("  %-28s %8.4f  %-15s %4d fans%s" % (clip(r.name, 28), r.score,
                                                   clip(r.top_tag or "-", 15), r.fans,
                                                   "  because: " + because if because else ""))


def recommend(model, ds, train, real, term):
    if not lastrec._ffi.available("lr_query_new"):
        cell("Recommend")
        print("queries are not available in this library yet")
        return
    user = train.user_ids()[0]
    cell("Recommend for user %d (%s)" % (user, model.algorithm))
    listened = sorted(train.user_listens(user).items(), key=lambda kv: -kv[1])[:5]
    print("they listen to: %s" % ", ".join(ds.artist_name(a) for a, _ in listened))
    show(model.recommend(user, k=10))

    lists = NOTEBOOK_PREFERENCES if real else [
        {ds.artist_name(a): 1000 * (i + 1) for i, a in enumerate(train.artist_ids()[:5])}]
    for prefs in lists:
        cell("Recommend for a new listener (%s)" % model.algorithm)
        print("preferences: %s" % ", ".join("%s %d" % kv for kv in prefs.items()))
        try:
            show(model.recommend_for(prefs, k=10))
        except (lastrec.Ambiguous, lastrec.NotFound) as exc:
            print("  %s; candidates: %s" % (exc, [c.name for c in getattr(exc, "candidates", ())]))

    cell("Similar to %r (%s, cosine)" % (term, model.algorithm))
    try:
        # Cosine rather than the dot product, which favours the popular.
        with model.query(k=10, measure="cosine") as q:
            results = q.similar(term)
            candidates = q.candidates()
        print("%r is %s; other candidates: %s" % (term, candidates[0].name,
                                                    ", ".join(c.name for c in candidates[1:6])))
        show(results)
    except lastrec.Unsupported as exc:
        print("  %s" % exc)


def embeddings(model, ds, top_artists):
    cell("Embeddings (%s)" % model.algorithm)
    try:
        artists = model.artist_embeddings()
    except lastrec.Unsupported as exc:
        print("  %s" % exc)
        return
    ids = model.artist_ids()
    row = {a: i for i, a in enumerate(ids)}
    if np is None:
        print("numpy is not installed: %d x %d as lists of floats"
              % (len(artists), len(artists[0]) if artists else 0))
        return
    print("a %s %s array over the model's own memory (read-only: %s)"
          % (artists.shape, artists.dtype, not artists.flags.writeable))
    norms = np.linalg.norm(artists, axis=1)
    print("embedding norms: median %.3f, max %.3f (%s)" % (float(np.median(norms)),
                                                            float(norms.max()),
                                                            ds.artist_name(ids[int(norms.argmax())])))
    # Nearest neighbours by cosine, computed here from the raw matrix.
    unit = artists / np.maximum(norms, 1e-12)[:, None]
    a = top_artists[0]
    sims = unit @ unit[row[a]]
    order = [i for i in np.argsort(-sims) if ids[i] != a][:5]
    print("closest to %s by cosine: %s" % (ds.artist_name(a),
                                           ", ".join(ds.artist_name(ids[i]) for i in order)))
    # A 2-D picture of the most popular artists: the first two principal axes.
    centred = artists - artists.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    coords = centred @ vt[:2].T
    print("the most listened-to artists on the first two principal axes:")
    for a in top_artists[:6]:
        x, y = coords[row[a]]
        print("  %-28s %8.3f %8.3f" % (clip(ds.artist_name(a), 28), x, y))


def save_and_load(model, train):
    cell("Save and load the model")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.lastrec")
        try:
            model.save(path)
        except lastrec.Unsupported as exc:
            print("  model files are not available in this library: %s" % exc)
            return
        back = lastrec.Model.load(path)
        print("%s: %d bytes, %r" % (os.path.basename(path), os.path.getsize(path), back))
        if lastrec._ffi.available("lr_query_new"):
            user = train.user_ids()[0]
            same = [r.artist for r in back.recommend(user)] == \
                [r.artist for r in model.recommend(user)]
            print("the loaded model answers as the original: %s" % same)
            if not same:
                raise SystemExit("a loaded model answered differently")


def main():
    print("lastrec %s (%s)" % (lastrec.library_version(), lastrec.library_path))
    ds, real = load()
    counts(ds)
    top = analysis(ds)
    term = search_term(ds, real)
    search(ds, term)
    train, test = split(ds)
    models = fit_models(train, real)
    best = evaluate(models, train, test)
    if best is None:
        best = next((a for a in ("blend", "als", "bpr", "mf", "ease") if a in models), "pop")
    model = models[best]
    recommend(model, ds, train, real, term)
    factor_model = next((models[a] for a in (best, "als", "bpr", "mf") if a in models
                         and a not in ("pop", "ease")), None)
    if factor_model is not None:
        embeddings(factor_model, ds, top)
    save_and_load(model, train)
    print("\ndone")
    return 0


if __name__ == "__main__":
    sys.exit(main())
