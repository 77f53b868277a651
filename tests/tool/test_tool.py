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
import tempfile

TOOL = None
SKIP = 77

# The options each command must document in --help (docs/cli.md).
COMMAND_OPTIONS = {
    "info": ["--json", "--opt", "--help"],
    "analyze": ["--json", "--opt", "--help"],
    "synth": ["--users", "--artists", "--seed", "--opt", "--help"],
    "snapshot": ["--opt", "--help"],
}

SYNTH_ARGS = ["--users", "150", "--artists", "600", "--seed", "7"]


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


def lastrec(*args, status=0):
    """Run the tool; the exit status must be `status`.  Returns (out, err)
    as text, undecodable bytes replaced."""
    p = subprocess.run([TOOL, *args], capture_output=True, stdin=subprocess.DEVNULL)
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode != status:
        raise Failure(f"lastrec {' '.join(args)}: exit {p.returncode}, want {status}\n"
                      f"--- stdout\n{out}--- stderr\n{err}")
    return out, err


def lastrec_json(*args):
    p = subprocess.run([TOOL, *args, "--json"], capture_output=True,
                       stdin=subprocess.DEVNULL)
    if p.returncode != 0:
        raise Failure(f"lastrec {' '.join(args)} --json: exit {p.returncode}\n"
                      f"{p.stderr.decode('utf-8', 'replace')}")
    try:
        return json.loads(p.stdout)
    except ValueError as e:
        raise Failure(f"lastrec {' '.join(args)} --json is not JSON: {e}\n"
                      f"{p.stdout[:2000]!r}")


def number(text):
    return int(text.replace(",", ""))


def synth(tmp, name="synthetic", args=SYNTH_ARGS):
    """Write a synthetic data set; returns its path and the counts that synth
    reported."""
    path = os.path.join(tmp, name)
    out, _ = lastrec("synth", path, *args)
    counts = {k: number(v) for v, k in
              re.findall(r"([\d,]+) (users|artists|listens|tags|tag uses|friend pairs)", out)}
    for k in ("users", "artists", "listens"):
        check(k in counts, f"synth did not report {k}: {out}")
    return path, counts


def read_tsv(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        next(f)
        return [line.rstrip("\r\n").split("\t") for line in f if line.strip()]


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
    for key in ("users", "artists", "listens"):
        m = re.search(rf"^\s+{key}\s+([\d,]+)$", out, re.M)
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
    for title in ("Listens per user", "Listens per artist", "above 150,000",
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
    subprocess.run([TOOL, "synth", path, *SYNTH_ARGS], check=True, capture_output=True)
    for cmd in ("info", "analyze"):
        p = subprocess.run([TOOL, cmd, path, "--json"], capture_output=True)
        check(p.returncode == 0, f"{cmd}: exit {p.returncode} {p.stderr!r}")
        try:
            doc = json.loads(p.stdout)
        except ValueError as e:
            raise Failure(f"{cmd} --json on an odd path is not JSON: {e}: {p.stdout[:300]!r}")
        # The byte that is not UTF-8 reads back as its Latin-1 character.
        got = doc["path"]
        check(got.endswith('we"ird\\ \t\x01 \xff café'), f"{cmd}: path read back as {got!r}")


def test_real_data(tmp):
    data = os.environ.get("LASTREC_DATA")
    if not data:
        print("SKIP: LASTREC_DATA is unset; the real-data checks did not run")
        return SKIP
    out, _ = lastrec("info", data)
    for key, want in (("users", "1,892"), ("artists", "17,632"), ("listens", "92,834")):
        check(re.search(rf"^\s+{key}\s+{want}$", out, re.M), f"info {key} is not {want}:\n{out}")
    c = lastrec_json("info", data)["counts"]
    want = {"users": 1892, "artists": 17632, "listens": 92834, "tags_in_file": 11946,
            "tag_uses_in_file": 186479, "friend_rows": 25434, "friend_pairs": 12717,
            "tag_uses_unlistened": 1538, "artists_unlistened": 390}
    for k, v in want.items():
        check(c[k] == v, f"real data {k}: {c[k]}, want {v}")
    an = lastrec_json("analyze", data)
    # The notebook's figures (pandas, std with ddof=1).
    for sec, key, v in (("user_listens", "mean", 36566.583), ("user_listens", "std", 48744.552),
                        ("artist_listens", "mean", 3923.774), ("artist_listens", "std", 34099.342)):
        check(abs(an[sec][key] - v) < 0.001, f"real data {sec}.{key}: {an[sec][key]}, want {v}")


TESTS = {name[5:].replace("_", "-"): fn for name, fn in globals().items()
         if name.startswith("test_")}


def main():
    global TOOL
    if len(sys.argv) != 3 or sys.argv[2] not in TESTS:
        sys.exit(f"usage: {sys.argv[0]} LASTREC TEST ({', '.join(TESTS)})")
    TOOL = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="lastrec-tool-") as tmp:
        try:
            rc = TESTS[sys.argv[2]](tmp)
        except Failure as e:
            print(f"FAIL: {e}")
            return 1
    if rc == SKIP:
        return SKIP
    print(f"PASS: {sys.argv[2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
