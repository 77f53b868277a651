#!/usr/bin/env python3
"""lastrec-mpi end to end, one Meson test per area (mpi/tests/meson.build).

Runs `mpirun -np N --oversubscribe` on this machine (processes talk over
shared memory and loopback; as root Open MPI needs its run-as-root
variables, set here) and compares the factor matrices of the model files
(lr_model_embeddings, through model_cmp) with those of `lastrec train`.
Paths come from the environment Meson sets: LASTREC_MPI_TOOL, LASTREC_TOOL,
LASTREC_MODEL_CMP, LASTREC_LIB, LASTREC_MPIRUN.  Exit 77 = skipped.
"""
import os
import subprocess
import sys
import tempfile

MPI_TOOL = os.environ["LASTREC_MPI_TOOL"]
TOOL = os.environ["LASTREC_TOOL"]
CMP = os.environ["LASTREC_MODEL_CMP"]
LIB = os.environ["LASTREC_LIB"]
MPIRUN = os.environ.get("LASTREC_MPIRUN", "")
SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Long enough for the slowest run here; a hang (a process left waiting in
# a collective) fails instead of blocking the suite.
TIMEOUT = 240

ENV = dict(os.environ)
ENV.update({
    "OMPI_ALLOW_RUN_AS_ROOT": "1",
    "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
    # Containers often forbid the cross-memory attach Open MPI's shared
    # memory transport tries first.
    "OMPI_MCA_btl_vader_single_copy_mechanism": "none",
    # A process waiting in a collective yields its core: the tests run
    # more processes than this machine has cores.
    "OMPI_MCA_mpi_yield_when_idle": "1",
    # In a sanitized build: Open MPI unloads its components at
    # MPI_Finalize, so LeakSanitizer reports what they keep as leaks of
    # "unknown modules", which no suppression can name; leaks of the
    # solvers are the model suites' business.  Address and undefined-
    # behaviour errors still stop the process.
    "ASAN_OPTIONS": "detect_leaks=0:abort_on_error=1",
    "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1",
})


def fail(msg, out=None):
    print("FAIL:", msg)
    if out is not None:
        print("--- stdout ---\n" + out.stdout + "--- stderr ---\n" + out.stderr)
    sys.exit(1)


def skip(msg):
    print("SKIP:", msg)
    sys.exit(77)


def run(args, expect=0, timeout=TIMEOUT):
    try:
        out = subprocess.run(args, capture_output=True, text=True, env=ENV, timeout=timeout)
    except subprocess.TimeoutExpired:
        fail("timed out after %d s (a process hung?): %s" % (timeout, " ".join(args)))
    if expect is not None and out.returncode != expect:
        fail("exit %d, expected %d: %s" % (out.returncode, expect, " ".join(args)), out)
    return out


def mpirun(n, *args):
    return [MPIRUN, "-np", str(n), "--oversubscribe", "--bind-to", "none", MPI_TOOL] + list(args)


def synth(tmp, users=500, artists=800):
    d = os.path.join(tmp, "syn")
    run([TOOL, "synth", d, "--users", str(users), "--artists", str(artists)])
    return d


def train_file(tmp, data):
    """A training side: every fifth row of each user after the first held
    out, as a split would (the held-out pairs' artists may end up with no
    training listens: cold rows the fit must handle)."""
    src = os.path.join(data, "user_artists.dat")
    dst = os.path.join(tmp, "train.dat")
    seen = {}
    with open(src) as f, open(dst, "w") as g:
        g.write(f.readline())
        for line in f:
            u = line.split("\t")[0]
            seen[u] = seen.get(u, 0) + 1
            if seen[u] % 5 != 0:
                g.write(line)
    return dst


def same(a, b, what):
    out = run([CMP, a, b], expect=None)
    if out.returncode != 0 or "bit-identical" not in out.stdout:
        fail("%s: the factors differ from the single-process fit" % what, out)
    print("%s: %s" % (what, out.stdout.strip().splitlines()[-1]))


def need_mpirun():
    if not MPIRUN:
        skip("mpirun not found (scripts/install-deps --test installs openmpi-bin)")


def test_same_model(tmp):
    """1, 2, 3 and 4 processes give the factors of `lastrec train`, bit for
    bit, under CG (the default solver, both the eigenbasis and plain
    paths), on a split's training side and on DATA's own listens; the
    model answers `lastrec recommend`."""
    need_mpirun()
    data = synth(tmp)
    train = train_file(tmp, data)
    opts = "epochs=4,seed=7"
    ref = os.path.join(tmp, "ref.model")
    run([TOOL, "train", data, "--train", train, "--algo", "als", "--opt", opts + ",threads=2",
         "-o", ref])
    for n in (1, 2, 3, 4):
        m = os.path.join(tmp, "np%d.model" % n)
        out = run(mpirun(n, "train", data, "--train", train, "-o", m, "--opt",
                         opts + ",threads=1", "--verbose"))
        if out.stderr.count("epoch 4:") != n:
            fail("expected an epoch-4 line from each of %d processes" % n, out)
        same(ref, m, "np %d, split's training side" % n)
    # DATA's own listens, a log1p transform and fewer factors
    opts = "epochs=3,transform=log1p,factors=24"
    ref2 = os.path.join(tmp, "ref2.model")
    run([TOOL, "train", data, "--algo", "als", "--opt", opts, "-o", ref2])
    m = os.path.join(tmp, "np3b.model")
    run(mpirun(3, "train", data, "-o", m, "--opt", opts + ",threads=1"))
    same(ref2, m, "np 3, DATA's listens, log1p")
    # a listens file as DATA: its own users and artists
    m = os.path.join(tmp, "np2c.model")
    ref3 = os.path.join(tmp, "ref3.model")
    run([TOOL, "train", train, "--algo", "als", "--opt", "epochs=2", "-o", ref3])
    run(mpirun(2, "train", train, "-o", m, "--opt", "epochs=2"))
    same(ref3, m, "np 2, a listens file as DATA")
    user = open(train).readlines()[1].split("\t")[0]
    out = run([TOOL, "recommend", os.path.join(tmp, "np4.model"), "--user", user])
    if len(out.stdout.strip().splitlines()) < 5:
        fail("lastrec recommend printed too little from the MPI model", out)
    # the Python binding reads it as it reads lastrec train's
    script = (
        "import sys, lastrec\n"
        "a, b = lastrec.Model.load(sys.argv[1]), lastrec.Model.load(sys.argv[2])\n"
        "assert a.user_embeddings(as_numpy=False) == b.user_embeddings(as_numpy=False)\n"
        "assert a.artist_embeddings(as_numpy=False) == b.artist_embeddings(as_numpy=False)\n"
        "ra, rb = a.recommend(int(sys.argv[3])), b.recommend(int(sys.argv[3]))\n"
        "assert [r.artist for r in ra] == [r.artist for r in rb] and len(ra) == 10\n"
        "print('python: the same embeddings and recommendations')\n")
    py_env = dict(ENV, LASTREC_LIBRARY=LIB, PYTHONPATH=os.path.join(SOURCE, "python"))
    if os.environ.get("LASTREC_PY_PRELOAD"):
        py_env["LD_PRELOAD"] = os.environ["LASTREC_PY_PRELOAD"]
    out = subprocess.run([sys.executable, "-c", script, ref, os.path.join(tmp, "np4.model"), user],
                         capture_output=True, text=True, env=py_env, timeout=TIMEOUT)
    if out.returncode != 0:
        fail("the Python binding does not read the MPI model as lastrec train's", out)
    print(out.stdout.strip())


def test_lastfm360k(tmp):
    """lastfm-360K data as DATA, a directory or its plays file, and with a
    split's training side: the factors of `lastrec train` on the same data,
    bit for bit, at 1 to 3 processes (its users and artists are numbered by
    the whole file, which each process loads)."""
    need_mpirun()
    data = os.path.join(tmp, "l360")
    run([TOOL, "synth", data, "--users", "300", "--artists", "500", "--format", "lastfm-360k"])
    opts = "epochs=3,seed=7"
    ref = os.path.join(tmp, "ref.model")
    run([TOOL, "train", data, "--algo", "als", "--opt", opts + ",threads=2", "-o", ref])
    for n in (1, 2, 3):
        m = os.path.join(tmp, "np%d.model" % n)
        run(mpirun(n, "train", data, "-o", m, "--opt", opts + ",threads=1"))
        same(ref, m, "np %d, lastfm-360K directory" % n)
    plays = os.path.join(data, "usersha1-artmbid-artname-plays.tsv")
    m = os.path.join(tmp, "file.model")
    run(mpirun(2, "train", plays, "-o", m, "--opt", opts + ",threads=1"))
    same(ref, m, "np 2, lastfm-360K plays file")
    split = os.path.join(tmp, "split")
    run([TOOL, "split", data, split])
    train = os.path.join(split, "train.dat")
    ref_t = os.path.join(tmp, "ref_t.model")
    run([TOOL, "train", data, "--train", train, "--algo", "als", "--opt", opts, "-o", ref_t])
    m = os.path.join(tmp, "split.model")
    run(mpirun(2, "train", data, "--train", train, "-o", m, "--opt", opts + ",threads=1"))
    same(ref_t, m, "np 2, lastfm-360K with a split's training side")


def test_cholesky(tmp):
    """The exact solver too, and BM25 with its statistics gathered."""
    need_mpirun()
    data = synth(tmp, users=300, artists=400)
    train = train_file(tmp, data)
    opts = "epochs=2,solver=cholesky,factors=16"
    ref = os.path.join(tmp, "ref.model")
    run([TOOL, "train", data, "--train", train, "--algo", "als", "--opt", opts, "-o", ref])
    for n in (2, 3):
        m = os.path.join(tmp, "np%d.model" % n)
        run(mpirun(n, "train", data, "--train", train, "-o", m, "--opt", opts + ",threads=1"))
        same(ref, m, "np %d, cholesky" % n)


def expect_error(args, *needles):
    out = run(args, expect=None)
    if out.returncode == 0:
        fail("succeeded on bad input: " + " ".join(args), out)
    for s in needles:
        if s not in out.stderr:
            fail("the error does not say %r" % s, out)
    print("error as expected:", out.stderr.strip().splitlines()[0])
    return out


def test_bad_input(tmp):
    """A process that cannot read its shard, bad rows and a bad option: every
    process exits with the error (mpirun ends, nonzero), none hangs."""
    need_mpirun()
    data = synth(tmp, users=200, artists=300)
    train = train_file(tmp, data)
    model = os.path.join(tmp, "m.model")
    # Process 1 of 3 is given a file it cannot open (as when a node does
    # not see the shared file system); the others' file is fine.
    missing = os.path.join(tmp, "not-here.dat")
    args = [MPIRUN, "--oversubscribe", "--bind-to", "none",
            "-np", "1", MPI_TOOL, "train", data, "--train", train, "-o", model, ":",
            "-np", "1", MPI_TOOL, "train", data, "--train", missing, "-o", model, ":",
            "-np", "1", MPI_TOOL, "train", data, "--train", train, "-o", model]
    expect_error(args, "process 1 of 3", "not-here.dat", "cannot open")
    if os.path.exists(model):
        fail("a model was written although a process failed")
    expect_error(mpirun(2, "train", data, "--train", train, "-o", model, "--opt", "factors=-3"),
                 "factors")
    expect_error(mpirun(2, "train", data, "--train", train, "-o", model, "--opt", "no_such=1"),
                 "no_such")
    lines = open(train).readlines()
    bad = os.path.join(tmp, "bad.dat")
    with open(bad, "w") as g:
        g.writelines(lines[:10] + ["%s\tabc\t3\n" % lines[5].split("\t")[0]] + lines[10:])
    expect_error(mpirun(3, "train", data, "--train", bad, "-o", model), "bad.dat:11:",
                 "artistID")
    with open(bad, "w") as g:
        g.writelines(lines[:10] + [lines[4]] + lines[10:])
    expect_error(mpirun(2, "train", data, "--train", bad, "-o", model), "more than one row")
    with open(bad, "w") as g:
        g.writelines(lines + ["999999\t%s\t3\n" % lines[1].split("\t")[1]])
    expect_error(mpirun(4, "train", data, "--train", bad, "-o", model), "user 999999")
    with open(bad, "w") as g:
        g.writelines(["user\tartist\tweight\n"] + lines[1:])
    expect_error(mpirun(2, "train", data, "--train", bad, "-o", model), "bad.dat:1:", "header")
    expect_error(mpirun(2, "train", os.path.join(tmp, "nowhere"), "-o", model), "nowhere")
    expect_error(mpirun(2, "train", data, "--train", train, "-o",
                        os.path.join(tmp, "no-dir", "m.model")), "no-dir")
    if os.path.exists(model):
        fail("a model was written from bad input")


def test_atomic_write(tmp):
    """Rank 0 writes through a temporary file renamed into place: a failed
    run leaves an existing file as it was, a good one leaves no stray."""
    need_mpirun()
    data = synth(tmp, users=200, artists=300)
    outdir = os.path.join(tmp, "out")
    os.mkdir(outdir)
    model = os.path.join(outdir, "m.model")
    with open(model, "w") as g:
        g.write("the old model\n")
    expect_error(mpirun(2, "train", data, "-o", model, "--opt", "alpha=-1"), "alpha")
    if open(model).read() != "the old model\n":
        fail("a failed run changed the existing model file")
    if os.listdir(outdir) != ["m.model"]:
        fail("a failed run left files behind: %s" % os.listdir(outdir))
    run(mpirun(3, "train", data, "-o", model, "--opt", "epochs=2"))
    if os.listdir(outdir) != ["m.model"]:
        fail("a good run left files behind: %s" % os.listdir(outdir))
    out = run([CMP, model, model])
    print("replaced:", out.stdout.strip().splitlines()[-1])


def needed_libs(path):
    out = run(["ldd", path], expect=None)
    return out.stdout


def test_no_mpi_in_core(tmp):
    """liblastrec and lastrec never link MPI; liblastrec-mpi exports only
    lr_mpi_* and does not need liblastrec.so (it carries the solvers)."""
    for p in (LIB, TOOL):
        libs = needed_libs(p)
        if "libmpi" in libs or "open-rte" in libs or "open-pal" in libs:
            fail("%s links MPI:\n%s" % (p, libs))
        print("%s: no MPI among %d libraries" % (os.path.basename(p), len(libs.splitlines())))
    mpilib = os.path.join(os.path.dirname(MPI_TOOL), "liblastrec-mpi.so.1")
    if "libmpi" not in needed_libs(MPI_TOOL):
        fail("lastrec-mpi does not link MPI?")
    out = run(["nm", "-D", "--defined-only", mpilib])
    syms = sorted(l.split()[-1] for l in out.stdout.splitlines()
                  if len(l.split()) == 3 and l.split()[1] in "TDBRW")
    want = ["lr_mpi_als_train", "lr_mpi_last_error", "lr_mpi_lastrec_version"]
    got = [s.split("@")[0] for s in syms if not s.startswith("LASTREC_MPI")]
    if got != want:
        fail("liblastrec-mpi exports %s, expected %s" % (got, want))
    print("liblastrec-mpi exports", got)


def test_usage(tmp):
    need_mpirun()
    out = run(mpirun(1, "--help"))
    if "lastrec-mpi train DATA" not in out.stdout:
        fail("--help does not show the usage", out)
    out = run(mpirun(1, "--version"))
    if "lastrec" not in out.stdout:
        fail("--version", out)
    for args, needle in ((["train"], "DATA is required"),
                         (["train", "x"], "-o MODEL is required"),
                         (["train", "x", "-o"], "-o needs a value"),
                         (["fit", "x"], "unknown command"),
                         (["train", "x", "-o", "m", "--frobnicate"], "unknown option")):
        out = run(mpirun(2, *args), expect=None)
        if out.returncode == 0 or needle not in out.stderr:
            fail("%s: expected a usage error saying %r" % (args, needle), out)


def test_real_data(tmp):
    """The dev split of the real data set, 1 to 4 processes."""
    need_mpirun()
    data, split = os.environ.get("LASTREC_DATA"), os.environ.get("LASTREC_SPLIT")
    if not data or not split:
        skip("LASTREC_DATA and LASTREC_SPLIT are not set (the HetRec data and its dev split)")
    train = os.path.join(split, "train.dat")
    ref = os.path.join(tmp, "ref.model")
    opts = "epochs=3"
    run([TOOL, "train", data, "--train", train, "--algo", "als", "--opt", opts, "-o", ref])
    for n in (1, 2, 3, 4):
        m = os.path.join(tmp, "np%d.model" % n)
        run(mpirun(n, "train", data, "--train", train, "-o", m, "--opt", opts + ",threads=1"))
        same(ref, m, "dev split, np %d" % n)


TESTS = {
    "mpi-same-model": test_same_model,
    "mpi-cholesky": test_cholesky,
    "mpi-lastfm360k": test_lastfm360k,
    "mpi-bad-input": test_bad_input,
    "mpi-atomic-write": test_atomic_write,
    "mpi-no-mpi-in-core": test_no_mpi_in_core,
    "mpi-usage": test_usage,
    "mpi-real-data": test_real_data,
}

if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="lastrec-mpi-") as tmp:
        TESTS[sys.argv[1]](tmp)
    print("ok")
