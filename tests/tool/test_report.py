#!/usr/bin/env python3
"""Tests of `lastrec report` (docs/report.md): the command's errors, the
escaping of names, and the page as headless Chromium renders it, on
synthetic data the test makes, and on the real data when LASTREC_DATA and
LASTREC_SPLIT are set.

The browser tests run `chromium --headless --dump-dom` on the page with
#selftest in its URL: the page's script then checks itself (marks drawn
against marks expected, axis labels, hovering, the brush, the map's tag
filter, script errors) and writes a JSON summary into <pre id="selftest">,
which is read here from the dumped DOM along with the sections.  A
screenshot must not be blank.  They skip, saying why, when no Chromium
starts.

usage: test_report.py LASTREC_BINARY TEST
Exit 0 pass, 1 fail, 77 skip.
"""
import html
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib

import harness
from harness import SKIP, check, lastrec, run

SECTIONS = ["data", "distributions", "tags", "friends", "models", "embeddings",
            "recommendations"]


# ------------------------------------------------------------- the browser

def browser():
    """The Chromium command, or None; prints why it cannot be used."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    print("skip: no chromium on PATH (Debian: apt-get install chromium; scripts/test "
          "installs it)")
    return None


def chromium(exe, tmp, *args, timeout=180):
    """Run headless Chromium with a profile of its own; (status, stdout)."""
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--disable-extensions", "--disable-background-networking",
           f"--user-data-dir={os.path.join(tmp, 'chromium-profile')}", *args]
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=timeout,
                           stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return -1, ""
    return p.returncode, p.stdout.decode("utf-8", "replace")


def browser_works(exe, tmp):
    rc, out = chromium(exe, tmp, "--dump-dom", "about:blank", timeout=90)
    if rc != 0 or "<body" not in out:
        print(f"skip: {exe} does not start headless (exit {rc})")
        return False
    return True


def dump(exe, tmp, page, width=1280):
    rc, out = chromium(exe, tmp, f"--window-size={width},1000", "--dump-dom",
                       "file://" + os.path.abspath(page) + "#selftest")
    check(rc == 0 and "</html>" in out, f"chromium --dump-dom {page}: exit {rc}\n{out[:500]}")
    m = re.search(r'<pre id="selftest">(.*?)</pre>', out, re.S)
    check(m, "the page wrote no self-test result (did its script run?)")
    return out, json.loads(html.unescape(m.group(1)))


def png_pixels(path):
    """(width, height, rows of RGB(A) bytes) of an 8-bit, non-interlaced
    PNG, as Chromium writes them."""
    with open(path, "rb") as f:
        data = f.read()
    check(data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG")
    pos, idat, w, h, bpp = 8, b"", 0, 0, 3
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            check(depth == 8 and ctype in (2, 6) and not interlace,
                  f"{path}: a PNG this test cannot read (depth {depth}, type {ctype})")
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, rows, prev, stride = zlib.decompress(idat), [], bytearray(w * bpp), w * bpp
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def check_screenshot(exe, tmp, page):
    shot = os.path.join(tmp, "shot.png")
    rc, _ = chromium(exe, tmp, "--window-size=1280,720", f"--screenshot={shot}",
                     "file://" + os.path.abspath(page))
    check(rc == 0 and os.path.exists(shot), f"chromium --screenshot: exit {rc}")
    w, h, bpp, rows = png_pixels(shot)
    check((w, h) == (1280, 720), f"screenshot is {w}x{h}, want 1280x720")
    colours, dark = set(), 0
    for row in rows[::4]:
        for x in range(0, w * bpp, bpp * 4):
            px = row[x:x + 3]
            colours.add(px)
            dark += sum(px) < 384
    # A blank page is one colour; the report's first screen has text,
    # tables and rules in several shades.
    check(len(colours) > 20 and dark > 500,
          f"the screenshot looks blank: {len(colours)} colours, {dark} dark samples")


def check_page(out, st, expect):
    """The rendered page: every section, every chart drawn as expected."""
    check(st["errors"] == [], f"script errors: {st['errors']}")
    for s in SECTIONS:
        check(re.search(rf'<section id="{s}">\s*<h2>', out), f"section {s} is missing")
        body = out.split(f'<section id="{s}">', 1)[1].split("</section>", 1)[0]
        check('class="reading"' in body or 'class="note"' in body,
              f"section {s} has no reading")
    charts = {c["id"]: c for c in st["charts"]}
    for c in st["charts"]:
        check(c["marks"] == c["drawn"], f"chart {c['id']}: {c['drawn']} marks drawn, "
                                        f"{c['marks']} expected")
        check(c["title"].strip(), f"chart {c['id']} has no title")
        check(c["xlabel"].strip() and c["ylabel"].strip(),
              f"chart {c['id']} lacks an axis label: {c['xlabel']!r} {c['ylabel']!r}")
        check(c["ticks"] >= 3, f"chart {c['id']} has {c['ticks']} ticks")
    for cid, marks in expect.items():
        check(cid in charts, f"chart {cid} is missing; charts: {sorted(charts)}")
        check(charts[cid]["drawn"] == marks,
              f"chart {cid}: {charts[cid]['drawn']} marks, want {marks}")
    return charts


def check_interaction(st, charts):
    f = st["filter"]
    check(f, "the self-test found no map with tag bars")
    check(f["shown"] == f["expected"] and 0 < f["shown"] < f["all"],
          f"clicking tag bar {f['tag']!r} shows {f['shown']} artists, want {f['expected']} "
          f"of {f['all']}")
    check(f["restored"] == f["all"], f"clicking it again shows {f['restored']}, want {f['all']}")
    check(f["bars_off"] == charts["map-tags"]["drawn"] - 1,
          f"{f['bars_off']} other tag bars dimmed, want {charts['map-tags']['drawn'] - 1}")
    h = st["hover"]
    check(h and h["name"] and h["tip"] == h["name"] and h["distance"] < 2,
          f"hovering a point shows {h}")
    b = st["brush"]
    check(b and b["selected"] == b["points"] > 0, f"brushing the whole plot selects {b}")


# ------------------------------------------------------------- data

def synthetic(tmp):
    data = os.path.join(tmp, "synthetic")
    lastrec("synth", data, "--users", "200", "--artists", "900", "--seed", "11")
    split = os.path.join(tmp, "split")
    lastrec("split", data, split, "--seed", "11")
    return data, split


def train(tmp, data, split, algo, *extra):
    path = os.path.join(tmp, algo + ".lrmodel")
    lastrec("train", data, "--algo", algo, "--train", os.path.join(split, "train.dat"),
            "-o", path, "--threads", "1", *extra)
    return path


def tags_kept(data):
    out, _ = lastrec("info", data, "--json")
    return json.loads(out)["counts"]["tags"]


# ------------------------------------------------------------- tests

def test_report_usage(tmp):
    data, split = synthetic(tmp)
    out, _ = lastrec("report", "--help")
    for word in ("--model FILE.lrmodel", "--split DIR", "--holdout FRACTION", "-o, --output",
                 "--map", "docs/report.md"):
        check(word in out, f"report --help lacks {word!r}:\n{out}")
    out, _ = lastrec("help")
    check("report" in out, "'lastrec help' does not list report")
    for args, want in ((["report", data], "-o FILE.html"),
                       (["report", data, "-o", "x.html", "--split", split, "--holdout", "0.2"],
                        "not both"),
                       (["report", data, "-o", "x.html", "--holdout", "2"], "fraction"),
                       (["report", data, "-o", "x.html", "--map", "umap"], "tsne, pca or none")):
        _, err = lastrec(*args, status=2)
        check(want in err, f"lastrec {' '.join(args)}: stderr lacks {want!r}:\n{err}")


def test_report_errors(tmp):
    data, split = synthetic(tmp)
    model = train(tmp, data, split, "als", "--epochs", "3")
    other = os.path.join(tmp, "other")
    lastrec("synth", other, "--users", "120", "--artists", "500", "--seed", "3")
    page = os.path.join(tmp, "r.html")
    # A model of another catalogue.
    _, err = lastrec("report", other, "--model", model, "-o", page, status=1)
    check("another catalogue" in err and "200 users" in err,
          f"a model of another catalogue: {err}")
    check(not os.path.exists(page), "a failed report left a page")
    # Data where a model file is read.
    _, err = lastrec("report", data, "--model", os.path.join(data, "artists.dat"), "-o", page,
                     status=1)
    check("model file" in err, f"a data file as a model: {err}")
    # An output directory that does not exist: nothing left behind.
    bad = os.path.join(tmp, "no", "such", "dir", "r.html")
    _, err = lastrec("report", data, "--model", model, "-o", bad, "--map", "none", status=1)
    check(bad in err, f"an unwritable output does not name it: {err}")
    # A model without artist vectors: the embedding section says so.
    pop = train(tmp, data, split, "pop")
    lastrec("report", data, "--model", pop, "-o", page, "--split", split)
    with open(page, encoding="utf-8") as f:
        text = f.read()
    sec = text.split('<section id="embeddings">', 1)[1].split("</section>", 1)[0]
    check("no artist vectors" in sec and "<canvas" not in sec,
          f"a pop model's embedding section:\n{sec[:800]}")
    check(not [n for n in os.listdir(tmp) if ".tmp-" in n], "temporary files left behind")


def test_report_escaping(tmp):
    data, split = synthetic(tmp)
    # The most followed artist gets a hostile name, so it shows in the
    # recommendation tables too; another gets a byte that is not UTF-8.
    fans = {}
    with open(os.path.join(data, "user_artists.dat"), encoding="utf-8") as f:
        next(f)
        for line in f:
            a = line.split("\t")[1]
            fans[a] = fans.get(a, 0) + 1
    top = sorted(fans, key=lambda a: (-fans[a], int(a)))
    hostile = {top[0]: b"<script>document.title='pwned'</script> & \"Co\"",
               top[1]: b"<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">",
               top[2]: b"Caf\xe9 \xff\xfe 'quoted'"}
    path = os.path.join(data, "artists.dat")
    with open(path, "rb") as f:
        lines = f.read().split(b"\n")
    for i, line in enumerate(lines[1:], 1):
        cols = line.split(b"\t")
        if cols and cols[0].decode() in hostile:
            cols[1] = hostile[cols[0].decode()]
            lines[i] = b"\t".join(cols)
    with open(path, "wb") as f:
        f.write(b"\n".join(lines))
    model = train(tmp, data, split, "als", "--epochs", "3")
    page = os.path.join(tmp, "r.html")
    lastrec("report", data, "--model", model, "-o", page, "--split", split)
    with open(page, "rb") as f:
        raw = f.read()
    text = raw.decode("utf-8")  # must be valid UTF-8
    check(b"<script>document.title" not in raw and b"<img src=x" not in raw,
          "a name went into the page unescaped")
    check("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt; &amp; &quot;Co&quot;"
          in text, "the hostile name is not in the page, HTML-escaped")
    check("\\u003cscript\\u003edocument.title" in text,
          "the hostile name is not in the page's data, escaped for JSON in <script>")
    exe = browser()
    if not exe or not browser_works(exe, tmp):
        return SKIP
    out, st = dump(exe, tmp, page)
    check(not re.search(r"<body[^>]*data-pwned", out),
          "an artist name ran script (data-pwned set on <body>)")
    check("&lt;img src=x" in out, "the hostile name is not shown as text")
    check("<title>lastrec report" in out and "pwned</title>" not in out,
          "an artist name changed the page's title")
    check(st["errors"] == [], f"script errors: {st['errors']}")


def browser_page(tmp, data, split, models, extra=()):
    exe = browser()
    if not exe or not browser_works(exe, tmp):
        return None
    page = os.path.join(tmp, "report.html")
    args = ["report", data, "-o", page, "--split", split, *extra]
    for m in models:
        args += ["--model", m]
    out, err = lastrec(*args)
    check("t-SNE iteration 750/750" in err, f"no t-SNE progress on stderr:\n{err}")
    return exe, page


def test_report_browser(tmp):
    data, split = synthetic(tmp)
    epochs = 6
    als = train(tmp, data, split, "als", "--epochs", str(epochs), "--validation",
                os.path.join(split, "test.dat"))
    pop = train(tmp, data, split, "pop")
    got = browser_page(tmp, data, split, [als, pop])
    if not got:
        return SKIP
    exe, page = got
    check(os.path.getsize(page) < 5 << 20, "the page is over 5 MB")
    out, st = dump(exe, tmp, page)
    expect = {
        "dist-user-plays": 30, "dist-artist-plays": 30, "dist-tagged-artists-10": 10,
        "tags-top": min(20, tags_kept(data)),
        "models-ndcg": 3,                      # popularity and the two models
        "curve-loss-0": epochs + 1,            # a point per epoch and the line
        "curve-ndcg-0": epochs + 1,
    }
    charts = check_page(out, st, expect)
    check("curve-loss-1" not in charts, "pop got a training curve")
    check(charts["map"]["drawn"] == charts["norms-0"]["drawn"] > 0,
          "the map and the norm plot do not hold the same artists")
    check_interaction(st, charts)
    # The metrics table: popularity and both models, numbers in [0, 1].
    table = out.split('id="models-table"', 1)[1].split("</table>", 1)[0]
    check(table.count("<tr") == 4, f"models table rows:\n{table}")
    check_screenshot(exe, tmp, page)


def test_report_real_data(tmp):
    data, split = os.environ.get("LASTREC_DATA"), os.environ.get("LASTREC_SPLIT")
    if not data or not split:
        print("skip: LASTREC_DATA and LASTREC_SPLIT are needed")
        return SKIP
    als = os.path.join(tmp, "als.lrmodel")
    lastrec("train", data, "--algo", "als", "--train", os.path.join(split, "train.dat"),
            "--validation", os.path.join(split, "test.dat"), "-o", als)
    got = browser_page(tmp, data, split, [als])
    if not got:
        return SKIP
    exe, page = got
    size = os.path.getsize(page)
    check(size < 5 << 20, f"the page is {size} bytes, over 5 MB")
    out, st = dump(exe, tmp, page)
    charts = check_page(out, st, {"tags-top": 20, "dist-user-plays": 30})
    check(charts["map"]["drawn"] > 15000, f"the map has {charts['map']['drawn']} artists")
    check_interaction(st, charts)
    check("Kanye West" in out.split('id="recommendations"', 1)[1],
          "section 7 does not find Kanye West")
    check_screenshot(exe, tmp, page)


TESTS = {
    "report-usage": test_report_usage,
    "report-errors": test_report_errors,
    "report-escaping": test_report_escaping,
    "report-browser": test_report_browser,
    "report-real-data": test_report_real_data,
}

if __name__ == "__main__":
    sys.exit(harness.main(TESTS, "lastrec-report-"))
