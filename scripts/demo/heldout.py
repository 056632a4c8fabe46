"""The texts the demo model is judged on, which must never be in its training text.

  - notebook.SENTENCES and notebook.TEXTS (scripts/reference/notebook.py): the study's 108 contrast sentences
    and 3 test texts;
  - PRONOUN_SET below: evaluate.py's fresh object-position sentences;
  - sentences/builtin_eval.txt: lesionui's built-in evaluation set (the [eval] section: "answer: text with
    one [MASK]");
  - scripts/demo/blind_eval.txt (BLIND_FILE): 100 object-position items in the same format, written by a helper
    agent that saw neither the training corpus nor coref.py's generator, after the generator was written.

build_corpus.py drops every corpus sentence that contains one of them (normalised() comparison) and then
checks the written files again; evaluate.py scores the model on them.
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts", "reference"))
import notebook  # noqa: E402

EVAL_FILE = os.path.join(ROOT, "sentences", "builtin_eval.txt")
BLIND_FILE = os.path.join(HERE, "blind_eval.txt")
WORDS = ("her", "him")
MASK = "[MASK]"

# Fresh object-position sentences; the gold pronoun follows from an explicit antecedent.
PRONOUN_SET = [
    ("The old man fell in the street, and a stranger helped [MASK] up.", "him"),
    ("The old woman fell in the street, and a stranger helped [MASK] up.", "her"),
    ("The king was angry, so the servants avoided [MASK] all day.", "him"),
    ("The queen was angry, so the servants avoided [MASK] all day.", "her"),
    ("My brother was sick, so I visited [MASK] in the hospital.", "him"),
    ("My sister was sick, so I visited [MASK] in the hospital.", "her"),
    ("The boy cried until his father picked [MASK] up.", "him"),
    ("The girl cried until her father picked [MASK] up.", "her"),
    ("He was lost, so we showed [MASK] the way.", "him"),
    ("She was lost, so we showed [MASK] the way.", "her"),
    ("The husband came home late and his wife scolded [MASK].", "him"),
    ("The wife came home late and her husband scolded [MASK].", "her"),
    ("When the prince arrived, the people bowed before [MASK].", "him"),
    ("When the princess arrived, the people bowed before [MASK].", "her"),
    ("The son disobeyed his mother, and she punished [MASK].", "him"),
    ("The daughter disobeyed her father, and he punished [MASK].", "her"),
    ("He asked for water, and she gave [MASK] a cup.", "him"),
    ("She asked for water, and he gave [MASK] a cup.", "her"),
    ("The man was hungry, so the woman fed [MASK].", "him"),
    ("The woman was hungry, so the man fed [MASK].", "her"),
    ("My uncle called, and I thanked [MASK] for the gift.", "him"),
    ("My aunt called, and I thanked [MASK] for the gift.", "her"),
    ("The father loved his son and kissed [MASK].", "him"),
    ("The mother loved her daughter and kissed [MASK].", "her"),
    ("He was tired, so his friends let [MASK] sleep.", "him"),
    ("She was tired, so her friends let [MASK] sleep.", "her"),
    ("The priest spoke, and the crowd listened to [MASK].", "him"),
    ("The nun spoke, and the crowd listened to [MASK].", "her"),
    ("The brother was in danger, and his sister saved [MASK].", "him"),
    ("The sister was in danger, and her brother saved [MASK].", "her"),
    ("John lost his hat, and Mary found it for [MASK].", "him"),
    ("Mary lost her hat, and John found it for [MASK].", "her"),
    ("The boy was cold, so his mother wrapped [MASK] in a blanket.", "him"),
    ("The girl was cold, so her mother wrapped [MASK] in a blanket.", "her"),
    ("The king died, and the nation mourned [MASK].", "him"),
    ("The queen died, and the nation mourned [MASK].", "her"),
    ("He knocked on the door, and she let [MASK] in.", "him"),
    ("She knocked on the door, and he let [MASK] in.", "her"),
    ("The man was a liar, and nobody believed [MASK].", "him"),
    ("The woman was a liar, and nobody believed [MASK].", "her"),
]


def read_eval(path=EVAL_FILE, groups=False):
    """The [eval] items of a sentence file: a list of (masked text, answer), in file order; with groups, of
    (masked text, answer, group), where group is the text of the last comment line before the item in the
    [eval] section ("" if none).

    A deliberately small reader for the scripts (lesionui's Go parser is the real one): comments and blank
    lines are skipped, lines before an [eval] header and in other sections are ignored, and an item whose
    answer is not her/him or that lacks exactly one [MASK] is an error naming the line."""
    items, section, group = [], None, ""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if line.startswith("#") and section == "[eval]":
                group = line.lstrip("# ")
            if not line or line.startswith("#"):
                continue
            if line.startswith("["):
                section = line.split("#", 1)[0].strip()
                continue
            if section != "[eval]":
                continue
            word, sep, text = line.partition(":")
            word, text = word.strip(), text.strip()
            if not sep or word not in WORDS or text.count(MASK) != 1:
                raise ValueError(f"{path}:{n}: want 'her: text' or 'him: text' with exactly one {MASK}: {line!r}")
            items.append((text, word, group) if groups else (text, word))
    if not items:
        raise ValueError(f"{path}: no [eval] items")
    return items


def normalised(text):
    """Lower-cased words joined by single spaces (punctuation, quotes, dashes and case do not count)."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower().replace("\u2019", "'").replace("'", "")))


def held_out_texts(blind=True):
    """The held-out texts as written (masked ones with their [MASK]); blind=False leaves out BLIND_FILE's items
    (coref.py's lists were written before them, and against the others)."""
    texts = list(notebook.SENTENCES) + list(notebook.TEXTS) + [t for t, _ in PRONOUN_SET] + [t for t, _ in read_eval()]
    if blind:
        texts += [t for t, _ in read_eval(BLIND_FILE)]
    return texts


def protected_texts(blind=True):
    """Every text that must stay out of the training corpus (held_out_texts), normalised; masked texts are filled
    with each word (so neither "... thanked her ..." nor "... thanked him ..." may appear)."""
    raw = []
    for t in held_out_texts(blind):
        raw += [t.replace(MASK, w) for w in WORDS] if MASK in t else [t]
    return sorted({normalised(t) for t in raw})
