#!/usr/bin/env python3
"""Tests of `lastrec recommend` and `lastrec similar`, on synthetic data and
models the tool itself writes.  One test per invocation, so Meson reports
each apart.

usage: test_query_tool.py LASTREC_BINARY TEST
Exit 0 pass, 1 fail, 77 skip.
"""
import os
import re
import sys

import harness
from harness import (SKIP, SYNTH_ARGS, Failure, check, lastrec, lastrec_json,  # noqa: F401
                     read_tsv, run)

# What a library placeholder says before an algorithm lands.
PLACEHOLDER = "not built yet"


class Data:
    """A synthetic data set: names by ID and each user's artists."""

    def __init__(self, tmp):
        self.dir = os.path.join(tmp, "data")
        lastrec("synth", self.dir, *SYNTH_ARGS)
        self.names = {int(r[0]): r[1] for r in read_tsv(os.path.join(self.dir, "artists.dat"))}
        self.listens = {}
        for u, a, _ in read_tsv(os.path.join(self.dir, "user_artists.dat")):
            self.listens.setdefault(int(u), set()).add(int(a))
        folded = {i: n.casefold() for i, n in self.names.items()}
        # names no other name contains: they resolve without ambiguity
        self.unique = sorted(i for i, n in folded.items()
                             if sum(n in m for m in folded.values()) == 1)
        # a text a few names contain and none equals: ambiguous (few
        # enough that the tool lists every candidate)
        self.ambiguous = None
        for n in sorted(folded.values()):
            for cut in range(3, len(n)):
                text = n[:cut]
                hits = [i for i, m in folded.items() if text in m]
                if 3 <= len(hits) <= 15 and text not in folded.values():
                    self.ambiguous = (text, hits)
                    break
            if self.ambiguous:
                break

    def train(self, algo):
        """A model file, or None when the algorithm is a placeholder."""
        path = os.path.join(os.path.dirname(self.dir), algo + ".model")
        rc, out, err = run("train", self.dir, "--algo", algo, "-o", path)
        if rc != 0 and PLACEHOLDER in err:
            return None
        check(rc == 0, f"train {algo}: exit {rc}: {err}")
        return path


def check_results(doc, k, left_out=(), explained_by=None):
    """What every result list promises: k entries, best first, none left
    out, full details; explanations among the given artists."""
    res = doc["results"]
    check(len(res) == k, f"{len(res)} results, want {k}")
    ids = [r["artist_id"] for r in res]
    check(len(set(ids)) == len(ids), f"an artist twice: {ids}")
    check([r["rank"] for r in res] == list(range(1, k + 1)), "ranks are not 1..k")
    scores = [r["score"] for r in res]
    check(scores == sorted(scores, reverse=True), f"scores not descending: {scores}")
    for r in res:
        check(r["artist_id"] not in left_out, f"artist {r['artist_id']} should be left out")
        for key in ("name", "top_tag", "fans", "tags"):
            check(key in r, f"result lacks {key}: {r}")
        check(r["fans"] >= 0 and len(r["tags"]) <= 5, f"bad details: {r}")
        counts = [t["count"] for t in r["tags"]]
        check(counts == sorted(counts, reverse=True), f"tags not by count: {r['tags']}")
        if r["tags"]:
            check(r["top_tag"] == r["tags"][0]["tag"], f"top tag is not the first: {r}")
        if explained_by is not None:
            for e in r["because_of"]:
                check(e["artist_id"] in explained_by and e["contribution"] > 0,
                      f"explanation {e} not a positive contribution of the user's artists")
    return ids


# ---------------------------------------------------------------- the tests


def test_help(tmp):
    for cmd, options in {"recommend": ["--user", "--like", "-k", "--measure", "--tag", "--json"],
                         "similar": ["--id", "-k", "--measure", "--tag", "--json"]}.items():
        out, _ = lastrec(cmd, "--help")
        check(out.startswith(f"usage: lastrec {cmd} MODEL"), f"{cmd} --help: {out}")
        for o in options:
            check(o in out, f"lastrec {cmd} --help does not mention {o}:\n{out}")
        out, _ = lastrec("help")
        check(f"  {cmd} " in out, f"'lastrec help' does not list {cmd}")


def test_usage(tmp):
    m = os.path.join(tmp, "m")
    for args in (["recommend"], ["recommend", m], ["recommend", m, "--user", "1", "--like", "A=1"],
                 ["recommend", m, "--user", "x"], ["recommend", m, "--like", "A"],
                 ["recommend", m, "--like", "A=0"], ["recommend", m, "--like", "A=-2"],
                 ["recommend", m, "--like", "=5"], ["recommend", m, "--user", "1", "-k", "0"],
                 ["recommend", m, "--user", "1", "-k", "ten"],
                 ["recommend", m, "--user", "1", "--measure", "euclid"],
                 ["similar", m], ["similar", m, "a", "b"], ["similar", m, "x", "--id"],
                 ["similar", m, "a", "--bogus"]):
        _, err = lastrec(*args, status=2)
        check(err.startswith("lastrec: "), f"{args}: {err}")


def test_missing(tmp):
    path = os.path.join(tmp, "nothing.model")
    _, err = lastrec("recommend", path, "--user", "1", status=1)
    check(path in err, f"the message does not name the file: {err}")
    junk = os.path.join(tmp, "junk.model")
    with open(junk, "wb") as f:
        f.write(b"not a model at all\n" * 10)
    _, err = lastrec("similar", junk, "a", status=1)
    check(junk in err, f"the message does not name the file: {err}")


def test_recommend_user(tmp):
    d = Data(tmp)
    model = d.train("als")
    user = sorted(d.listens)[3]
    own = d.listens[user]
    doc = lastrec_json("recommend", model, "--user", str(user))
    check(doc["user"] == user and doc["algorithm"] == "als" and doc["k"] == 10, f"header: {doc}")
    ids = check_results(doc, 10, left_out=own, explained_by=own)
    check(any(r["because_of"] for r in doc["results"]), "no result is explained")
    for r in doc["results"]:
        check(r["name"] == d.names[r["artist_id"]], f"name of {r['artist_id']}: {r['name']}")
    # the text form shows the same artists in the same order
    out, _ = lastrec("recommend", model, "--user", str(user))
    # the rows are numbered; the note on scores follows them
    rows = [l.split()[1] for l in out.splitlines()[2:] if re.match(r"^\s+\d+\s", l)]
    check(rows == [str(i) for i in ids], f"text rows {rows} differ from JSON {ids}")
    check(f"user {user}" in out.splitlines()[0], f"header line: {out.splitlines()[0]}")
    # -k and cosine
    doc = lastrec_json("recommend", model, "--user", str(user), "-k", "3", "--measure", "cosine")
    check_results(doc, 3, left_out=own)
    check(doc["measure"] == "cosine" and all(-1.0001 <= r["score"] <= 1.0001
                                             for r in doc["results"]), f"cosine: {doc}")
    _, err = lastrec("recommend", model, "--user", "999999", status=1)
    check("999999" in err, f"unknown user: {err}")
    # another user gets other exclusions: not the same list minus their own
    other = sorted(d.listens)[4]
    doc2 = lastrec_json("recommend", model, "--user", str(other))
    check_results(doc2, 10, left_out=d.listens[other], explained_by=d.listens[other])


def test_recommend_like(tmp):
    d = Data(tmp)
    model = d.train("als")
    liked = d.unique[:3]
    args = []
    for i, a in enumerate(liked):
        # case and accents are ignored
        args += ["--like", f"{d.names[a].upper()}={(i + 1) * 100}"]
    doc = lastrec_json("recommend", model, *args)
    prefs = doc["preferences"]
    check([p["artist_id"] for p in prefs] == liked, f"resolved {prefs}, want {liked}")
    check([p["listens"] for p in prefs] == [100, 200, 300], f"listens {prefs}")
    check_results(doc, 10, left_out=set(liked), explained_by=set(liked))
    out, _ = lastrec("recommend", model, *args, "-k", "4")
    for a in liked:
        check(d.names[a] in out, f"the text does not show the preference {d.names[a]}:\n{out}")
    # ambiguous: exit 1, every candidate named
    text, hits = d.ambiguous
    _, err = lastrec("recommend", model, "--like", f"{text}=10", status=1)
    check("matches" in err and "candidates:" in err, f"ambiguous: {err}")
    for a in hits:
        check(str(a) in err and d.names[a] in err, f"candidate {a} {d.names[a]} not listed: {err}")
    _, err = lastrec("recommend", model, "--like", "qqqqzzzz=10", status=1)
    check("qqqqzzzz" in err, f"not found: {err}")


def test_similar(tmp):
    d = Data(tmp)
    model = d.train("als")
    a = d.unique[5]
    doc = lastrec_json("similar", model, d.names[a].lower())
    check(doc["artist_id"] == a and doc["name"] == d.names[a], f"resolved {doc}")
    check_results(doc, 10, left_out={a})
    check(all("because_of" not in r for r in doc["results"]), "similar artists are not explained")
    by_id = lastrec_json("similar", model, str(a), "--id")
    check([r["artist_id"] for r in by_id["results"]] ==
          [r["artist_id"] for r in doc["results"]], "by ID and by name differ")
    # a partial name: the best candidate is used, the others are listed
    text, hits = d.ambiguous
    doc = lastrec_json("similar", model, text, "-k", "5")
    cands = [c["artist_id"] for c in doc["candidates"]]
    check(sorted(cands) == sorted(hits), f"candidates {cands}, want {hits}")
    check(doc["artist_id"] == cands[0], "the first candidate is not the one used")
    check_results(doc, 5, left_out={doc["artist_id"]})
    out, _ = lastrec("similar", model, text, "-k", "5")
    check(out.startswith(f"'{text}' matches {len(hits)} artists"), f"text: {out}")
    _, err = lastrec("similar", model, "qqqqzzzz", status=1)
    check("qqqqzzzz" in err, f"not found: {err}")
    _, err = lastrec("similar", model, "999999", "--id", status=1)
    check("999999" in err, f"unknown ID: {err}")


def test_algorithms(tmp):
    d = Data(tmp)
    user = sorted(d.listens)[0]
    tried = 0
    for algo in ("pop", "mf", "als", "bpr", "ease"):
        model = d.train(algo)
        if model is None:
            print(f"{algo}: not built yet, skipped")
            continue
        tried += 1
        doc = lastrec_json("recommend", model, "--user", str(user), "-k", "5")
        check_results(doc, 5, left_out=d.listens[user],
                      explained_by=None if algo == "pop" else d.listens[user])
        liked = d.unique[:2]
        doc = lastrec_json("recommend", model, "--like", f"{d.names[liked[0]]}=50",
                           "--like", f"{d.names[liked[1]]}=5", "-k", "5")
        check_results(doc, 5, left_out=set(liked))
        if algo == "pop":
            _, err = lastrec("similar", model, d.names[liked[0]], status=1)
            check("pop" in err, f"pop similar: {err}")
            _, err = lastrec("recommend", model, "--user", str(user), "--measure", "cosine",
                             status=1)
            check("cosine" in err, f"pop cosine: {err}")
        else:
            doc = lastrec_json("similar", model, d.names[liked[0]], "-k", "5")
            check_results(doc, 5, left_out={liked[0]})
    check(tried >= 2, "fewer than two algorithms could be trained")


def test_recommend_like_softmax(tmp):
    """softmax explains by the liked artists' tags as well: text and JSON."""
    d = Data(tmp)
    model = d.train("softmax")
    tags = {int(r[0]): r[1] for r in read_tsv(os.path.join(d.dir, "tags.dat"))}
    tagged = {}
    for r in read_tsv(os.path.join(d.dir, "user_taggedartists.dat")):
        tagged.setdefault(int(r[1]), set()).add(int(r[2]))
    liked = [a for a in d.unique if a in tagged][:2]
    check(len(liked) == 2, "the synthetic data lack two tagged artists with unique names")
    args = ["--like", f"{d.names[liked[0]]}=50", "--like", f"{d.names[liked[1]]}=5"]
    doc = lastrec_json("recommend", model, *args, "-k", "5")
    check_results(doc, 5, left_out=set(liked), explained_by=set(liked))
    # tag names as the model shows them (CamelCase), folded for comparison
    fold = lambda t: re.sub(r"[\s_-]", "", t).casefold()  # noqa: E731
    theirs = {fold(tags[t]) for a in liked for t in tagged[a] if t in tags}
    explained = 0
    for r in doc["results"]:
        bt = r["because_of_tags"]
        check(len(bt) <= 3, f"more tags than explanations allow: {bt}")
        cs = [e["contribution"] for e in bt]
        check(all(c > 0 for c in cs) and cs == sorted(cs, reverse=True), f"contributions {cs}")
        for e in bt:
            check(fold(e["tag"]) in theirs, f"{e['tag']} is no tag of the liked artists")
        explained += bool(bt)
    check(explained > 0, "no result is explained by a tag")
    out, _ = lastrec("recommend", model, *args, "-k", "5")
    check("; tags " in out or "  tags " in out, f"the text shows no tags:\n{out}")
    # other models' JSON has the key, empty
    als = d.train("als")
    doc = lastrec_json("recommend", als, *args, "-k", "3")
    check(all(r["because_of_tags"] == [] for r in doc["results"]), "als explains by tags")


def test_real_data(tmp):
    data = os.environ.get("LASTREC_DATA")
    if not data:
        print("SKIP: LASTREC_DATA is unset")
        return SKIP
    model = os.path.join(tmp, "als.model")
    lastrec("train", data, "--algo", "als", "-o", model)
    liked = {"Chris Brown": 4000, "Justin Timberlake": 6000, "David Guetta": 500,
             "Kanye West": 100, "Drake": 200}
    args = [a for n, c in liked.items() for a in ("--like", f"{n}={c}")]
    doc = lastrec_json("recommend", model, *args)
    names = [p["name"] for p in doc["preferences"]]
    check(names == list(liked), f"resolved {names}")
    ids = {p["artist_id"] for p in doc["preferences"]}
    check_results(doc, 10, left_out=ids, explained_by=ids)
    doc = lastrec_json("similar", model, "Kanye")
    check(doc["name"] == "Kanye West", f"'Kanye' resolved to {doc['name']}")
    check(len(doc["candidates"]) > 1, "no other candidates listed")
    check_results(doc, 10, left_out={doc["artist_id"]})
    _, err = lastrec("recommend", model, "--like", "Kanye=100", status=1)
    check("Kanye West" in err and "candidates:" in err, f"ambiguous Kanye: {err}")


TESTS = {
    "query-help": test_help,
    "query-usage": test_usage,
    "query-missing": test_missing,
    "recommend-user": test_recommend_user,
    "recommend-like": test_recommend_like,
    "recommend-like-softmax": test_recommend_like_softmax,
    "similar": test_similar,
    "query-algorithms": test_algorithms,
    "query-real-data": test_real_data,
}



if __name__ == "__main__":
    sys.exit(harness.main(TESTS, "lastrec-query-tool-"))
