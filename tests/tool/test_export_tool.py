#!/usr/bin/env python3
"""Tests of `lastrec export` (docs/cli.md#lastrec-export), on models the
tool trains itself on synthetic data.  The .npy files are read here with
struct, as NumPy's format 1.0 lays them out, so these tests need no numpy
(tests/python/test_export.py reads them with numpy.load).

usage: test_export_tool.py LASTREC_BINARY TEST
Exit 0 pass, 1 fail, 77 skip.
"""
import ast
import os
import struct
import sys

import harness
from harness import check, lastrec, lastrec_json, read_tsv
from harness import trained_model as model


def read_npy(path):
    """(shape, flat list of floats) of a little-endian float32 .npy file."""
    with open(path, "rb") as f:
        b = f.read()
    check(b[:8] == b"\x93NUMPY\x01\x00", f"{path}: not an .npy file of format 1.0")
    hlen = struct.unpack("<H", b[8:10])[0]
    check((10 + hlen) % 64 == 0, f"{path}: data does not start at a multiple of 64")
    header = ast.literal_eval(b[10:10 + hlen].decode("latin-1"))
    check(header["descr"] == "<f4" and header["fortran_order"] is False,
          f"{path}: header {header}")
    shape = header["shape"]
    n = 1
    for d in shape:
        n *= d
    check(len(b) == 10 + hlen + 4 * n, f"{path}: {len(b)} bytes for shape {shape}")
    return shape, list(struct.unpack(f"<{n}f", b[10 + hlen:]))


def test_export_help(tmp):
    out, _ = lastrec("export", "--help")
    for word in ("MODEL DIR", "--format npy", "--json", "users.npy", "artists.npy",
                 "artist_bias.npy", "docs/formats.md"):
        check(word in out, f"export --help lacks {word!r}:\n{out}")
    out, _ = lastrec("help")
    check("export" in out, "'lastrec help' does not list export")
    out, _ = lastrec("help", "options")
    check("export_format" in out, "'help options' does not list export_format")


def test_export_usage(tmp):
    _, err = lastrec("export", status=2)
    check("MODEL DIR" in err, f"no usage line:\n{err}")
    path = model(tmp)
    _, err = lastrec("export", path, os.path.join(tmp, "out"), "--format", "csv", status=2)
    check("--format" in err and "npy" in err, f"a bad --format does not list npy:\n{err}")
    check(not os.path.exists(os.path.join(tmp, "out")), "a usage error wrote something")


def test_export_errors(tmp):
    out = os.path.join(tmp, "out")
    for algo in ("pop", "ease"):
        _, err = lastrec("export", model(tmp, algo), out, status=1)
        check(f"{algo} models have no user or artist vectors" in err, err)
    _, err = lastrec("export", model(tmp, "blend", "--factors", "8", "--opt",
                                     "softmax_weight=0"), out, status=1)
    check("blend" in err and "dot" in err, err)
    check(not os.path.exists(out), "a refused export made its directory")
    # a directory that cannot be made: its parent is a file
    blocker = os.path.join(tmp, "blocker")
    with open(blocker, "w") as f:
        f.write("a file\n")
    _, err = lastrec("export", model(tmp), os.path.join(blocker, "out"), status=1)
    check(blocker in err and "is not a directory" in err, err)
    # a file that cannot be written: nothing of the export appears
    os.makedirs(os.path.join(out, "artists.tsv"))
    _, err = lastrec("export", model(tmp), out, status=1)
    check(os.path.join(out, "artists.tsv") in err, err)
    check(os.listdir(out) == ["artists.tsv"], f"left behind: {sorted(os.listdir(out))}")
    # data where a model is wanted
    _, err = lastrec("export", os.path.join(tmp, "synthetic"), out, status=1)
    check("not a model file" in err, err)


def check_scores(tmp, path, out, with_bias):
    """Each recommended artist's score is the dot product of the user's
    and the artist's rows, plus the artist's bias when there is a file."""
    (nu, k), users = read_npy(os.path.join(out, "users.npy"))
    (na, k2), artists = read_npy(os.path.join(out, "artists.npy"))
    check(k == k2, f"users have {k} columns, artists {k2}")
    bias_path = os.path.join(out, "artist_bias.npy")
    check(os.path.exists(bias_path) == with_bias, f"artist_bias.npy present: {not with_bias}")
    bias = read_npy(bias_path)[1] if with_bias else [0.0] * na
    user_rows = read_tsv(os.path.join(out, "users.tsv"))
    artist_rows = read_tsv(os.path.join(out, "artists.tsv"))
    check(len(user_rows) == nu and len(artist_rows) == na,
          f"{len(user_rows)} user rows for {nu}, {len(artist_rows)} artist rows for {na}")
    check(all(int(r[0]) == i for i, r in enumerate(user_rows)), "users.tsv rows out of order")
    check([int(r[1]) for r in artist_rows] == sorted(int(r[1]) for r in artist_rows),
          "artists.tsv IDs not ascending")
    row_of = {int(r[1]): int(r[0]) for r in artist_rows}
    names = {int(r[1]): r[2] for r in artist_rows}
    for urow in (0, nu // 2, nu - 1):
        user = int(user_rows[urow][1])
        got = lastrec_json("recommend", path, "--user", str(user), "-k", "5")
        for r in got["results"]:
            a = row_of[r["artist_id"]]
            dot = sum(users[urow * k + f] * artists[a * k + f] for f in range(k)) + bias[a]
            check(abs(dot - r["score"]) <= 1e-5 * (1 + abs(r["score"])),
                  f"user {user}, artist {r['artist_id']}: dot {dot}, score {r['score']}")
            check(names[r["artist_id"]] == r["name"], f"artists.tsv names {r['artist_id']} "
                  f"{names[r['artist_id']]!r}, recommend {r['name']!r}")


def test_export_npy(tmp):
    als = model(tmp, "als", "--factors", "8")
    out = os.path.join(tmp, "serving", "als")
    text, _ = lastrec("export", als, "--format", "npy", out)
    check("users.npy" in text and "artists.npy" in text, text)
    check_scores(tmp, als, out, with_bias=False)
    bpr = model(tmp, "bpr", "--factors", "8")
    got = lastrec_json("export", bpr, out)
    check(got["algorithm"] == "bpr" and got["factors"] == 8 and "artist_bias.npy" in got["files"],
          f"--json: {got}")
    check_scores(tmp, bpr, out, with_bias=True)
    # back to als in the same directory: bpr's biases must not stay
    lastrec("export", als, out)
    check_scores(tmp, als, out, with_bias=False)
    check(sorted(os.listdir(out)) == ["artists.npy", "artists.tsv", "users.npy", "users.tsv"],
          f"files: {sorted(os.listdir(out))}")


TESTS = {
    "export-help": test_export_help,
    "export-usage": test_export_usage,
    "export-errors": test_export_errors,
    "export-npy": test_export_npy,
}

if __name__ == "__main__":
    sys.exit(harness.main(TESTS, "lastrec-export-"))
