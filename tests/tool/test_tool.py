#!/usr/bin/env python3
"""Tests of the `lastrec` command-line tool, run on synthetic data that the
tool itself writes.  One test per invocation, so Meson reports each apart.

usage: test_tool.py LASTREC_BINARY TEST
Exit 0 pass, 1 fail, 77 skip.
"""
import json
import math
import os
import re
import statistics
import subprocess
import sys

import harness
from harness import (SKIP, SYNTH_ARGS, Failure, check, lastrec, lastrec_json,  # noqa: F401
                     read_tsv, run)


# The options each command must document in --help (docs/cli.md).
COMMAND_OPTIONS = {
    "info": ["--json", "--opt", "--help"],
    "analyze": ["--json", "--opt", "--help"],
    "synth": ["--users", "--artists", "--seed", "--format", "--opt", "--help"],
    "snapshot": ["--opt", "--help"],
    "train": ["--algo", "-o, --output", "--opt", "--train", "--validation", "--history",
              "--verbose", "--seed", "--threads", "--factors", "--epochs", "--help"],
    "eval": ["--algo", "--baseline", "--opt", "--train", "--test", "--holdout", "--seed", "-k",
             "--threads", "--factors", "--epochs", "--json", "--help"],
}

# Algorithms that must work; every other one lr_algorithm_lookup knows is
# checked as soon as it can be fitted.
REQUIRED = ["pop", "als"]
# What a library placeholder says (lib/model/*.c before an algorithm lands).
PLACEHOLDER = "not built yet"

def number(text):
    return int(text.replace(",", ""))


def synth(tmp, name="synthetic", args=SYNTH_ARGS):
    """Write a synthetic data set; returns its path and the counts that synth
    reported."""
    path = os.path.join(tmp, name)
    out, _ = lastrec("synth", path, *args)
    counts = {k: number(v) for v, k in
              re.findall(r"([\d,]+) (users|artists|user-artist pairs|tags|tag uses|friend pairs)",
                         out)}
    # "listens" is the JSON key (info's counts) for user-artist pairs.
    if "user-artist pairs" in counts:
        counts["listens"] = counts.pop("user-artist pairs")
    for k in ("users", "artists", "listens"):
        check(k in counts, f"synth did not report {k}: {out}")
    return path, counts


def close(a, b, rel=1e-9):
    return a is not None and math.isclose(a, b, rel_tol=rel, abs_tol=1e-9)


# ---------------------------------------------------------------- the tests


def test_help(tmp):
    for cmd, options in COMMAND_OPTIONS.items():
        for form in (["--help"], ["-h"]):
            out, _ = lastrec(cmd, *form)
            check(out.startswith(f"usage: lastrec {cmd}"), f"{cmd} {form}: {out}")
            for o in options:
                check(o in out, f"lastrec {cmd} --help does not mention {o}:\n{out}")
        out2, _ = lastrec("help", cmd)
        check(out2 == out, f"'lastrec help {cmd}' differs from '{cmd} --help'")
    for form in (["help"], ["--help"], ["-h"]):
        out, _ = lastrec(*form)
        for cmd in COMMAND_OPTIONS:
            check(re.search(rf"^\s+{cmd}\s", out, re.M), f"{form} does not list {cmd}")
    # --help wins over mistakes elsewhere on the line.
    out, _ = lastrec("info", "a", "b", "--bogus", "--help")
    check(out.startswith("usage: lastrec info"), f"--help after mistakes: {out}")
    out, _ = lastrec("help", "options")
    for key in ("min_tag_uses", "seed", "synth_users"):
        check(key in out, f"'help options' does not list {key}:\n{out}")
    out, _ = lastrec("--version")
    check(re.match(r"lastrec \d+\.\d+\.\d+\n", out), f"--version: {out}")


def test_usage(tmp):
    cases = [
        [],
        ["frobnicate"],
        ["info"],
        ["info", "a", "b"],
        ["info", tmp, "--bogus"],
        ["info", tmp, "-x"],
        ["info", tmp, "--json=yes"],
        ["info", tmp, "--opt"],
        ["info", tmp, "--opt", "no_such_option=1"],
        ["info", tmp, "--opt", "min_tag_uses=abc"],
        ["analyze"],
        ["snapshot", tmp],
        ["synth"],
        ["synth", tmp, "--users", "many"],
        ["synth", tmp, "--users"],
        ["synth", tmp, "--users", "-5"],
        ["help", "nothing"],
        ["--version", "extra"],
        ["train", tmp],
        ["train", tmp, "--algo", "pop"],
        ["train", tmp, "--algo", "nope", "-o", "m"],
        ["train", tmp, "--algo", "pop,als", "-o", "m"],
        ["train", tmp, "--algo", "pop", "-o"],
        ["train", tmp, "--algo", "pop", "-x", "m"],
        ["eval", tmp, "--algo", "pop"],
        ["eval", tmp, "--algo", "pop", "--train", "a"],
        ["eval", tmp, "--algo", "pop", "--test", "b"],
        ["eval", tmp, "--algo", "pop", "--train", "a", "--test", "b", "--holdout", "0.2"],
        ["eval", tmp, "--algo", "pop", "--holdout", "0"],
        ["eval", tmp, "--algo", "pop", "--holdout", "1.5"],
        ["eval", tmp, "--algo", "pop", "--holdout", "x"],
        ["eval", tmp, "--algo", "pop", "--holdout", "0.2", "-k", "0"],
        ["eval", tmp, "--algo", "pop", "--holdout", "0.2", "-k", "ten"],
        ["eval", tmp, "--algo", "pop", "--holdout", "0.2", "--threads", "-1"],
        ["eval", tmp, "--algo", "pop,,als", "--holdout", "0.2"],
        ["eval", tmp, "--algo", "nope", "--holdout", "0.2"],
        ["eval", tmp, "--holdout", "0.2"],
    ]
    for args in cases:
        _, err = lastrec(*args, status=2)
        check(err.strip(), f"lastrec {' '.join(args)}: nothing on stderr")
        check(args == [] or err.startswith("lastrec: "),
              f"lastrec {' '.join(args)}: stderr does not start with 'lastrec: ': {err}")


def test_missing(tmp):
    missing = os.path.join(tmp, "no-such-dir")
    for args in (["info", missing], ["analyze", missing],
                 ["snapshot", missing, os.path.join(tmp, "out.snap")]):
        out, err = lastrec(*args, status=1)
        check(err.startswith("lastrec: ") and missing in err,
              f"lastrec {' '.join(args)}: stderr lacks the path: {err}")
        check(out == "", f"lastrec {' '.join(args)}: printed to stdout: {out}")
    empty = os.path.join(tmp, "empty.dat")
    open(empty, "w").close()
    _, err = lastrec("info", empty, status=1)
    check("empty.dat" in err, f"an empty file: {err}")
    # Unwritable output: a snapshot into a directory that does not exist.
    data, _ = synth(tmp)
    _, err = lastrec("snapshot", data, os.path.join(missing, "x.snap"), status=1)
    check(err.startswith("lastrec: "), err)
    # Missing sides of a split, an unwritable model or history.
    gone = os.path.join(missing, "train.dat")
    for args in (["eval", data, "--algo", "pop", "--train", gone, "--test", gone],
                 ["train", data, "--algo", "pop", "--train", gone, "-o", "m"],
                 ["train", data, "--algo", "pop", "--validation", gone, "-o", "m"]):
        out, err = lastrec(*args, status=1)
        check(err.startswith("lastrec: ") and gone in err, f"{args}: {err}")
        check(out == "", f"{args}: printed {out!r}")
    hist = os.path.join(missing, "h.json")
    _, err = lastrec("train", data, "--algo", "pop", "--history", hist, "-o",
                     os.path.join(tmp, "m"), status=1)
    check(hist in err, f"unwritable history: {err}")
    _, err = lastrec("train", data, "--algo", "pop", "-o", os.path.join(missing, "m"), status=1)
    check(missing in err, f"unwritable model: {err}")


def test_info(tmp):
    data, reported = synth(tmp)
    info = lastrec_json("info", data)
    check(info["source"] == "hetrec", f"source {info['source']}")
    check(info["path"] == data, f"path {info['path']}")
    c = info["counts"]
    for key in ("users", "artists", "listens", "tags", "tags_in_file", "tags_dropped",
                "tag_uses", "tag_uses_in_file", "tag_uses_dropped", "tag_uses_unlistened",
                "artists_unlistened", "tag_uses_rare", "friend_rows", "friend_pairs",
                "latin1_fixes", "min_tag_uses"):
        check(isinstance(c.get(key), int) and c[key] >= 0, f"counts.{key} = {c.get(key)}")
    for key in ("users", "artists", "listens"):
        check(c[key] == reported[key], f"{key}: info {c[key]}, synth reported {reported[key]}")
    # Against the files themselves, counted here independently.
    check(c["listens"] == len(read_tsv(os.path.join(data, "user_artists.dat"))), "listens")
    check(c["artists"] == len(read_tsv(os.path.join(data, "artists.dat"))), "artists")
    check(c["tag_uses_in_file"] == len(read_tsv(os.path.join(data, "user_taggedartists.dat"))),
          "tag uses in file")
    check(c["friend_rows"] == len(read_tsv(os.path.join(data, "user_friends.dat"))),
          "friend rows")
    check(c["tag_uses_dropped"] == c["tag_uses_unlistened"] + c["tag_uses_rare"],
          "tag uses dropped = unlistened + rare")
    check(c["tag_uses"] + c["tag_uses_dropped"] == c["tag_uses_in_file"],
          "kept + dropped tag uses = file")
    check(c["min_tag_uses"] == 2, f"default min_tag_uses {c['min_tag_uses']}")
    names = [p["name"] for p in info["policies"]]
    check("rare_tags" in names and "symmetric_friends" in names, f"policies {names}")
    check(all(isinstance(p["summary"], str) and p["summary"] for p in info["policies"]),
          "every policy has a summary")
    out, err = lastrec("info", data)
    # No terminal here, so no progress line either.
    check(err == "", f"info wrote to stderr without a terminal: {err!r}")
    for key, label in (("users", "users"), ("artists", "artists"),
                       ("listens", "user-artist pairs"), ("plays", "plays")):
        m = re.search(rf"^\s+{label}\s+([\d,]+)\b", out, re.M)
        check(m and number(m.group(1)) == c[key], f"text info {key}:\n{out}")
    check("policies:" in out, f"text info lists no policies:\n{out}")


def test_options(tmp):
    data, _ = synth(tmp)
    base = lastrec_json("info", data)["counts"]
    loose = lastrec_json("info", data, "--opt", "min_tag_uses=0")["counts"]
    check(loose["min_tag_uses"] == 0, f"--opt min_tag_uses=0 gave {loose['min_tag_uses']}")
    check(loose["tag_uses_rare"] == 0, "min_tag_uses=0 drops no rare uses")
    check(loose["tags"] >= base["tags"], "min_tag_uses=0 keeps at least as many tags")
    strict = lastrec_json("info", data, "--opt", "min_tag_uses=1000000")["counts"]
    check(strict["tags"] == 0 and strict["tag_uses"] == 0, f"a huge min_tag_uses: {strict}")
    # Same seed, same files; --opt reaches synth as well.
    a, _ = synth(tmp, "a")
    b, _ = synth(tmp, "b")
    for f in sorted(os.listdir(a)):
        with open(os.path.join(a, f), "rb") as fa, open(os.path.join(b, f), "rb") as fb:
            check(fa.read() == fb.read(), f"synth with one seed differs in {f}")
    c, rep = synth(tmp, "c", ["--users", "80", "--artists", "300", "--opt", "synth_clusters=3"])
    check(rep["users"] == 80 and rep["artists"] == 300, f"synth reported {rep}")


def per_key_totals(rows, key_col, keys):
    totals = {k: 0 for k in keys}
    for r in rows:
        totals[r[key_col]] += int(r[2])
    return list(totals.values())


def check_listens_section(sec, values, cutoff, what):
    check(sec["count"] == len(values), f"{what}.count {sec['count']} != {len(values)}")
    check(close(sec["mean"], statistics.mean(values)), f"{what}.mean {sec['mean']}")
    check(close(sec["std"], statistics.stdev(values)), f"{what}.std (ddof=1) {sec['std']}")
    q = statistics.quantiles(values, n=4, method="inclusive")  # pandas' linear rule
    check(close(sec["quantiles"]["25%"], q[0]), f"{what} 25%")
    check(close(sec["quantiles"]["50%"], q[1]), f"{what} median")
    check(close(sec["quantiles"]["75%"], q[2]), f"{what} 75%")
    check(sec["quantiles"]["min"] == min(values) and sec["quantiles"]["max"] == max(values),
          f"{what} min/max")
    check(sec["cutoff"] == cutoff, f"{what}.cutoff {sec['cutoff']}")
    above = sum(v > cutoff for v in values)
    check(sec["above_cutoff"] == above, f"{what}.above_cutoff")
    hist = sec["histogram_below_cutoff"]["counts"]
    check(sum(hist) + above == len(values), f"{what}: histogram + above != count")


def test_analyze(tmp):
    data, reported = synth(tmp)
    an = lastrec_json("analyze", data)
    for key in ("user_listens", "artist_listens", "tagged_artists_per_user",
                "tag_sessions_per_user_artist", "repeated_tags", "friend_overlap"):
        check(key in an, f"analyze --json lacks {key}")
    listens = read_tsv(os.path.join(data, "user_artists.dat"))
    users = sorted({r[0] for r in listens})
    artists = [r[0] for r in read_tsv(os.path.join(data, "artists.dat"))]
    check(an["user_listens"]["count"] == reported["users"], "user_listens.count")
    check(an["artist_listens"]["count"] == reported["artists"], "artist_listens.count")
    check_listens_section(an["user_listens"], per_key_totals(listens, 0, users),
                          150000, "user_listens")
    check_listens_section(an["artist_listens"], per_key_totals(listens, 1, artists),
                          15000, "artist_listens")
    tagged = {}
    for u, a, *_ in read_tsv(os.path.join(data, "user_taggedartists.dat")):
        tagged.setdefault(u, set()).add(a)
    t = an["tagged_artists_per_user"]
    check(0 < t["users"] <= len(tagged), f"taggers {t['users']} of {len(tagged)} in the file")
    check(t["max"] >= t["mean"] >= 1, f"tagged artists per user {t}")
    check(0 <= t["users_tagging_one_artist"] <= t["users"], "users tagging one artist")
    s = an["tag_sessions_per_user_artist"]
    check(s["pairs"] > 0 and s["mean"] >= 1, f"tag sessions {s}")
    r = an["repeated_tags"]
    check(0 <= r["mean_share"] <= 1 and 0 <= r["median_share"] <= 1, f"repeated tags {r}")
    f = an["friend_overlap"]
    check(f["friend_pairs"] > 0 and f["random_pairs"] == f["friend_pairs"], f"pairs {f}")
    for m in ("jaccard", "cosine", "shared_artists"):
        for side in ("friends", "random"):
            v = f[m][side]
            check(isinstance(v["mean"], (int, float)) and isinstance(v["median"], (int, float)),
                  f"{m}.{side} {v}")
    # Friends are drawn by shared taste, so they overlap more than strangers.
    check(f["jaccard"]["friends"]["mean"] > f["jaccard"]["random"]["mean"],
          f"friends' Jaccard not above random: {f['jaccard']}")
    out, _ = lastrec("analyze", data)
    for title in ("Plays per user", "Plays per artist", "above 150,000",
                  "above 15,000", "Tagging", "Friends' taste overlap", "Jaccard", "cosine"):
        check(title in out, f"text analyze lacks '{title}':\n{out}")


def test_snapshot(tmp):
    data, _ = synth(tmp)
    snap = os.path.join(tmp, "data.snap")
    out, _ = lastrec("snapshot", data, snap)
    check(os.path.isfile(snap) and snap in out, f"snapshot: {out}")
    a = lastrec_json("info", data)
    b = lastrec_json("info", snap)
    check(b["source"] == "snapshot", f"source {b['source']}")
    check(a["counts"] == b["counts"], f"counts differ:\n{a['counts']}\n{b['counts']}")
    x = lastrec_json("analyze", data)
    y = lastrec_json("analyze", snap)
    for d in (x, y):
        d.pop("path"), d.pop("source")
    check(x == y, "analyze differs between the directory and its snapshot")
    # A snapshot of a snapshot is the same data again.
    snap2 = os.path.join(tmp, "again.snap")
    lastrec("snapshot", snap, snap2)
    check(lastrec_json("info", snap2)["counts"] == a["counts"], "snapshot of a snapshot")


def test_listens_file(tmp):
    data, reported = synth(tmp)
    path = os.path.join(data, "user_artists.dat")
    info = lastrec_json("info", path)
    check(info["source"] == "listens", f"source {info['source']}")
    c = info["counts"]
    check(c["listens"] == reported["listens"], "listens")
    check(c["users"] == reported["users"], "users")
    check(c["tags"] == 0 and c["friend_pairs"] == 0, f"a listens file has no tags or friends: {c}")
    an = lastrec_json("analyze", path)
    check(an["tagged_artists_per_user"]["users"] == 0, "no taggers")
    check(an["friend_overlap"]["friend_pairs"] == 0, "no friends")
    lastrec("analyze", path)


def test_json_escaping(tmp):
    # Quotes, backslashes, control characters and a byte that is not UTF-8
    # in the path must still give JSON that parses.
    name = b'we"ird\\ \t\x01 \xff caf\xc3\xa9'
    path = os.path.join(os.fsencode(tmp), name)
    subprocess.run([harness.TOOL, "synth", path, *SYNTH_ARGS], check=True, capture_output=True)
    for cmd in ("info", "analyze"):
        p = subprocess.run([harness.TOOL, cmd, path, "--json"], capture_output=True)
        check(p.returncode == 0, f"{cmd}: exit {p.returncode} {p.stderr!r}")
        try:
            doc = json.loads(p.stdout)
        except ValueError as e:
            raise Failure(f"{cmd} --json on an odd path is not JSON: {e}: {p.stdout[:300]!r}")
        # The byte that is not UTF-8 reads back as its Latin-1 character.
        got = doc["path"]
        check(got.endswith('we"ird\\ \t\x01 \xff café'), f"{cmd}: path read back as {got!r}")


# ------------------------------------------------------ train and eval


def write_listens(path, rows):
    with open(path, "w") as f:
        f.write("userID\tartistID\tweight\n")
        for u, a, w in rows:
            f.write(f"{u}\t{a}\t{w}\n")


def split_files(data, tmp):
    """A deterministic holdout of the synthetic listens, made here: every
    fourth artist of a user goes to test when someone earlier already keeps
    it in training, so train.dat alone is a catalogue that covers test.dat.
    Returns the two paths and the rows."""
    rows = [tuple(int(x) for x in r[:3]) for r in read_tsv(os.path.join(data, "user_artists.dat"))]
    rows.sort()
    kept, train, test = set(), [], []
    by_user = {}
    for u, a, w in rows:
        by_user.setdefault(u, []).append((a, w))
    for u in sorted(by_user):
        for i, (a, w) in enumerate(by_user[u]):
            if i % 4 == 1 and a in kept:
                test.append((u, a, w))
            else:
                train.append((u, a, w))
                kept.add(a)
    tr, te = os.path.join(tmp, "train.dat"), os.path.join(tmp, "test.dat")
    write_listens(tr, train)
    write_listens(te, test)
    return tr, te, train, test


def reference_metrics(artists, train, test, score, k):
    """docs/evaluation.md, written out plainly: rank every catalogue artist
    the user did not train on by (score desc, artist ID asc), take k."""
    seen_by = {}
    for u, a, _ in train:
        seen_by.setdefault(u, set()).add(a)
    held_by = {}
    for u, a, _ in test:
        held_by.setdefault(u, set()).add(a)
    sums = {"precision": 0, "recall": 0, "ndcg": 0, "map": 0, "hit_rate": 0}
    listed = set()
    for u in sorted(held_by):
        held = held_by[u]
        cands = sorted((a for a in artists if a not in seen_by.get(u, ())),
                       key=lambda a: (-score(u, a), a))
        top = cands[:k]
        listed.update(top)
        hits, dcg, ap = 0, 0.0, 0.0
        for r, a in enumerate(top, 1):
            if a in held:
                hits += 1
                dcg += 1 / math.log2(r + 1)
                ap += hits / r
        ideal = min(len(held), k)
        sums["precision"] += hits / k
        sums["recall"] += hits / len(held)
        sums["ndcg"] += dcg / sum(1 / math.log2(r + 1) for r in range(1, ideal + 1))
        sums["map"] += ap / ideal
        sums["hit_rate"] += hits > 0
    n = len(held_by)
    out = {key: v / n for key, v in sums.items()}
    out["coverage"] = len(listed) / len(artists)
    out["users"] = n
    return out


def fans(train):
    f = {}
    for _, a, _ in train:
        f[a] = f.get(a, 0) + 1
    return lambda u, a: f.get(a, 0)


def eval_json(*args, status=0):
    out, err = lastrec("eval", *args, "--json", status=status)
    try:
        return json.loads(out), err
    except ValueError as e:
        raise Failure(f"eval --json is not JSON: {e}\n{out[:2000]}")


def algorithms():
    """Every algorithm the library knows, as lr_algorithm_lookup lists them
    when asked for one it does not know."""
    _, err = lastrec("eval", "x", "--algo", "no-such-algorithm", "--holdout", "0.2", status=2)
    m = re.search(r"known: ([a-z0-9_, ]+)\)", err)
    check(m, f"no list of known algorithms in: {err}")
    names = [n.strip() for n in m.group(1).split(",")]
    check(all(a in names for a in REQUIRED), f"known algorithms {names}")
    return names


def working(algo, data, tmp):
    """Whether the library can fit `algo` yet: a placeholder says so, and
    only algorithms outside REQUIRED may be placeholders."""
    p = subprocess.run([harness.TOOL, "eval", data, "--algo", algo, "--holdout", "0.2", "--opt",
                        "epochs=2", "--json"], capture_output=True, stdin=subprocess.DEVNULL)
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode == 1 and PLACEHOLDER in err and algo not in REQUIRED:
        print(f"note: {algo} is not built yet; its checks did not run")
        return False
    check(p.returncode == 0, f"eval --algo {algo}: exit {p.returncode}\n{err}")
    return True


def held_out_tag_uses(data, test):
    """The tag assignments of DATA whose (user, artist) pair is held out:
    what the training side drops (docs/evaluation.md).  The synthetic data
    set writes only kept tags, so every row of its file is kept."""
    held = {(u, a) for u, a, _ in test}
    return sum((int(r[0]), int(r[1])) in held
               for r in read_tsv(os.path.join(data, "user_taggedartists.dat")))


def test_eval_held_out_tags(tmp):
    # `eval --train --test` drops the tags of the test file's pairs from the
    # training side and says how many, in text and JSON; the count is the
    # same whichever algorithm runs, and eval's own holdout reports it too.
    data, _ = synth(tmp)
    tr, te, train, test = split_files(data, tmp)
    want = held_out_tag_uses(data, test)
    doc, _ = eval_json(data, "--algo", "pop", "--train", tr, "--test", te)
    check(doc["split"]["train_tag_uses_held_out"] == want,
          f"train_tag_uses_held_out {doc['split']['train_tag_uses_held_out']}, want {want}")
    out, _ = lastrec("eval", data, "--algo", "pop", "--train", tr, "--test", te)
    line = f"tags:  {want:,} tag assignments of held-out pairs dropped from training"
    check(line in out, f"text eval lacks '{line}':\n{out}")
    doc, _ = eval_json(data, "--algo", "pop", "--holdout", "0.2")
    check(doc["split"]["train_tag_uses_held_out"] > 0, f"holdout split {doc['split']}")
    # A test file of untagged pairs drops nothing.
    tagged = {(int(r[0]), int(r[1]))
              for r in read_tsv(os.path.join(data, "user_taggedartists.dat"))}
    untagged = [r for r in test if (r[0], r[1]) not in tagged]
    te2 = os.path.join(tmp, "untagged.dat")
    write_listens(te2, untagged)
    doc, _ = eval_json(data, "--algo", "pop", "--train", tr, "--test", te2)
    check(doc["split"]["train_tag_uses_held_out"] == 0, f"untagged test {doc['split']}")


def test_eval_metrics(tmp):
    # The tool's numbers for popularity equal the protocol computed here
    # from the files, on a catalogue with artists nobody trained on.
    data, reported = synth(tmp)
    tr, te, train, test = split_files(data, tmp)
    artists = sorted(int(r[0]) for r in read_tsv(os.path.join(data, "artists.dat")))
    held_tags = held_out_tag_uses(data, test)
    check(held_tags > 0, "the synthetic split holds out no tagged pair")
    for k in (10, 3, 50):
        doc, _ = eval_json(data, "--algo", "pop", "--train", tr, "--test", te, "-k", str(k))
        check(doc["k"] == k and doc["artists"] == len(artists), f"header {doc}")
        check(doc["split"] == {"method": "files", "train": tr, "test": te,
                               "train_listens": len(train), "test_listens": len(test),
                               "train_tag_uses_held_out": held_tags},
              f"split {doc['split']}")
        (row,) = doc["results"]
        want = reference_metrics(artists, train, test, fans(train), k)
        check(row["algorithm"] == "pop" and doc["failed"] == [], f"rows {doc}")
        check(doc["users"] == want["users"] == row["users"], f"users {doc['users']} {want}")
        for key in ("precision", "recall", "ndcg", "map", "hit_rate", "coverage"):
            check(close(row[key], want[key], 1e-12), f"k={k} {key}: tool {row[key]}, "
                  f"protocol {want[key]}")
        check(row["rmse"] is None, f"pop has no RMSE: {row['rmse']}")
        # Cold artists: held out, and nobody's in training.  Popularity
        # gives them no fans, so it never finds one.
        trained = {a for _, a, _ in train}
        cold = [(u, a) for u, a, _ in test if a not in trained]
        check(row["cold_pairs"] == len(cold) and row["cold_users"] == len({u for u, _ in cold}),
              f"cold pairs {row['cold_pairs']} of {row['cold_users']} users, want {len(cold)} "
              f"of {len({u for u, _ in cold})}")
        check(row["cold_recall"] == (0 if cold else None), f"pop cold recall {row['cold_recall']}")
        check(row["fit_seconds"] >= 0 and row["eval_seconds"] >= 0, "times")
        check(row["options"]["seed"] == 42, f"options {row['options']}")


def test_eval_holdout(tmp):
    data, reported = synth(tmp)
    listens = read_tsv(os.path.join(data, "user_artists.dat"))
    per_user = {}
    for r in listens:
        per_user[r[0]] = per_user.get(r[0], 0) + 1
    # The protocol's rule (docs/evaluation.md): max(1, round(0.2 n)) of n >= 2 artists.
    held = sum(max(1, math.floor(0.2 * n + 0.5)) for n in per_user.values() if n >= 2)
    a, _ = eval_json(data, "--algo", "pop", "--holdout", "0.2", "--seed", "3")
    check(a["split"]["method"] == "per_user_holdout" and a["split"]["seed"] == 3, f"{a['split']}")
    check(a["split"]["test_listens"] == held, f"test listens {a['split']['test_listens']}, "
          f"want {held}")
    check(a["split"]["train_listens"] + held == len(listens), "the sides partition the listens")
    check(a["users"] == sum(n >= 2 for n in per_user.values()), f"users {a['users']}")
    (row,) = a["results"]
    check(all(key in row for key in ("cold_recall", "cold_users", "cold_pairs")),
          f"eval --json lacks the cold-artist keys: {row}")
    check(row["cold_pairs"] >= row["cold_users"] > 0 and row["cold_recall"] == 0,
          f"pop on cold artists: {row}")
    b, _ = eval_json(data, "--algo", "pop", "--holdout", "0.2", "--seed", "3")
    c, _ = eval_json(data, "--algo", "pop", "--holdout", "0.2", "--seed", "4")
    strip = lambda d: [{k: v for k, v in r.items() if not k.endswith("seconds")}
                       for r in d["results"]]
    check(strip(a) == strip(b), "one seed, two different results")
    check(strip(a) != strip(c), "seeds 3 and 4 gave the same holdout")
    # The text form: a header line per metric at k, one row per algorithm.
    out, _ = lastrec("eval", data, "--algo", "pop", "--holdout", "0.25", "-k", "5")
    for label in ("P@5", "R@5", "NDCG@5", "MAP@5", "HR@5", "Cov@5", "ColdR@5", "fit s",
                  "eval s", "are of artists nobody played in training"):
        check(label in out, f"text eval lacks {label}:\n{out}")
    check("per-user holdout 0.25, seed 42" in out, f"text eval split line:\n{out}")
    rows = [l for l in out.splitlines() if l.startswith("pop ")]
    check(len(rows) == 1, f"one pop row:\n{out}")
    check("RMSE" not in out, f"RMSE column without an mf row:\n{out}")


def test_eval_algorithms(tmp):
    data, _ = synth(tmp)
    tr, te, train, test = split_files(data, tmp)
    known = algorithms()
    algos = [a for a in known if working(a, data, tmp)]
    # Several algorithms, as repeated and comma-separated --algo, in order,
    # each once; --baseline puts pop first when it is not there.
    others = [a for a in algos if a != "pop"]
    args = [data, "--train", tr, "--test", te, "--opt", "epochs=3", "--threads", "1"]
    doc, _ = eval_json(*args, "--algo", ",".join(others), "--algo", others[0], "--baseline")
    names = [r["algorithm"] for r in doc["results"]]
    check(names == ["pop"] + others, f"rows {names}, want {['pop'] + others}")
    pop = doc["results"][0]
    for r in doc["results"]:
        for key in ("precision", "recall", "ndcg", "map", "hit_rate", "coverage"):
            check(isinstance(r[key], float) and 0 <= r[key] <= 1, f"{r['algorithm']} {key}")
        check(r["users"] == pop["users"], "every row evaluates the same users")
        # RMSE belongs to the model that regresses listen weights.
        check((r["rmse"] is not None) == (r["algorithm"] == "mf"), f"{r['algorithm']} rmse")
    # The learned models beat popularity on clustered synthetic taste.
    if "als" in others:
        als = next(r for r in doc["results"] if r["algorithm"] == "als")
        check(als["ndcg"] > pop["ndcg"], f"als NDCG {als['ndcg']} <= pop {pop['ndcg']}")
        check(als["options"]["epochs"] == 3, f"--opt reaches the model: {als['options']}")
    # Threads change nothing but the time.
    two, _ = eval_json(*args[:-1], "2", "--algo", ",".join(algos))
    one, _ = eval_json(*args, "--algo", ",".join(algos))
    for a, b in zip(one["results"], two["results"]):
        if a["algorithm"] == "bpr":
            continue  # bpr's model is fixed per thread count: 1 and 2 threads differ
        for key in ("precision", "recall", "ndcg", "map", "hit_rate", "coverage", "rmse"):
            check(a[key] == b[key], f"{a['algorithm']} {key}: 1 thread {a[key]}, 2 {b[key]}")
    # The table has an RMSE column exactly when mf is in it.
    out, _ = lastrec("eval", *args, "--algo", ",".join(algos))
    check(("RMSE" in out) == ("mf" in algos), f"RMSE column:\n{out}")
    for a in algos:
        check(re.search(rf"^{a}\s+\d\.\d{{4}}", out, re.M), f"no {a} row:\n{out}")
    # An algorithm that cannot be fitted yet fails alone: the others print,
    # the status says so.
    broken = [a for a in known if a not in algos]
    if broken:
        doc, err = eval_json(*args, "--algo", f"pop,{broken[0]}", status=1)
        check([r["algorithm"] for r in doc["results"]] == ["pop"], f"{doc['results']}")
        check(doc["failed"][0]["algorithm"] == broken[0] and PLACEHOLDER in doc["failed"][0]["error"],
              f"failed {doc['failed']}")
        check(err.startswith("lastrec: ") and broken[0] in err, f"stderr {err}")


def train_model(args, out):
    """Run train; the model is saved, or (until model files land) the save
    fails with the library's message.  Returns (saved, stdout)."""
    p = subprocess.run([harness.TOOL, "train", *args, "-o", out], capture_output=True,
                       stdin=subprocess.DEVNULL)
    o = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode == 1 and "model files" in err and PLACEHOLDER in err:
        check(not os.path.exists(out), "a failed save left a file")
        check(o == "", f"a failed train printed {o!r}")
        return False, o
    check(p.returncode == 0, f"train {' '.join(args)}: exit {p.returncode}\n{err}")
    check(os.path.getsize(out) > 0, "empty model file")
    check(o.startswith(out + ": "), f"train's line does not name the model: {o!r}")
    return True, o


def read_history(path):
    with open(path) as f:
        return json.load(f)


HISTORY_KEYS = {"epoch", "loss", "loss_observed", "loss_l2", "loss_gravity", "val_loss",
                "val_ndcg", "val_precision", "seconds"}


def test_train(tmp):
    data, _ = synth(tmp)
    tr, te, train, test = split_files(data, tmp)
    hist = os.path.join(tmp, "pop.json")
    model = os.path.join(tmp, "pop.lrmodel")
    # Fit on a split's training side, validate on its held-out side.
    saved, out = train_model([data, "--algo", "pop", "--train", tr, "--validation", te,
                              "--history", hist], model)
    if saved:
        check("pop model" in out and "1 epoch" in out and "validation NDCG@10" in out,
              f"train's line: {out}")
    h = read_history(hist)
    check(h["algorithm"] == "pop" and h["epochs"] == 1 and len(h["history"]) == 1, f"{h}")
    e = h["history"][0]
    check(set(e) == HISTORY_KEYS, f"history keys {sorted(e)}")
    check(e["loss"] is None and e["val_loss"] is None, "pop has no losses")
    check(e["seconds"] >= 0, "seconds")
    # The validation metrics are lr_evaluate's at eval_k = 10 on the same
    # sides, which `lastrec eval` shows; both equal the protocol's.
    doc, _ = eval_json(data, "--algo", "pop", "--train", tr, "--test", te)
    check(e["val_ndcg"] == doc["results"][0]["ndcg"], f"val_ndcg {e['val_ndcg']}")
    check(e["val_precision"] == doc["results"][0]["precision"], "val_precision")
    artists = sorted(int(r[0]) for r in read_tsv(os.path.join(data, "artists.dat")))
    want = reference_metrics(artists, train, test, fans(train), 10)
    check(close(e["val_ndcg"], want["ndcg"], 1e-12), f"val_ndcg {e['val_ndcg']} {want['ndcg']}")
    # Without a validation set those columns are null; eval_k moves k.
    train_model([data, "--algo", "pop", "--history", hist, "--opt", "eval_k=5"], model)
    e = read_history(hist)["history"][0]
    check(e["val_ndcg"] is None, "val_ndcg without a validation set")
    check(read_history(hist)["options"]["eval_k"] == 5, "options in the history")
    # Validating on listens that are also trained on measures nothing: said.
    p = subprocess.run([harness.TOOL, "train", data, "--algo", "pop", "--validation", te, "-o", model],
                       capture_output=True, text=True)
    check("warning" in p.stderr and "never be hits" in p.stderr, f"no overlap warning: {p.stderr}")
    # Progress: nothing on stderr in a pipe, one line per epoch with --verbose.
    p = subprocess.run([harness.TOOL, "train", data, "--algo", "pop", "-o", model], capture_output=True)
    check(b"epoch" not in p.stderr, f"progress in a pipe: {p.stderr!r}")
    p = subprocess.run([harness.TOOL, "train", data, "--algo", "pop", "-o", model, "--verbose"],
                       capture_output=True)
    check(b"pop: epoch 1/1" in p.stderr, f"--verbose: {p.stderr!r}")
    # A listens file is a catalogue too (users and artists, no tags).
    train_model([tr, "--algo", "pop", "--validation", te], model)
    # A validation file with an ID the catalogue lacks names the line.
    bad = os.path.join(tmp, "bad.dat")
    write_listens(bad, [(999999, train[0][1], 1)])
    _, err = lastrec("train", data, "--algo", "pop", "--validation", bad, "-o", model, status=1)
    check("bad.dat" in err and "999999" in err, f"unknown user in validation: {err}")


def test_train_algorithms(tmp):
    data, _ = synth(tmp)
    tr, te, train, test = split_files(data, tmp)
    for algo in algorithms():
        if algo == "pop" or not working(algo, data, tmp):
            continue
        hist = os.path.join(tmp, f"{algo}.json")
        train_model([data, "--train", tr, "--algo", algo, "--validation", te, "--history", hist,
                     "--opt", "epochs=3,threads=1"], os.path.join(tmp, f"{algo}.lrmodel"))
        h = read_history(hist)
        check(h["algorithm"] == algo and h["options"]["epochs"] == 3, f"{algo}: {h['options']}")
        rows = h["history"]
        check(len(rows) >= 1 and all(set(r) == HISTORY_KEYS for r in rows), f"{algo} rows")
        check([r["epoch"] for r in rows] == list(range(1, len(rows) + 1)), "epochs numbered")
        check(all(isinstance(r["loss"], float) and math.isfinite(r["loss"]) for r in rows),
              f"{algo}: training loss {[r['loss'] for r in rows]}")
        check(all(0 <= r["val_ndcg"] <= 1 and 0 <= r["val_precision"] <= 1 for r in rows),
              f"{algo}: validation metrics")
        times = [r["seconds"] for r in rows]
        check(times == sorted(times), f"{algo}: seconds not increasing {times}")
        # The validation loss exists for models with a per-pair target
        # (docs/evaluation.md): mf's weights, als's preference.
        has_loss = algo in ("mf", "als")
        check(all((r["val_loss"] is not None) == has_loss for r in rows),
              f"{algo}: val_loss {[r['val_loss'] for r in rows]}")
        # The last epoch's validation numbers are lr_evaluate's on the model
        # that `eval` fits with the same options (same seed, one thread).
        doc, _ = eval_json(data, "--algo", algo, "--train", tr, "--test", te,
                           "--opt", "epochs=3,threads=1")
        r = doc["results"][0]
        check(rows[-1]["val_ndcg"] == r["ndcg"], f"{algo}: val_ndcg {rows[-1]['val_ndcg']}, "
              f"eval {r['ndcg']}")
        if algo == "mf":
            check(close(rows[-1]["val_loss"], r["rmse"] ** 2, 1e-9),
                  f"mf: val_loss {rows[-1]['val_loss']} is not RMSE² {r['rmse'] ** 2}")
        if algo == "als":
            check(len(rows) == 3, f"als ran {len(rows)} sweeps of 3")
            check(rows[-1]["val_ndcg"] > 0, "als learned nothing")


def test_real_data(tmp):
    data = os.environ.get("LASTREC_DATA")
    if not data:
        print("SKIP: LASTREC_DATA is unset; the real-data checks did not run")
        return SKIP
    out, _ = lastrec("info", data)
    for key, want in (("users", "1,892"), ("artists", "17,632"), ("user-artist pairs", "92,834")):
        check(re.search(rf"^\s+{key}\s+{want}\b", out, re.M), f"info {key} is not {want}:\n{out}")
    c = lastrec_json("info", data)["counts"]
    want = {"users": 1892, "artists": 17632, "listens": 92834, "tags_in_file": 11946,
            "tag_uses_in_file": 186479, "friend_rows": 25434, "friend_pairs": 12717,
            "tag_uses_unlistened": 1538, "artists_unlistened": 390}
    for k, v in want.items():
        check(c[k] == v, f"real data {k}: {c[k]}, want {v}")
    split = os.environ.get("LASTREC_SPLIT")
    if split:
        # Popularity on the dev split: its exact figures check the metrics and ties.
        doc, _ = eval_json(data, "--algo", "pop", "--train", os.path.join(split, "train.dat"),
                           "--test", os.path.join(split, "test.dat"))
        r = doc["results"][0]
        check(doc["users"] == 1884 and doc["artists"] == 17632, f"dev split: {doc}")
        check(abs(r["precision"] - 0.0713) <= 0.0005, f"pop P@10 {r['precision']}")
        check(abs(r["ndcg"] - 0.0808) <= 0.0005, f"pop NDCG@10 {r['ndcg']}")
    else:
        print("note: LASTREC_SPLIT is unset; the dev-split check did not run")
    an = lastrec_json("analyze", data)
    # The notebook's figures (pandas, std with ddof=1).
    for sec, key, v in (("user_listens", "mean", 36566.583), ("user_listens", "std", 48744.552),
                        ("artist_listens", "mean", 3923.774), ("artist_listens", "std", 34099.342)):
        check(abs(an[sec][key] - v) < 0.001, f"real data {sec}.{key}: {an[sec][key]}, want {v}")


def test_special_files(tmp):
    """Issue 14, items 1, 3 to 5 and 7: FIFOs are refused at once, every
    file the tool writes goes through a temporary name and a rename, a
    symbolic link stays a link, a device is written to, not replaced."""
    import shutil
    import stat
    import time
    data, _ = synth(tmp)
    # A FIFO in place of a data file, of the data, of a model.
    fifo_dir = os.path.join(tmp, "fifo-data")
    shutil.copytree(data, fifo_dir)
    os.unlink(os.path.join(fifo_dir, "user_friends.dat"))
    os.mkfifo(os.path.join(fifo_dir, "user_friends.dat"))
    fifo = os.path.join(tmp, "fifo")
    os.mkfifo(fifo)
    for args in (["info", fifo_dir], ["analyze", fifo_dir], ["info", fifo],
                 ["recommend", fifo, "--user", "1"], ["train", data, "--algo", "pop", "--train", fifo, "-o",
                                                      os.path.join(tmp, "x")]):
        t0 = time.monotonic()
        p = subprocess.run([harness.TOOL, *args], capture_output=True, text=True, timeout=60)
        check(p.returncode == 1 and "regular file" in p.stderr,
              f"lastrec {' '.join(args)}: exit {p.returncode}: {p.stderr}")
        check(time.monotonic() - t0 < 30, f"lastrec {' '.join(args)} took long")
    check("user_friends.dat: not a regular file" in
          run("info", fifo_dir)[2], "the FIFO's name in the message")
    # A model or snapshot given where the other is read: what it is, who reads it.
    model = os.path.join(tmp, "m.lrmodel")
    lastrec("train", data, "--algo", "pop", "-o", model)
    _, err = lastrec("info", model, status=1)
    check("a model file" in err and "lastrec recommend" in err, f"info on a model: {err}")
    snap = os.path.join(tmp, "d.snap")
    lastrec("snapshot", data, snap)
    _, err = lastrec("recommend", snap, "--user", "1", status=1)
    check("snapshot" in err and "not a model file" in err, f"recommend on a snapshot: {err}")
    # -o and --history through symbolic links: the files they name change,
    # the links stay links, and no temporary is left anywhere.
    out = os.path.join(tmp, "out")
    os.mkdir(out)
    os.symlink("real.lrmodel", os.path.join(out, "link.lrmodel"))       # dangling at first
    os.symlink("real.json", os.path.join(out, "link.json"))
    for _ in range(2):
        lastrec("train", data, "--algo", "pop", "-o", os.path.join(out, "link.lrmodel"),
                "--history", os.path.join(out, "link.json"))
        for name in ("link.lrmodel", "link.json"):
            check(os.path.islink(os.path.join(out, name)), f"{name} is no longer a link")
        check(read_history(os.path.join(out, "real.json"))["algorithm"] == "pop", "history")
        check(sorted(os.listdir(out)) == ["link.json", "link.lrmodel", "real.json",
                                          "real.lrmodel"], f"left over: {os.listdir(out)}")
    lastrec("recommend", os.path.join(out, "link.lrmodel"), "--user",
            read_tsv(os.path.join(data, "user_artists.dat"))[0][0])
    # A device is written to, never renamed over.
    lastrec("train", data, "--algo", "pop", "-o", "/dev/null", "--history", "/dev/null")
    check(stat.S_ISCHR(os.stat("/dev/null").st_mode), "/dev/null is no longer a device")
    # A full device: the history's write error is reported, not ignored.
    if os.path.exists("/dev/full"):
        _, err = lastrec("train", data, "--algo", "pop", "-o", model, "--history", "/dev/full",
                         status=1)
        check("/dev/full" in err and "write failed" in err, f"/dev/full: {err}")
    # A history whose target is a directory is refused, and leaves nothing.
    _, err = lastrec("train", data, "--algo", "pop", "-o", model, "--history", out, status=1)
    check("is a directory" in err, f"history onto a directory: {err}")
    # A name of NAME_MAX bytes: model, history and split sides all written.
    longest = os.pathconf(tmp, "PC_NAME_MAX")
    long_dir = os.path.join(tmp, "long")
    os.mkdir(long_dir)
    name = "m" * longest
    lastrec("train", data, "--algo", "pop", "-o", os.path.join(long_dir, name),
            "--history", os.path.join(long_dir, name[:-5] + ".json"))
    check(sorted(os.listdir(long_dir)) == sorted([name, name[:-5] + ".json"]),
          f"long names: {[n[-12:] for n in os.listdir(long_dir)]}")
    # split writes through the same rules: no temporaries, both sides whole.
    sp = os.path.join(tmp, "split")
    lastrec("split", data, sp, "--seed", "3")
    check(sorted(os.listdir(sp)) == ["test.dat", "train.dat"], f"split: {os.listdir(sp)}")


def test_address_space_limit(tmp):
    """Issue 14, item 2: under an address-space limit (ulimit -v) that leaves
    no room for OpenBLAS's 128 MB work buffer, training fails at once with a
    message saying so instead of hanging in OpenBLAS; pop, which makes no
    BLAS call, still trains and the process still exits."""
    import resource
    ldd = subprocess.run(["ldd", harness.TOOL], capture_output=True, text=True).stdout
    if "libasan" in ldd or "libtsan" in ldd:
        print("note: a sanitizer reserves terabytes of address space; skipped")
        return SKIP
    data, _ = synth(tmp)
    limit = 150 * 1000 * 1000

    def limited():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")}
    for algo, status in (("pop", 0), ("als", 1), ("ease", 1)):
        try:
            p = subprocess.run([harness.TOOL, "train", data, "--algo", algo, "-o",
                                os.path.join(tmp, f"{algo}.lrmodel")], capture_output=True,
                               text=True, timeout=120, preexec_fn=limited, env=env)
        except subprocess.TimeoutExpired:
            raise Failure(f"train --algo {algo} under a 150 MB limit hung")
        check(p.returncode == status, f"{algo} under 150 MB: exit {p.returncode}: {p.stderr}")
        if status:
            check(f"lastrec: {algo}: out of memory: OpenBLAS needs" in p.stderr
                  and "ulimit -v" in p.stderr, f"{algo}: {p.stderr}")


def test_info_address_space_limit(tmp):
    """Issue 14, item 2: every out-of-memory message names what was being
    allocated and how much.  lastrec info on a synthetic data set of 22 MB,
    under address-space limits from the lowest that lets it finish down to
    where the program no longer starts: each run ends (no hang, no signal),
    and each out-of-memory message reads "out of memory: 11.9 MB (11935327
    bytes) for the contents of .../user_artists.dat"."""
    import resource
    ldd = subprocess.run(["ldd", harness.TOOL], capture_output=True, text=True).stdout
    if "libasan" in ldd or "libtsan" in ldd:
        print("note: a sanitizer reserves terabytes of address space; skipped")
        return SKIP
    data, _ = synth(tmp, args=["--users", "20000", "--artists", "50000"])
    # One BLAS thread, as the tool would restart itself with: OpenBLAS's
    # second thread maps a stack and buffers before main and would move
    # the floor up to where the data's own allocations fit.
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")

    def info(limit):
        def limited():
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        try:
            p = subprocess.run([harness.TOOL, "info", data], capture_output=True, text=True,
                               timeout=60, preexec_fn=limited, env=env)
        except subprocess.TimeoutExpired:
            raise Failure(f"info under a {limit} byte limit hung")
        check(p.returncode >= 0, f"info under {limit} bytes: signal {-p.returncode}: {p.stderr}")
        return p

    mb = 1 << 20
    lo, hi = 16 * mb, 1024 * mb  # fails (the libraries do not load), finishes
    check(info(hi).returncode == 0, "info under 1 GiB failed")
    while hi - lo > mb // 4:
        mid = (lo + hi) // 2
        if info(mid).returncode == 0:
            hi = mid
        else:
            lo = mid
    named = set()
    said = re.compile(r"out of memory: [\d.]+ (bytes|[kMGTPE]B)"
                      r"( \(\d+ bytes\)| \(\d+ x \d+( bytes)?\))? for (\S.{4,})$")
    for step in range(1, 40):
        p = info(hi - step * mb)
        if not p.stderr.startswith("lastrec:"):
            break  # the loader or OpenBLAS, before lastrec runs
        check(p.returncode == 1, f"info under {hi - step * mb}: exit {p.returncode}: {p.stderr}")
        for line in p.stderr.splitlines():
            if "out of memory" in line:
                m = said.search(line)
                check(m is not None, f"a message without what and how much: {line}")
                named.add(m.group(4))
    print(f"note: info finishes from {hi / mb:.1f} MiB; below it: {sorted(named)}")
    # 22 MB of files: reading, parsing and building fail one after another
    check(len(named) >= 3, f"only {sorted(named)} named below {hi / mb:.1f} MiB")


def expected_360k(path):
    """What loading a lastfm-360K plays file must count, worked out here
    from docs/formats.md's rules alone: (rows, bad lines, pairs, spellings
    merged).  Python's lower() folds more scripts than the loader, which
    the synthetic names (ASCII case swapped) never show."""
    hexd = set("0123456789abcdefABCDEF")
    rows, bad = [], 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\r\n").split("\t")
            ok = (len(fields) == 4 and len(fields[0]) == 40 and set(fields[0]) <= hexd
                  and fields[3].isdigit() and int(fields[3]) > 0)
            if not ok:
                bad += 1
                continue
            rows.append((fields[0].lower(), fields[1].lower(), fields[2]))
    key = lambda name: " ".join(name.split()).lower()  # noqa: E731
    owners = {}
    for _, mbid, name in rows:
        if mbid:
            owners.setdefault(key(name), set()).add(mbid)
    def artist(mbid, name):
        if mbid:
            return "m:" + mbid
        o = owners.get(key(name), set())
        return "m:" + next(iter(o)) if len(o) == 1 else "n:" + key(name)
    spellings = {(m, n) for _, m, n in rows}
    artists = {artist(m, n) for m, n in spellings}
    pairs = {(u, artist(m, n)) for u, m, n in rows}
    return len(rows), bad, len(pairs), len(spellings) - len(artists)


def test_lastfm360k(tmp):
    data = os.path.join(tmp, "l360")
    out, _ = lastrec("synth", data, "--format", "lastfm-360k", "--users", "300",
                     "--artists", "900", "--opt", "synth_bad_lines=2")
    check("lastfm-360K" in out, f"synth said: {out}")
    plays = os.path.join(data, "usersha1-artmbid-artname-plays.tsv")
    check(os.path.exists(os.path.join(data, "usersha1-profile.tsv")), "no profile file")
    rows, bad, pairs, spellings = expected_360k(plays)
    check(bad == 2, f"{bad} bad lines planted, want 2")
    # Refused at the first bad line, naming it.
    _, err = lastrec("info", data, status=1)
    check(re.search(r"usersha1-artmbid-artname-plays\.tsv:\d+: 3 fields, expected 4", err),
          f"no file:line message: {err}")
    info = lastrec_json("info", data, "--opt", "skip_bad_lines=1")
    c = info["counts"]
    check(info["source"] == "lastfm360k", f"source {info['source']}")
    check(c["users"] == 300 and c["artists"] == 900, f"counts {c}")
    check(c["bad_lines_skipped"] == 2, f"bad lines {c['bad_lines_skipped']}")
    check(c["profiles"] == 300, f"profiles {c['profiles']}")
    check(c["listens"] == pairs, f"pairs {c['listens']}, want {pairs}")
    check(c["rows_summed"] == rows - pairs, f"rows summed {c['rows_summed']}, want {rows - pairs}")
    check(c["rows_summed"] > 0 and c["spellings_merged"] > 0, f"no quirk planted: {c}")
    check(c["spellings_merged"] == spellings,
          f"spellings merged {c['spellings_merged']}, want {spellings}")
    out, _ = lastrec("info", data, "--opt", "skip_bad_lines=1")
    for label, key in (("rows summed", "rows_summed"), ("spellings merged", "spellings_merged"),
                       ("bad lines skipped", "bad_lines_skipped")):
        m = re.search(rf"^\s+{label}\s+([\d,]+)\b", out, re.M)
        check(m and number(m.group(1)) == c[key], f"text info {label}:\n{out}")
    # The other commands load it unchanged.
    model = os.path.join(tmp, "l360.lrmodel")
    lastrec("train", data, "--algo", "als", "--epochs", "3", "--factors", "8", "-o", model,
            "--opt", "skip_bad_lines=1")
    out, _ = lastrec("recommend", model, "--user", "1")
    check(len(out.strip().splitlines()) >= 5, f"recommend printed:\n{out}")
    # The same seed writes the same bytes.
    again = os.path.join(tmp, "again")
    lastrec("synth", again, "--format", "lastfm-360k", "--users", "300", "--artists", "900",
            "--opt", "synth_bad_lines=2")
    for name in ("usersha1-artmbid-artname-plays.tsv", "usersha1-profile.tsv"):
        with open(os.path.join(data, name), "rb") as a, open(os.path.join(again, name), "rb") as b:
            check(a.read() == b.read(), f"{name} differs between two runs")
    lastrec("synth", again, "--format", "nope", status=2)


TESTS = {name[5:].replace("_", "-"): fn for name, fn in globals().items()
         if name.startswith("test_")}



if __name__ == "__main__":
    sys.exit(harness.main(TESTS, "lastrec-tool-"))
