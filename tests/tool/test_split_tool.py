#!/usr/bin/env python3
"""Tests of `lastrec split` (docs/cli.md#lastrec-split), on synthetic data
the tool writes itself, and on the real data when LASTREC_DATA is set.

usage: test_split_tool.py LASTREC_BINARY TEST
Exit 0 pass, 1 fail, 77 skip.
"""
import collections
import json
import math
import os
import re
import sys

import harness
from harness import (SKIP, SYNTH_ARGS, Failure, check, lastrec, lastrec_json,  # noqa: F401
                     read_tsv, run)

HEADER = "userID\tartistID\tweight\n"


def synth(tmp):
    path = os.path.join(tmp, "synthetic")
    lastrec("synth", path, *SYNTH_ARGS)
    return path


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def listens(path, ours=True):
    """The rows of a user_artists.dat-format file as (user, artist, weight)
    integers, checking the format on the way: the exact header, three
    tab-separated whole numbers per row, LF endings, rows sorted by user
    and then artist.  Input files (ours=False) may end lines in CRLF, as
    the real data does."""
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    if not ours:
        text = text.replace("\r\n", "\n")
    check(text.startswith(HEADER), f"{path}: header is not {HEADER!r}: {text[:40]!r}")
    check(text.endswith("\n"), f"{path}: the last line has no LF")
    rows = []
    for n, line in enumerate(text[len(HEADER):].split("\n")[:-1], start=2):
        check(re.fullmatch(r"\d+\t\d+\t\d+", line), f"{path}:{n}: not three whole numbers: {line!r}")
        rows.append(tuple(int(x) for x in line.split("\t")))
    check(rows == sorted(rows), f"{path}: rows are not sorted by user, then artist")
    return rows


def half_up(x):
    """round() as the protocol means it: halves away from zero."""
    return math.floor(x + 0.5)


def want_held(n, fraction):
    return 0 if n < 2 else min(n, max(1, half_up(fraction * n)))


def check_split(original, train, test, fraction, what):
    """The split's contract: the two sides partition the original listens,
    and each user has the protocol's number of artists held out."""
    check(not set(train) & set(test), f"{what}: a listen is on both sides")
    check(sorted(train + test) == sorted(original),
          f"{what}: train ∪ test is not the original listens "
          f"({len(train)} + {len(test)} rows for {len(original)})")
    per_user = collections.Counter(u for u, _, _ in original)
    held = collections.Counter(u for u, _, _ in test)
    for user, n in per_user.items():
        check(held[user] == want_held(n, fraction),
              f"{what}: user {user} has {held[user]} of {n} artists held out, "
              f"want {want_held(n, fraction)}")


def no_temporaries(outdir):
    left = [n for n in os.listdir(outdir) if ".tmp" in n]
    check(not left, f"{outdir}: temporary files left behind: {left}")


# ---------------------------------------------------------------- the tests


def test_split_help(tmp):
    for form in (["--help"], ["-h"]):
        out, _ = lastrec("split", *form)
        check(out.startswith("usage: lastrec split DATA OUTDIR"), f"split {form}: {out}")
        for o in ("--holdout", "--seed", "--force", "--opt", "--help"):
            check(o in out, f"lastrec split --help does not mention {o}:\n{out}")
    out2, _ = lastrec("help", "split")
    check(out2 == out, "'lastrec help split' differs from 'split --help'")
    out, _ = lastrec("help")
    check(re.search(r"^\s+split\s", out, re.M), f"'lastrec help' does not list split:\n{out}")


def test_split_usage(tmp):
    data = synth(tmp)
    out_dir = os.path.join(tmp, "out")
    cases = [
        ["split"],
        ["split", data],
        ["split", data, out_dir, "extra"],
        ["split", data, out_dir, "--holdout"],
        ["split", data, out_dir, "--holdout", "0"],
        ["split", data, out_dir, "--holdout", "1.5"],
        ["split", data, out_dir, "--holdout", "x"],
        ["split", data, out_dir, "--seed", "-1"],
        ["split", data, out_dir, "--seed", "many"],
        ["split", data, out_dir, "--force=yes"],
        ["split", data, out_dir, "--bogus"],
        ["split", data, out_dir, "--opt", "no_such_option=1"],
    ]
    for args in cases:
        out, err = lastrec(*args, status=2)
        check(err.startswith("lastrec: "), f"lastrec {' '.join(args)}: stderr: {err!r}")
        check(out == "", f"lastrec {' '.join(args)}: printed {out!r}")
        check(not os.path.exists(out_dir), f"lastrec {' '.join(args)}: created {out_dir}")


def test_split_errors(tmp):
    data = synth(tmp)
    # A missing data set: status 1 naming it, and no OUTDIR made.
    missing = os.path.join(tmp, "no-such-data")
    out_dir = os.path.join(tmp, "out")
    _, err = lastrec("split", missing, out_dir, status=1)
    check(err.startswith("lastrec: ") and missing in err, f"missing data: {err}")
    check(not os.path.exists(out_dir), "a failed split created OUTDIR")
    # Bad data: the library's message, naming the file and line.
    bad = os.path.join(tmp, "bad.dat")
    with open(bad, "w") as f:
        f.write(HEADER + "1\t2\t3\n1\t2\t4\n")
    _, err = lastrec("split", bad, out_dir, status=1)
    check(re.search(r"bad\.dat:3:", err) and "repeat line 2" in err,
          f"duplicate row: want the library's message with file and line, got {err!r}")
    # OUTDIR that holds files is refused, and left as it was.
    full = os.path.join(tmp, "full")
    os.mkdir(full)
    keep = os.path.join(full, "notes.txt")
    with open(keep, "w") as f:
        f.write("mine\n")
    _, err = lastrec("split", data, full, status=1)
    check(full in err and "--force" in err, f"non-empty OUTDIR: {err}")
    check(sorted(os.listdir(full)) == ["notes.txt"], f"refused split wrote {os.listdir(full)}")
    # ... unless --force: train.dat and test.dat appear, other files stay.
    lastrec("split", data, full, "--force")
    check(sorted(os.listdir(full)) == ["notes.txt", "test.dat", "train.dat"],
          f"--force: {os.listdir(full)}")
    check(read_bytes(keep) == b"mine\n", "--force touched another file")
    # An existing split is refused too, and replaced with --force.
    lastrec("split", data, full, "--seed", "5", status=1)
    before = read_bytes(os.path.join(full, "test.dat"))
    lastrec("split", data, full, "--seed", "5", "--force")
    check(read_bytes(os.path.join(full, "test.dat")) != before, "--force did not replace test.dat")
    no_temporaries(full)
    # OUTDIR that is a file.
    _, err = lastrec("split", data, keep, status=1)
    check(keep in err and "not a directory" in err, f"OUTDIR is a file: {err}")
    # An empty existing directory is fine without --force.
    empty = os.path.join(tmp, "empty")
    os.mkdir(empty)
    lastrec("split", data, empty)


def test_split_synthetic(tmp):
    data = synth(tmp)
    original = listens(os.path.join(data, "user_artists.dat"), ours=False)
    for fraction, seed in ((0.2, 42), (0.25, 3), (0.5, 11), (1.0, 1)):
        out_dir = os.path.join(tmp, "splits", f"f{fraction}-s{seed}")
        out, _ = lastrec("split", data, out_dir, "--holdout", str(fraction), "--seed", str(seed))
        check(sorted(os.listdir(out_dir)) == ["test.dat", "train.dat"],
              f"{out_dir} holds {os.listdir(out_dir)}")
        train = listens(os.path.join(out_dir, "train.dat"))
        test = listens(os.path.join(out_dir, "test.dat"))
        check_split(original, train, test, fraction, f"holdout {fraction}, seed {seed}")
        check(f"train.dat {len(train):,} user-artist pairs" in out and f"test.dat {len(test):,};" in out,
              f"the summary line does not give the counts {len(train)}, {len(test)}: {out}")
    # The defaults are the protocol's: 0.2 and seed 42.
    default = os.path.join(tmp, "default")
    lastrec("split", data, default)
    for name in ("train.dat", "test.dat"):
        check(read_bytes(os.path.join(default, name)) ==
              read_bytes(os.path.join(tmp, "splits", "f0.2-s42", name)),
              f"split without options differs from --holdout 0.2 --seed 42 in {name}")
    # The same seed gives the same bytes; another seed another split.
    again = os.path.join(tmp, "again")
    lastrec("split", data, again, "--holdout", "0.25", "--seed", "3")
    first = os.path.join(tmp, "splits", "f0.25-s3")
    for name in ("train.dat", "test.dat"):
        check(read_bytes(os.path.join(again, name)) == read_bytes(os.path.join(first, name)),
              f"the same seed gave a different {name}")
    other = os.path.join(tmp, "other")
    lastrec("split", data, other, "--holdout", "0.25", "--seed", "4")
    check(read_bytes(os.path.join(other, "test.dat")) != read_bytes(os.path.join(first, "test.dat")),
          "seeds 3 and 4 gave the same test.dat")
    # A split's files are what eval takes, and they give exactly the numbers
    # of eval's own holdout with the same fraction and seed (the seed also
    # starts the models, so the files' run is given it too).
    files = json.loads(lastrec("eval", data, "--algo", "pop,als", "--threads", "1", "--json",
                               "--seed", "3",
                               "--train", os.path.join(first, "train.dat"),
                               "--test", os.path.join(first, "test.dat"))[0])
    inline = json.loads(lastrec("eval", data, "--algo", "pop,als", "--threads", "1", "--json",
                                "--holdout", "0.25", "--seed", "3")[0])
    check(files["split"]["train_listens"] == len(listens(os.path.join(first, "train.dat"))),
          f"eval read {files['split']['train_listens']} training listens")
    for a, b in zip(files["results"], inline["results"]):
        for key in ("precision", "recall", "ndcg", "map", "hit_rate", "coverage", "users"):
            check(a[key] == b[key], f"{a['algorithm']} {key}: {a[key]} from the files, "
                                    f"{b[key]} from eval --holdout 0.25 --seed 3")
    check(len(files["results"]) == 2, f"eval on the split's files: {files}")
    # A split of a split's training side (a listens file) works too.
    lastrec("split", os.path.join(first, "train.dat"), os.path.join(tmp, "nested"))
    for d in (first, again, other, default):
        no_temporaries(d)


def test_split_real_data(tmp):
    data = os.environ.get("LASTREC_DATA")
    if not data:
        print("SKIP: LASTREC_DATA is unset; the real-data split did not run")
        return SKIP
    out_dir = os.path.join(tmp, "real")
    out, _ = lastrec("split", data, out_dir, "--holdout", "0.2", "--seed", "42")
    check("1,884 of 1,892 users have held-out artists" in out, f"real data: {out}")
    original = listens(os.path.join(data, "user_artists.dat"), ours=False)
    train = listens(os.path.join(out_dir, "train.dat"))
    test = listens(os.path.join(out_dir, "test.dat"))
    check_split(original, train, test, 0.2, "real data")
    check((len(train), len(test)) == (74265, 18569), f"real data: {len(train)}, {len(test)}")
    split = os.environ.get("LASTREC_SPLIT")
    if split:
        # The dev split follows the same rule, so every user has as many
        # artists held out there as here.  Which ones is not compared: the
        # dev split was made outside lastrec and records no seed
        # (docs/evaluation.md#the-dev-split).
        dev = collections.Counter(u for u, _, _ in listens(os.path.join(split, "test.dat"), ours=False))
        ours = collections.Counter(u for u, _, _ in test)
        check(dev == ours, "per-user held-out counts differ from the dev split's")
        print("note: the dev split was not made by `lastrec split` and has no seed; "
              "only its per-user counts are compared")
    else:
        print("note: LASTREC_SPLIT is unset; the comparison with the dev split did not run")


TESTS = {name[5:].replace("_", "-"): fn for name, fn in globals().items()
         if name.startswith("test_")}



if __name__ == "__main__":
    sys.exit(harness.main(TESTS, "lastrec-split-"))
