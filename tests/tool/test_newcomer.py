#!/usr/bin/env python3
"""Tests of issue #17, "A newcomer's first hour": the tool says what it
means.  Each test runs the built tool and checks its exit status and what
it says; test_tool.py's helpers are shared.

usage: test_newcomer.py LASTREC_BINARY TEST
Exit 0 pass, 1 fail, 77 skip.
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import test_tool as t  # noqa: E402
from harness import SKIP, Failure, check, lastrec, lastrec_json  # noqa: E402
from test_tool import synth  # noqa: E402



def cpus():
    # What sysconf(_SC_NPROCESSORS_ONLN) says, which CPython's cpu_count is.
    return os.cpu_count() or 1


def test_threads_clamp(tmp):
    """--threads far above the CPUs is cut to them, with one warning."""
    data, _ = synth(tmp)
    model, hist = os.path.join(tmp, "m.lrmodel"), os.path.join(tmp, "h.json")
    _, err = lastrec("train", data, "--algo", "als", "--threads", "1000", "--epochs", "1",
                     "--factors", "4", "-o", model, "--history", hist)
    want = f"lastrec: warning: threads=1000 is more than the {cpus()} online CPU"
    check(want in err, f"no warning of the cut threads:\n{err}")
    check(err.count("warning: threads=") == 1, f"warned more than once:\n{err}")
    out, err = lastrec("eval", data, "--algo", "als", "--holdout", "0.2", "--threads", "1000",
                       "--epochs", "1", "--factors", "4")
    check(f"threads {cpus()}\n" in out, f"eval does not show the threads used:\n{out}")
    # Within the CPUs: no warning.
    _, err = lastrec("train", data, "--algo", "als", "--threads", "1", "--epochs", "1",
                     "--factors", "4", "-o", model)
    check("warning" not in err, f"a warning for threads=1:\n{err}")


def test_shorthands(tmp):
    """help --help works; every training command has --seed, --threads,
    --factors and --epochs."""
    out, _ = lastrec("help", "--help")
    check(out.startswith("usage: lastrec"), f"help --help:\n{out}")
    out2, _ = lastrec("help", "help")
    check(out2 == out, "help help differs from help --help")
    for cmd in ("train", "eval"):
        out, _ = lastrec(cmd, "--help")
        for o in ("--seed", "--threads", "--factors", "--epochs"):
            check(o + " " in out, f"{cmd} --help lacks {o}:\n{out}")
    data, _ = synth(tmp)
    model, hist = os.path.join(tmp, "m.lrmodel"), os.path.join(tmp, "h.json")
    lastrec("train", data, "--algo", "als", "--seed", "5", "--threads", "1", "--factors", "6",
            "--epochs", "2", "-o", model, "--history", hist)
    with open(hist) as f:
        o = json.load(f)["options"]
    check((o["seed"], o["threads"], o["factors"], o["epochs"]) == (5, 1, 6, 2),
          f"train's shorthands did not reach the model: {o}")
    # The shorthand wins over --opt, as the later word.
    lastrec("train", data, "--algo", "als", "--opt", "factors=9,epochs=1", "--factors", "7",
            "-o", model, "--history", hist)
    with open(hist) as f:
        check(json.load(f)["options"]["factors"] == 7, "--factors lost to --opt")
    doc = lastrec_json("eval", data, "--algo", "als", "--holdout", "0.2", "--factors", "6",
                       "--epochs", "2", "--threads", "1")
    o = doc["results"][0]["options"]
    check((o["factors"], o["epochs"]) == (6, 2), f"eval's shorthands: {o}")
    for bad in (["--factors", "0"], ["--epochs", "x"], ["--seed", "-1"], ["--threads", "-1"],
                ["--threads", "5000"]):
        _, err = lastrec("train", data, "--algo", "als", "-o", model, *bad, status=2)
        check(bad[0] in err and "whole number" in err, f"{bad}: {err}")


def test_units(tmp):
    """One word per unit: "user-artist pairs" for rows of user_artists.dat,
    "plays" for play counts summed; never "listens" for either."""
    data, reported = synth(tmp)
    rows = t.read_tsv(os.path.join(data, "user_artists.dat"))
    total = sum(int(r[2]) for r in rows)
    out, _ = lastrec("info", data)
    check(re.search(rf"^\s+user-artist pairs\s+{len(rows):,}\b", out, re.M),
          f"info does not count {len(rows)} user-artist pairs:\n{out}")
    check(re.search(rf"^\s+plays\s+{total:,}\b", out, re.M),
          f"info does not sum {total} plays:\n{out}")
    c = lastrec_json("info", data)["counts"]
    check(c["listens"] == len(rows) and c["plays"] == total, f"info JSON: {c}")
    out, _ = lastrec("analyze", data)
    check("Plays per user" in out and "Plays per artist" in out, f"analyze:\n{out}")
    tr = os.path.join(tmp, "tr.dat")
    t.write_listens(tr, [tuple(int(x) for x in r[:3]) for r in rows])
    outs = [out, lastrec("info", data)[0], lastrec("synth", os.path.join(tmp, "s2"))[0],
            lastrec("eval", data, "--algo", "pop", "--holdout", "0.2")[0],
            lastrec("eval", data, "--algo", "pop", "--train", tr, "--test", tr)[0]]
    for cmd in ("info", "analyze", "train", "eval", "recommend", "synth", "snapshot"):
        outs.append(lastrec(cmd, "--help")[0])
    for o in outs:
        # "listens file" names a file kind (user_artists.dat format), not a unit.
        bad = [m for m in re.finditer(r"\blistens?\b(?! file)", o)]
        check(not bad, f"'listens' as a unit in:\n{o}")


def test_wrong_kind(tmp):
    """The wrong kind of path gets a message that says what it is and what
    was expected."""
    data, _ = synth(tmp)
    model = os.path.join(tmp, "pop.lrmodel")
    lastrec("train", data, "--algo", "pop", "-o", model)
    empty = os.path.join(tmp, "empty")
    os.mkdir(empty)
    for cmd in (["info"], ["analyze"], ["train", "--algo", "pop", "-o", model],
                ["eval", "--algo", "pop", "--holdout", "0.2"]):
        out, err = lastrec(cmd[0], empty, *cmd[1:], status=1)
        check("not a HetRec directory" in err, f"{cmd[0]} on an empty directory:\n{err}")
        for f in ("artists.dat", "tags.dat", "user_artists.dat", "user_friends.dat",
                  "user_taggedartists.dat"):
            check(f in err, f"{cmd[0]} on an empty directory does not list {f}:\n{err}")
        check(out == "", f"{cmd[0]} printed {out!r}")
    with open(os.path.join(empty, "artists.dat"), "w") as f:
        f.write("id\tname\turl\tpictureURL\n")
    _, err = lastrec("info", empty, status=1)
    check("incomplete HetRec directory" in err and "user_artists.dat" in err
          and "artists.dat, tags.dat" not in err.split("\n")[0], f"half a directory:\n{err}")
    for f in ("artists.dat", "tags.dat", "user_friends.dat", "user_taggedartists.dat"):
        _, err = lastrec("info", os.path.join(data, f), status=1)
        check(f"this is HetRec's {f}" in err and "give this file's directory" in err,
              f"info {f}:\n{err}")
    _, err = lastrec("info", model, status=1)
    check("this is a model file" in err and "lastrec recommend" in err, f"info MODEL:\n{err}")
    # A listens file is data: still read.
    lastrec("info", os.path.join(data, "user_artists.dat"))
    for path, kind in ((data, "a HetRec data directory"),
                       (os.path.join(data, "user_artists.dat"), "a listens file")):
        for cmd in (["recommend", path, "--user", "1"], ["similar", path, "x"]):
            out, err = lastrec(*cmd, status=1)
            check(f"this is {kind}" in err and "not a model file" in err
                  and f"lastrec train {path} --algo" in err, f"{cmd}:\n{err}")
            check(out == "", f"{cmd} printed {out!r}")


def test_did_you_mean(tmp):
    """An unknown command, option, --opt key, algorithm or artist name gets
    the closest valid names, and the command that lists them."""
    _, err = lastrec("trian", status=2)
    check("did you mean 'train'?" in err and "lastrec help" in err, f"trian:\n{err}")
    _, err = lastrec("help", "optoins", status=2)
    check("did you mean 'options'?" in err, f"help optoins:\n{err}")
    data, _ = synth(tmp)
    model = os.path.join(tmp, "als.lrmodel")
    _, err = lastrec("info", data, "--opt", "factor=32", status=2)
    check("did you mean 'factors'?" in err and "lastrec help options" in err
          and "info --help" not in err, f"--opt factor=32:\n{err}")
    _, err = lastrec("train", data, "--algo", "als", "-o", model, "--opt", "seed=3, epoch=2",
                     status=2)
    check("did you mean 'epochs'?" in err, f"--opt seed=3, epoch=2:\n{err}")
    _, err = lastrec("train", data, "--algo", "alss", "-o", model, status=2)
    check("did you mean 'als'?" in err, f"--algo alss:\n{err}")
    _, err = lastrec("train", data, "--algo", "als", "-o", model, "--factor", "3", status=2)
    check("did you mean '--factors'?" in err, f"--factor:\n{err}")
    _, err = lastrec("train", data, "--algo", "als", "-o", model, "--learning_rate", "0.1",
                     status=2)
    check("'--opt learning_rate=VALUE'" in err and "lastrec help options" in err,
          f"--learning_rate:\n{err}")
    _, err = lastrec("train", data, "--algo", "als", "-o", model, "--bogus", status=2)
    check("did you mean" not in err, f"--bogus has nothing close:\n{err}")
    # Artist names: a swap of two letters finds the name again.
    lastrec("train", data, "--algo", "als", "--epochs", "2", "-o", model)
    names = [r[1] for r in t.read_tsv(os.path.join(data, "artists.dat"))]
    ids = {r[1]: r[0] for r in t.read_tsv(os.path.join(data, "artists.dat"))}
    for name in names:
        if len(name) < 7 or " " in name:
            continue
        typo = name[:3] + name[4] + name[3] + name[5:]
        if typo.lower() != name.lower() and not any(typo.lower() in n.lower() for n in names):
            break
    else:
        raise Failure("no synthetic artist name to misspell")
    for cmd in (["similar", model, typo], ["recommend", model, "--like", f"{typo}=10"]):
        out, err = lastrec(*cmd, status=1)
        check(re.search(rf"did you mean:\n\s+{ids[name]}\s+{re.escape(name)}\n", err)
              and "lastrec similar MODEL PART" in err, f"{cmd}:\n{err}")
        check(out == "", f"{cmd} printed {out!r}")


def test_options_per_algorithm(tmp):
    """help options shows each algorithm's default, not one per key; enum
    values by name; --algo NAME shows one algorithm with the ranges."""
    out, _ = lastrec("help", "options")
    head = re.search(r"^\s+key\s+mf\s+als\s+bpr\s+ease\s+blend\s+softmax$", out, re.M)
    check(head, f"no column per algorithm:\n{out}")
    rows = {line.split()[0]: line.split()[1:] for line in out[head.end():].splitlines()
            if re.match(r"^  [a-z_0-9]+\s", line)}
    check(rows.get("epochs", [])[:3] == ["200", "15", "100"], f"epochs row {rows.get('epochs')}")
    check(rows.get("transform", [])[:2] == ["log1p", "bm25"], f"transform {rows.get('transform')}")
    check(rows.get("optimizer", [])[2] == "sgd", f"optimizer {rows.get('optimizer')}")
    check(not any(line != line.rstrip() for line in out.splitlines()), "trailing spaces")
    check(all(len(line) <= 79 for line in out.splitlines()), "a line past 79 columns")
    out, _ = lastrec("help", "options", "--algo", "als")
    check(re.search(r"^\s+epochs\s+int\s+15\s", out, re.M), f"--algo als epochs:\n{out}")
    check(re.search(r"^\s+transform\s+int\s+bm25\s+0 raw, 1 log1p, 2 binary, 3 bm25$", out,
                    re.M), f"--algo als transform:\n{out}")
    out2, _ = lastrec("help", "options", "--algo=als")
    check(out2 == out, "--algo=als differs from --algo als")
    lastrec("help", "options", "--algo", "nope", status=2)
    # The table is what a model trained with no options resolves.
    data, _ = synth(tmp)
    for algo in ("mf", "bpr", "als"):
        hist = os.path.join(tmp, f"{algo}.json")
        lastrec("train", data, "--algo", algo, "-o", os.path.join(tmp, "m"), "--history", hist,
                "--epochs", "1")
        with open(hist) as f:
            o = json.load(f)["options"]
        out, _ = lastrec("help", "options", "--algo", algo)
        want = re.search(r"^\s+regularization\s+double\s+(\S+)", out, re.M).group(1)
        check(float(want) == o["regularization"], f"{algo}: {want} vs {o['regularization']}")


SCORES = {
    "pop": "the artist's fan count",
    "mf": "dot product of the listener's and the artist's embeddings",
    "als": "dot product of the listener's and the artist's embeddings",
    "bpr": "dot product of the listener's and the artist's embeddings, plus the artist's bias",
    "ease": "the item weights from each played artist to this one, times the transformed plays",
    "blend": "standardised item score + blend_weight x standardised dot",
    "softmax": "for an artist somebody played in training, its log-probability",
}


def test_scores(tmp):
    """Every results table says what its score is, for that model, and that
    it compares only within one model; --help links docs/queries.md#scores,
    which exists."""
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "..", "docs", "queries.md"), encoding="utf-8") as f:
        check(re.search(r"^## Scores$", f.read(), re.M), "docs/queries.md has no Scores section")
    for cmd in ("recommend", "similar"):
        out, _ = lastrec(cmd, "--help")
        check("docs/queries.md#scores" in out, f"{cmd} --help does not link the scores:\n{out}")
    data, _ = synth(tmp)
    user = t.read_tsv(os.path.join(data, "user_artists.dat"))[0][0]
    artist = t.read_tsv(os.path.join(data, "artists.dat"))[0][0]
    for algo, meaning in SCORES.items():
        model = os.path.join(tmp, f"{algo}.lrmodel")
        lastrec("train", data, "--algo", algo, "--epochs", "2", "-o", model)
        out, _ = lastrec("recommend", model, "--user", user, "-k", "3")
        flat = " ".join(out.split())
        check(f"score ({algo}): {meaning}" in flat and "within one model" in flat
              and "docs/queries.md#scores" in flat, f"recommend by {algo}:\n{out}")
        check(out.count("score (") == 1, f"the note more than once:\n{out}")
        doc = lastrec_json("recommend", model, "--user", user, "-k", "3")
        check(meaning in doc.get("score_meaning", ""), f"{algo} JSON: {doc.get('score_meaning')}")
        if algo == "pop":
            continue
        out, _ = lastrec("similar", model, artist, "--id", "-k", "3")
        flat = " ".join(out.split())
        check(f"score ({algo}):" in flat and "within one model" in flat, f"similar {algo}:\n{out}")
        if algo in ("mf", "als", "bpr"):
            check("dot product of the two artists' embeddings" in flat, f"similar {algo}:\n{out}")
            out, _ = lastrec("similar", model, artist, "--id", "--measure", "cosine")
            check("cosine of the two artists' embeddings" in out, f"cosine {algo}:\n{out}")


def test_version(tmp):
    """--version has one readable BLAS line: version, threading, core."""
    out, _ = lastrec("--version")
    lines = out.splitlines()
    check(re.match(r"lastrec \d+\.\d+\.\d+$", lines[0]), f"--version:\n{out}")
    blas = [line for line in lines if line.startswith("BLAS: ")]
    check(len(blas) == 1, f"not one BLAS line:\n{out}")
    check(re.match(r"BLAS: OpenBLAS \d+\.\d+\.\d+, (pthreads, \d+ threads?( \(max \d+\))?"
                   r"|OpenMP, \d+ threads?( \(max \d+\))?|sequential), core \w+", blas[0]),
          f"BLAS line: {blas[0]}")
    for noise in ("NO_LAPACKE", "MAX_THREADS=", "DYNAMIC_ARCH", "OpenBLAS OpenBLAS"):
        check(noise not in out, f"OpenBLAS's build flags in --version:\n{out}")
    # The thread count is OpenBLAS's own, as the environment sets it.
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    p = t.subprocess.run([harness.TOOL, "--version"], capture_output=True, text=True, env=env)
    check(", 1 thread" in p.stdout or "sequential" in p.stdout, f"one thread:\n{p.stdout}")


def write_hetrec(path, artists, tags, listens, tagged):
    """A small HetRec directory: artists [(id, name)], tags [(id, value)],
    listens [(user, artist, plays)], tagged [(user, artist, tag)]."""
    os.makedirs(path, exist_ok=True)
    files = {
        "artists.dat": ("id\tname\turl\tpictureURL", [(i, n, "", "") for i, n in artists]),
        "tags.dat": ("tagID\ttagValue", tags),
        "user_artists.dat": ("userID\tartistID\tweight", listens),
        "user_friends.dat": ("userID\tfriendID", [(1, 2), (2, 1)]),
        "user_taggedartists.dat": ("userID\tartistID\ttagID\tday\tmonth\tyear",
                                   [(u, a, t, 1, 5, 2009) for u, a, t in tagged]),
    }
    for name, (header, rows) in files.items():
        with open(os.path.join(path, name), "w", encoding="utf-8") as f:
            f.write(header + "\n")
            for r in rows:
                f.write("\t".join(str(x) for x in r) + "\n")


def test_tag_merge(tmp):
    """Tags that display alike ("hip hop", "hip-hop", "hiphop") are one
    entry, their uses summed, in the top tag and the tag lists."""
    data = os.path.join(tmp, "tags")
    artists = [(1, "Alpha"), (2, "Beta"), (3, "Gamma"), (4, "Delta")]
    tags = [(1, "hip hop"), (2, "hip-hop"), (3, "hiphop"), (4, "rock")]
    listens = [(u, a, 10 * u + a) for u in (1, 2, 3, 4) for a in (1, 2, 3, 4) if (u + a) % 4]
    tagged = [(1, 1, 1), (2, 1, 1), (3, 1, 2), (4, 1, 2), (1, 1, 3),
              (1, 1, 4), (2, 1, 4), (3, 1, 4), (1, 2, 4)]
    write_hetrec(data, artists, tags, listens, tagged)
    model = os.path.join(tmp, "pop.lrmodel")
    lastrec("train", data, "--algo", "pop", "-o", model, "--opt", "min_tag_uses=0")
    # The data keeps the raw tags: four kept.
    c = lastrec_json("info", data, "--opt", "min_tag_uses=0")["counts"]
    check(c["tags"] == 4, f"raw tags not kept: {c}")
    doc = lastrec_json("recommend", model, "--like", "id:4=1")
    alpha = [r for r in doc["results"] if r["artist_id"] == 1]
    check(alpha, f"Alpha not recommended: {doc}")
    a = alpha[0]
    check(a["top_tag"] == "HipHop", f"top tag {a['top_tag']} (Rock 3 beats each HipHop alone)")
    check(a["tags"] == [{"tag": "HipHop", "count": 5}, {"tag": "Rock", "count": 3}],
          f"tags of Alpha: {a['tags']}")
    out, _ = lastrec("recommend", model, "--like", "id:4=1")
    check(re.search(r"Alpha\s+\S+\s+HipHop\s", out), f"text top tag:\n{out}")
    # --tag finds the merged tag by any spelling.
    for spelling in ("hip hop", "hiphop", "Hip-Hop"):
        doc = lastrec_json("recommend", model, "--like", "id:4=1", "--tag", spelling)
        check([r["artist_id"] for r in doc["results"]] == [1], f"--tag {spelling}: {doc}")


TESTS = {name[5:].replace("_", "-"): fn for name, fn in globals().items()
         if name.startswith("test_")}



if __name__ == "__main__":
    sys.exit(harness.main(TESTS, "lastrec-newcomer-"))
