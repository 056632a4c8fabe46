#!/usr/bin/python3
"""Builds the training corpus of lesionui's demo BERT from openly licensed text that Debian packages ship.

Usage (as root, once per machine; the packages are installed when missing):

    /usr/bin/python3 scripts/demo/build_corpus.py [OUTDIR]     # default /tmp/lesionui-demo-corpus

Sources (see demo/model/SOURCES.md for licences):
  - bible-kjv + bible-kjv-text: the King James Bible (1611, public domain), printed verse by verse by `bible`.
  - fortunes (+ fortunes-min): the BSD fortune cookie files, one cookie per record ('%' separated),
    attributions ("-- Author") and cookies that look like code or ASCII art dropped.
  - wordnet-base: the quoted usage examples of WordNet 3.0 glosses (data.noun/verb/adj/adv).

Output: OUTDIR/train.txt and OUTDIR/test.txt, one sentence per line, plus OUTDIR/stats.txt. The split is
deterministic: a sentence goes to test.txt when the first byte of its SHA-1 is < 13 (about 5%). Duplicates
are removed. The corpus is not committed (it is several MB); rerun this script to regenerate it.
"""
import glob
import hashlib
import os
import re
import subprocess
import sys

PACKAGES = ["bible-kjv", "bible-kjv-text", "fortunes", "fortunes-min", "wordnet-base"]
FORTUNE_DIR = "/usr/share/games/fortunes"
WORDNET_DIR = "/usr/share/wordnet"
MIN_WORDS, MAX_WORDS = 4, 40

_SENT_END = re.compile(r"(?<=[.!?])[\"')]?\s+(?=[\"'(]?[A-Z])")
_CLAUSE = re.compile(r"(?<=[;:])\s+")


def ensure_packages():
    """Installs the source packages with apt-get when a file they provide is missing."""
    if os.path.exists("/usr/bin/bible") and os.path.isdir(FORTUNE_DIR) and os.path.exists(WORDNET_DIR + "/data.verb"):
        return
    subprocess.run(["apt-get", "update"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y"] + PACKAGES, check=True, stdout=subprocess.DEVNULL)


def split_sentences(text):
    """Splits running text into sentences; over-long ones are cut further at ';' and ':'."""
    out = []
    for s in _SENT_END.split(text):
        s = s.strip()
        if len(s.split()) > MAX_WORDS:
            out.extend(c.strip() for c in _CLAUSE.split(s))
        else:
            out.append(s)
    return [s for s in out if MIN_WORDS <= len(s.split()) <= MAX_WORDS]


def kjv():
    text = subprocess.run(["bible", "-l", "100000", "Gen1:1-Rev22:21"], check=True, capture_output=True, text=True).stdout
    for line in text.splitlines():
        m = re.match(r"\s*\d+ (.*)", line)
        if m:
            yield from split_sentences(m.group(1))


def fortunes():
    files = sorted(f for f in glob.glob(FORTUNE_DIR + "/*") if os.path.isfile(f) and not f.endswith((".dat", ".u8")))
    for path in files:
        if os.path.basename(path) in ("art", "ascii-art", "perl", "linux", "linuxcookie", "computers", "debian"):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            records = f.read().split("\n%\n")
        for rec in records:
            lines = [l for l in rec.splitlines() if not re.match(r"\s*--", l)]
            if any(re.search(r"[{}<>|\\_=#@$^~]|\t\S|\s{4,}\S", l) for l in lines):
                continue  # code, tables, ASCII art, dialogue layouts
            text = " ".join(l.strip() for l in lines)
            if not text or sum(c.isalpha() or c.isspace() for c in text) < 0.85 * len(text):
                continue
            yield from split_sentences(text)


def wordnet():
    for path in sorted(glob.glob(WORDNET_DIR + "/data.*")):
        with open(path, encoding="latin-1") as f:
            for line in f:
                if line.startswith(" ") or "|" not in line:
                    continue
                for ex in re.findall(r'"([^"]+)"', line.split("|", 1)[1]):
                    ex = ex.strip()
                    if MIN_WORDS <= len(ex.split()) <= MAX_WORDS:
                        yield ex


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else "/tmp/lesionui-demo-corpus"
    ensure_packages()
    os.makedirs(outdir, exist_ok=True)
    seen, train, test, counts = set(), [], [], {}
    for name, gen in (("kjv", kjv()), ("fortunes", fortunes()), ("wordnet", wordnet())):
        n = 0
        for s in gen:
            s = re.sub(r"\s+", " ", s).strip()
            if s in seen:
                continue
            seen.add(s)
            n += 1
            (test if hashlib.sha1(s.encode()).digest()[0] < 13 else train).append(s)
        counts[name] = n
    for fname, lines in (("train.txt", train), ("test.txt", test)):
        with open(os.path.join(outdir, fname), "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
    pron = {w: sum(len(re.findall(rf"\b{w}\b", s, re.I)) for s in train) for w in ("he", "she", "him", "her", "his")}
    with open(os.path.join(outdir, "stats.txt"), "w") as f:
        f.write(f"sentences per source: {counts}\ntrain {len(train)} test {len(test)}\ntrain pronouns: {pron}\n")
    with open(os.path.join(outdir, "stats.txt")) as f:
        print(f.read(), end="")


if __name__ == "__main__":
    main()
