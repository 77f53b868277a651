#!/usr/bin/env python3
"""examples/sqlite_listens.c as a user builds and runs it: installed into a
temporary destdir, compiled with pkg-config's flags for lastrec and sqlite3
alone, run on an SQLite database made from a HetRec directory, and its
recommendations compared with those of the same program reading the
directory itself (--files).  The directory is a synthetic set written by the
installed `lastrec synth`, and the real data too when LASTREC_DATA is set.

usage: sqlite_example.py MESON BUILDDIR EXAMPLES_DIR CC [EXTRA_CFLAGS]
"""
import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from install_examples import (example_args, install, pkgconfig_flags,  # noqa: E402
                              pkgconfig_or_skip, run)


def text(raw):
    """A HetRec field as the loader reads it: UTF-8, an invalid byte as
    Latin-1 (surrogateescape keeps each such byte as U+DC80..U+DCFF)."""
    s = raw.decode("utf-8", errors="surrogateescape")
    return "".join(chr(ord(c) - 0xDC00) if 0xDC80 <= ord(c) <= 0xDCFF else c for c in s)


def rows(directory, name):
    """The data rows of a HetRec file, as lists of bytes fields."""
    with open(os.path.join(directory, name), "rb") as f:
        lines = f.read().split(b"\n")[1:]
    return [l.rstrip(b"\r").split(b"\t") for l in lines if l.rstrip(b"\r")]


def month_ms(year, month):
    """Milliseconds at the first of the month, UTC: the time the loader
    gives a use from user_taggedartists.dat."""
    import datetime
    d = datetime.datetime(year, month, 1, tzinfo=datetime.timezone.utc)
    return int(d.timestamp()) * 1000


def hetrec_to_sqlite(directory, db_path):
    """The tables examples/sqlite_listens.c documents, from a HetRec
    directory (the timestamps file's times where it has the use)."""
    db = sqlite3.connect(db_path)
    db.executescript("""
        CREATE TABLE artists(id INTEGER PRIMARY KEY, name TEXT);
        CREATE TABLE tags(id INTEGER PRIMARY KEY, name TEXT);
        CREATE TABLE listens(user_id INTEGER, artist_id INTEGER, plays INTEGER);
        CREATE TABLE tag_uses(user_id INTEGER, artist_id INTEGER, tag_id INTEGER,
                              time_ms INTEGER);
        CREATE TABLE friends(user_id INTEGER, friend_id INTEGER);
    """)
    db.executemany("INSERT INTO artists VALUES (?, ?)",
                   ((int(r[0]), text(r[1])) for r in rows(directory, "artists.dat")))
    db.executemany("INSERT INTO tags VALUES (?, ?)",
                   ((int(r[0]), text(r[1])) for r in rows(directory, "tags.dat")))
    db.executemany("INSERT INTO listens VALUES (?, ?, ?)",
                   ((int(r[0]), int(r[1]), int(r[2]))
                    for r in rows(directory, "user_artists.dat")))
    db.executemany("INSERT INTO friends VALUES (?, ?)",
                   ((int(r[0]), int(r[1])) for r in rows(directory, "user_friends.dat")))
    stamps = {}
    if os.path.exists(os.path.join(directory, "user_taggedartists-timestamps.dat")):
        for r in rows(directory, "user_taggedartists-timestamps.dat"):
            stamps[(int(r[0]), int(r[1]), int(r[2]))] = int(r[3])
    uses = []
    for r in rows(directory, "user_taggedartists.dat"):
        key = (int(r[0]), int(r[1]), int(r[2]))
        uses.append(key + (stamps.get(key, month_ms(int(r[5]), int(r[4]))),))
    db.executemany("INSERT INTO tag_uses VALUES (?, ?, ?, ?)", uses)
    db.commit()
    n = db.execute("SELECT count(*) FROM listens").fetchone()[0]
    db.close()
    return n


def users_of(directory, k):
    """k user IDs spread over the listens file."""
    ids = sorted({int(r[0]) for r in rows(directory, "user_artists.dat")})
    step = max(1, len(ids) // k)
    return [str(u) for u in ids[::step][:k]]


def compare(exe, directory, db_path, env):
    """The example on the database and on the files: the same output but
    for the first line, which names the source."""
    users = users_of(directory, 5)
    from_db = run([exe, db_path] + users, env=env).splitlines()
    from_files = run([exe, "--files", directory] + users, env=env).splitlines()
    print(from_db[0])
    print(from_files[0])
    if from_db[0].split(":", 1)[1] != from_files[0].split(":", 1)[1]:
        print("the dataset's counts differ")
        return 1
    if from_db[1:] != from_files[1:]:
        print("recommendations differ:\n" + "\n".join(from_db[1:]) + "\n--- from files:\n"
              + "\n".join(from_files[1:]))
        return 1
    recs = [l for l in from_db[1:] if not l.startswith("top ")]
    if len(recs) != 5 * 10:
        print(f"expected 5 users' top 10, got {len(recs)} lines")
        return 1
    print("\n".join(from_db[1:12]))
    return 0


def bad_rows(exe, db_path, env):
    """A bad row in the database: the example exits 1 with lastrec's
    message, which names the call and the element."""
    bad = db_path + ".bad"
    shutil.copy(db_path, bad)
    db = sqlite3.connect(bad)
    db.execute("UPDATE listens SET plays = -3 WHERE rowid = 18")
    db.commit()
    db.close()
    p = subprocess.run([exe, bad], capture_output=True, text=True, env=env)
    want = "lr_dataset_builder_add_listens: element 17: count -3 is negative"
    if p.returncode != 1 or want not in p.stderr:
        print(f"a negative play count: exit {p.returncode}, stderr {p.stderr!r}; wanted {want!r}")
        return 1
    print("bad row:", p.stderr.strip())
    return 0


def main():
    meson, build, examples, cc, extra = example_args(__doc__)
    sqlite_flags = pkgconfig_or_skip("sqlite3", "Debian: apt-get install libsqlite3-dev")
    if sqlite_flags is None:
        return 77
    with tempfile.TemporaryDirectory(prefix="lastrec-sqlite-") as tmp:
        inst = install(meson, build, tmp)
        if inst is None:
            return 1
        root, libdir, flags = inst.root, inst.libdir, pkgconfig_flags(inst)
        env = dict(os.environ, LD_LIBRARY_PATH=libdir)
        exe = os.path.join(tmp, "sqlite_listens")
        run(shlex.split(cc) + extra + [os.path.join(examples, "sqlite_listens.c"), "-o", exe]
            + flags + sqlite_flags)

        data = os.path.join(tmp, "data")
        run([os.path.join(root, "bin", "lastrec"), "synth", data, "--users", "150",
             "--artists", "600"], env=env)
        db = os.path.join(tmp, "synth.sqlite")
        print(f"synthetic: {hetrec_to_sqlite(data, db)} listens in {db}")
        if compare(exe, data, db, env):
            return 1
        if bad_rows(exe, db, env):
            return 1

        real = os.environ.get("LASTREC_DATA")
        if not real:
            print("real data: skipped, LASTREC_DATA is not set")
            return 0
        db = os.path.join(tmp, "real.sqlite")
        print(f"real data: {hetrec_to_sqlite(real, db)} listens in {db}")
        if compare(exe, real, db, env):
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
