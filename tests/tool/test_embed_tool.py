#!/usr/bin/env python3
"""Tests of `lastrec embed` (docs/cli.md#lastrec-embed), on models the tool
trains itself on synthetic data, and on the real data when LASTREC_DATA
and LASTREC_SPLIT are set.

usage: test_embed_tool.py LASTREC_BINARY TEST
Exit 0 pass, 1 fail, 77 skip.
"""
import math
import os
import sys

import harness
from harness import SKIP, check, lastrec, lastrec_json, read_tsv, run
from harness import trained_model as model


def pearson(a, b):
    ma, mb = sum(a) / len(a), sum(b) / len(b)
    sab = sum((x - ma) * (y - mb) for x, y in zip(a, b))
    saa = sum((x - ma) ** 2 for x in a)
    sbb = sum((y - mb) ** 2 for y in b)
    return sab / math.sqrt(saa * sbb)


def ranks(v):
    """1-based ranks, ties sharing the mean of the ranks they span."""
    order = sorted(range(len(v)), key=lambda i: v[i])
    r = [0.0] * len(v)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and v[order[j + 1]] == v[order[i]]:
            j += 1
        for t in range(i, j + 1):
            r[order[t]] = (i + j) / 2 + 1
        i = j + 1
    return r


def test_embed_help(tmp):
    out, _ = lastrec("embed", "--help")
    for word in ("--pca N", "--tsne", "--perplexity P", "--metric", "--iterations N",
                 "--min-fans N", "-o, --output FILE", "--json", "docs/embed.md"):
        check(word in out, f"embed --help lacks {word!r}:\n{out}")
    out, _ = lastrec("help")
    check("embed" in out, "'lastrec help' does not list embed")
    out, _ = lastrec("help", "options")
    for key in ("tsne_perplexity", "tsne_metric", "map_min_fans"):
        check(key in out, f"'help options' does not list {key}")


def test_embed_usage(tmp):
    m = model(tmp)
    for args, want in ((["--pca", "0"], "--pca"), (["--metric", "manhattan"], "--metric"),
                       (["--perplexity", "-1"], "--perplexity"),
                       (["--iterations", "x"], "--iterations"), (["--min-fans", "-2"], "--min-fans")):
        rc, _, err = run("embed", m, *args)
        check(rc == 2 and want in err, f"embed {args}: exit {rc}, stderr {err!r}")
    rc, _, _ = run("embed")
    check(rc == 2, "embed without MODEL is not a usage error")


def test_embed_errors(tmp):
    """Bad input is exit 1 with the library's reason."""
    pop = model(tmp, "pop")
    rc, _, err = run("embed", pop)
    check(rc == 1 and "pop models have no artist vectors" in err, f"pop: {rc} {err!r}")
    als = model(tmp)
    rc, _, err = run("embed", als, "--tsne", "--perplexity", "500")
    check(rc == 1 and "tsne_perplexity 500 needs more than" in err, f"perplexity: {err!r}")
    rc, _, err = run("embed", als, "--tsne", "--iterations", "100")
    check(rc == 1 and "tsne_exaggeration_iterations (250)" in err, f"iterations: {err!r}")
    rc, _, err = run("embed", als, "--pca", "1000")
    check(rc == 1 and "between 1 and" in err, f"pca: {err!r}")
    rc, _, err = run("embed", os.path.join(tmp, "synthetic"))
    check(rc == 1 and "not a model file" in err, f"data directory: {err!r}")


def test_embed_norms(tmp):
    """Without a map: every artist, and correlations that a direct
    computation over the rows reproduces."""
    m = model(tmp)
    out = os.path.join(tmp, "norms.tsv")
    _, err = lastrec("embed", m, "-o", out)
    with open(out, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
    check(header == ["artist_id", "name", "top_tag", "fans", "plays", "norm"], f"header {header}")
    rows = read_tsv(out)
    check(len(rows) == 600, f"{len(rows)} rows, want every one of 600 artists")
    check(os.listdir(tmp).count("norms.tsv") == 1 and
          not [n for n in os.listdir(tmp) if ".tmp-" in n], "a temporary file was left")
    used = [(float(r[5]), int(r[3])) for r in rows if int(r[3]) > 0 and float(r[5]) > 0]
    doc = lastrec_json("embed", m, "-o", out)
    check(doc["norms"]["used"] == len(used), f"used {doc['norms']['used']} != {len(used)}")
    p = pearson([n for n, _ in used], [math.log1p(f) for _, f in used])
    s = pearson(ranks([n for n, _ in used]), ranks([f for _, f in used]))
    check(abs(doc["norms"]["pearson_log_fans"] - p) < 1e-9, f"pearson {doc['norms']} vs {p}")
    check(abs(doc["norms"]["spearman_fans"] - s) < 1e-9, f"spearman {doc['norms']} vs {s}")
    check("Pearson r(norm, log(1 + fans)) = %.4f" % p in err, f"stderr: {err!r}")
    check(doc["output"] == out and "rows" not in doc, "with -o the JSON has no rows")


def test_embed_maps(tmp):
    """PCA and t-SNE rows: the same artists in both, coordinates in the
    TSV and the JSON alike, figures in range, the same run twice the
    same bytes."""
    m = model(tmp, "bpr")
    args = ["embed", m, "--pca", "3", "--tsne", "--perplexity", "15", "--iterations", "300",
            "--min-fans", "2", "--seed", "4"]
    out = os.path.join(tmp, "maps.tsv")
    _, err = lastrec(*args, "-o", out)
    rows = read_tsv(out)
    check(rows and all(int(r[3]) >= 2 for r in rows), "a row with fewer than 2 fans")
    check(all(len(r) == 6 + 3 + 2 for r in rows), "rows lack coordinates")
    check("tsne:" in err and "pca:" in err and "KL" in err, f"stderr: {err!r}")
    doc = lastrec_json(*args)
    check(len(doc["rows"]) == len(rows) == doc["tsne"]["artists"] == doc["pca"]["artists"],
          "row counts differ")
    for r, j in zip(rows, doc["rows"]):
        check(int(r[0]) == j["artist_id"] and float(r[9]) == j["tsne"][0] and
              float(r[6]) == j["pca"][0], f"TSV row {r[:3]} and JSON row differ")
    t = doc["tsne"]
    check(t["iterations"] == 300 and 0 < t["kl"] < 5 and 0 < t["nn_preservation"] <= 1,
          f"tsne figures {t}")
    ex = doc["pca"]["explained"]
    check(ex == sorted(ex, reverse=True) and 0 < sum(ex) <= 1, f"explained {ex}")
    again = os.path.join(tmp, "again.tsv")
    lastrec(*args, "-o", again, "--threads", "2")
    with open(out, "rb") as a, open(again, "rb") as b:
        check(a.read() == b.read(), "the same options on 2 threads gave another map")


def test_embed_real_data(tmp):
    data, split = os.environ.get("LASTREC_DATA"), os.environ.get("LASTREC_SPLIT")
    if not data or not split:
        print("skip: LASTREC_DATA and LASTREC_SPLIT are needed")
        return SKIP
    m = os.path.join(tmp, "als.lrmodel")
    lastrec("train", data, "--algo", "als", "--train", os.path.join(split, "train.dat"), "-o", m)
    doc = lastrec_json("embed", m, "--pca", "2", "-o", os.path.join(tmp, "r.tsv"))
    check(doc["artists"] == 17632, f"{doc['artists']} artists")
    # als leaves the artists without training listens at exactly zero
    check(doc["norms"]["zero_vectors"] == 2271, f"zero vectors {doc['norms']}")
    check(doc["norms"]["used"] == 17632 - 2271, f"used {doc['norms']}")
    check(doc["pca"]["artists"] == 17632 - 2271, f"pca artists {doc['pca']}")
    check(doc["norms"]["spearman_fans"] > 0.5, f"als's norms follow popularity: {doc['norms']}")


TESTS = {name[5:].replace("_", "-"): fn for name, fn in globals().items()
         if name.startswith("test_")}


if __name__ == "__main__":
    sys.exit(harness.main(TESTS, "lastrec-embed-"))
