"""Generated referent sentences for the demo model's corpus (build_corpus.py --referents N).

Natural text teaches a small model which pronoun is *common* at an object slot ("him"), not which person the
slot refers to: the shipped 6-layer model put the clause subject's gender into the object slot in 25 of its 39
errors on the built-in evaluation set ("Sophie's husband works nights, so she rarely sees [MASK]" -> her).
These sentences make the antecedent the only thing that decides. Each has two or three people: a referent,
introduced by a first name, a gendered noun (with a possessor: "Omar's aunt"), a title ("Mrs. Reed") or a
pronoun, and a subject that acts on the referent, of the other gender in most sentences, of the same gender or
none ("I", "the nurse", "nobody") in the rest. The referent then returns as an object ("him"/"her"), a
possessive ("his"/"her") or a subject ("he"/"she"), and sometimes the subject returns too. Him and her are
equally frequent at every kind of slot, so no prior can stand in for reading the sentence.

What keeps the evaluation honest (checked by build_corpus.py and by main() here):
  - no phrase of the lists below is used whose filling of three words or more occurs inside a held-out text
    (fresh_phrases), and no generated sentence contains a held-out text or shares a run of OVERLAP_WORDS words
    with one (normalised; overlap_guard), so neither a whole item nor a frame copied from one can be learnt;
  - the capitalised words of the held-out texts are never drawn as names or surnames (held_out_names), so the
    evaluation set's names stay unseen here: the model must know them from natural text, or from the other cue
    the item gives (a "she", "his" or gendered noun).
The blind set (heldout.BLIND_FILE) was written after these lists, without seeing them or their output. The
overlap guard counts it (it dropped nothing); fresh_phrases and held_out_names do not, so that the corpus the
shipped model was trained on is rebuilt byte for byte: its names may occur here, and two everyday phrases
occur in both ("lost his way", "felt sorry for him").

Deterministic given the seed and the name lists. Run alone to print a sample:
    /usr/bin/python3 scripts/demo/coref.py [--n 20] [--seed 1] [--corpus /tmp/lesionui-demo-corpus/train.txt]
"""
import argparse
import collections
import random
import re

import heldout

OVERLAP_WORDS = 6

# Gendered nouns, (male, female): a referent or subject is "the/my/our/NAME's" + one of them.
PEOPLE = [tuple(p.strip().split("/")) for p in """man/woman, boy/girl, old man/old woman, young man/young woman,
father/mother, son/daughter, brother/sister, husband/wife, uncle/aunt, nephew/niece, grandfather/grandmother,
grandson/granddaughter, boyfriend/girlfriend, king/queen, prince/princess, waiter/waitress, actor/actress,
landlord/landlady, gentleman/lady, schoolboy/schoolgirl, monk/nun, widower/widow, duke/duchess,
stepfather/stepmother, stepson/stepdaughter, groom/bride, dad/mom, grandpa/grandma, emperor/empress,
host/hostess, steward/stewardess, businessman/businesswoman, policeman/policewoman, fisherman/fisherwoman,
little boy/little girl""".replace("\n", " ").split(",")]
KIN = {"father", "mother", "son", "daughter", "brother", "sister", "husband", "wife", "uncle", "aunt", "nephew",
       "niece", "grandfather", "grandmother", "grandson", "granddaughter", "boyfriend", "girlfriend", "stepfather",
       "stepmother", "stepson", "stepdaughter", "dad", "mom", "grandpa", "grandma"}
KIN_PEOPLE = [p for p in PEOPLE if p[0] in KIN]
TITLES = (("Mrs.", "Ms.", "Miss"), ("Mr.",))  # by gender: 0 female, 1 male
SURNAMES = """Adams Baker Barnes Bell Bishop Brooks Carter Clarke Cole Cooper Davies Dixon Doyle Ellis Evans Fisher
Fletcher Ford Foster Grant Gray Green Hall Hayes Hughes Hunt Jenkins Kelly Knight Lane Lewis Marsh Mason Miller
Moore Murphy Nash Owens Palmer Parker Perry Porter Price Quinn Reed Reyes Rhodes Russell Shaw Simmons Stone
Sullivan Turner Wade Walsh Ward Watts Webb Wells West Wheeler Wood Young Novak Kowalski Schmidt Weber Dubois
Moreau Rossi Bianchi Romano Silva Santos Costa Garcia Lopez Martinez Hernandez Nguyen Tran Kim Park Chen Wang
Singh Patel Shah Khan Hussain Ali Mensah Okoye Adeyemi Nakamura Suzuki Sato Ivanova Petrov Larsen Jensen
Nielsen Berg Lindqvist Murray Byrne Walsh Keane""".split()

# What the referent did or was (past tense). {p} is the referent's possessive.
DID = """was tired|was late again|missed the last train|lost {p} wallet|came home early|won the spelling bee|broke
{p} leg|felt lonely|had a bad cold|was new at the school|asked for directions|looked worried|told a long
story|finished the race last|stood out in the rain|fell off {p} bike|needed some money|wanted a dog|was
moving to a new flat|got lost in the forest|forgot {p} coat|was very hungry|could not sleep|started a new
job|turned forty|was in the hospital|arrived at the party|dropped {p} books|called from the airport|sang a
song|wrote a long letter|played the piano|cooked a huge meal|was crying|looked pale|adopted a kitten|came
back from a long trip|made a mistake|told the truth|was sitting by the window|was waiting outside|had too
many boxes to carry|wanted to learn French|was afraid of the storm|passed the driving test|hurt {p}
back|could not find {p} glasses|had no umbrella|looked cold|got a letter from home|was stuck in the
lift|spilled {p} coffee|won a prize|lost the match|had a birthday|was in trouble|fainted in the
heat|kept asking questions|was learning to ride|sold {p} old car|painted the kitchen|planted a
garden|baked bread|had a new baby|came to the door|rang the bell|sat down on the step|was bored|felt
sick|got the job|lost {p} way|was short of cash|stayed up all night|was angry|looked lost""".replace("\n", " ").split("|")
# Relative clauses for a referent named first ("Anna, who lives next door, ...").
WHO = """lives next door|works at the bank|had just moved to town|is always cheerful|plays in a band|teaches
at the college|grew up by the sea|drives a taxi|runs the bakery|was born in Wales|sings in the choir|has
three dogs|keeps bees|studies law|never stops talking""".replace("\n", " ").split("|")
# What the subject did to the referent: {o} object, {p} possessive of the referent.
TO = """helped {o}|thanked {o}|visited {o}|phoned {o}|found {o}|followed {o}|hugged {o}|warned {o}|teased
{o}|comforted {o}|praised {o}|blamed {o}|forgave {o}|invited {o} to dinner|drove {o} to the station|met
{o} at the door|woke {o} up|ignored {o}|trusted {o}|paid {o}|hired {o}|asked {o} a question|reminded {o}
about the meeting|took {o} home|pushed {o} aside|watched {o}|heard {o}|kissed {o}|greeted {o}|interviewed
{o}|congratulated {o}|believed {o}|told {o} the news|promised {o} a ride|waited for {o}|laughed at
{o}|talked to {o}|sat beside {o}|walked with {o}|worried about {o}|looked at {o}|shouted at {o}|cooked for
{o}|sang to {o}|stayed with {o}|was kind to {o}|was angry with {o}|felt sorry for {o}|wrote to
{o}|listened to {o}|argued with {o}|danced with {o}|played cards with {o}|ran after {o}|smiled at
{o}|cared for {o}|gave {o} a blanket|sent {o} a card|lent {o} some money|bought {o} a coffee|showed {o} the
way|made {o} a sandwich|offered {o} a seat|handed {o} the keys|brought {o} a glass of water|read {o} a
story|told {o} a joke|wrote {o} a note|fetched {o} a towel|sent {o} flowers|got {o} a taxi|picked {o} up
at noon|called {o} back|looked after {o}|shared an umbrella with {o}|went shopping with {o}|took a photo of
{o}|made room for {o}|kept a seat for {o}|voted for {o}|wrote a song about {o}|borrowed {p} pen|took {p}
hand|fixed {p} bicycle|washed {p} car|carried {p} bags|read {p} letter|admired {p} courage|fed {p}
cat|mended {p} shirt|answered {p} question|found {p} keys|praised {p} cooking""".replace("\n", " ").split("|")
# Openers of the second clause and frames of the whole sentence.
JOIN = [", so ", ", and ", ", but ", "; ", ", and later ", ", and then "]
LEAD = ["When ", "Because ", "After ", "As soon as ", "Since "]
TIME = ["", "", "", "Yesterday ", "Last week ", "On Sunday ", "That winter ", "Every day ", "At lunch "]

SUBJ = ("she", "he")  # by gender: 0 female, 1 male
OBJ = ("her", "him")
POSS = ("her", "his")

# Subjects without gender.
NEUTRAL = """I|we|you|they|nobody|everyone|someone|the doctor|the nurse|the teacher|the neighbors|the
children|the coach|the driver|the manager|the police|the guard|the cook|the students|the team|the whole
family|the clerk|a stranger|our friends|the pilot|the judge|the crowd|the baker|the librarian|the
officer""".replace("\n", " ").split("|")


def held_out_names():
    """Capitalised words of the held-out texts but the blind set (names, surnames): never drawn here."""
    return {w for t in heldout.held_out_texts(blind=False) for w in re.findall(r"\b[A-Z][a-z]+\b", t)}


def fresh_phrases(phrases):
    """The phrases none of whose fillings (him/his, her/her) of three words or more occurs inside a held-out text:
    "showed {o} the way" goes, since a held-out sentence says "we showed him the way". The blind set does not
    count here (module doc)."""
    protected = [f" {p} " for p in heldout.protected_texts(blind=False)]

    def found(text):
        t = heldout.normalised(text)
        return len(t.split()) >= 3 and any(f" {t} " in p for p in protected)

    return [ph for ph in phrases if not any(found(ph.format(o=o, p=p)) for o, p in (("him", "his"), ("her", "her")))]


class Person(collections.namedtuple("Person", "mention g")):
    """A person of a sentence: how they are first named, and their gender (0 female, 1 male)."""


class Generator:
    """Draws referent sentences (see the module doc) from names by gender and a seeded random source."""

    def __init__(self, female, male, seed):
        banned = held_out_names()
        self.names = ([n for n in female if n not in banned], [n for n in male if n not in banned])
        self.surnames = [s for s in SURNAMES if s not in banned]
        self.did, self.to, self.who = (fresh_phrases(p) for p in (DID, TO, WHO))
        self.rng = random.Random(seed)

    def named(self, g):
        """A first name or a title and surname of gender g."""
        if self.rng.random() < 0.8:
            return self.rng.choice(self.names[g])
        return f"{self.rng.choice(TITLES[g])} {self.rng.choice(self.surnames)}"

    def person(self, g):
        """A new person of gender g: a name (see named) or a gendered noun phrase, a kin noun perhaps with a
        named possessor ("Omar's aunt")."""
        rng = self.rng
        if rng.random() < 0.55:
            return Person(self.named(g), g)
        noun = rng.choice(PEOPLE)[1 - g]
        if noun in KIN:
            if rng.random() < 0.4:
                return Person(f"{self.named(rng.randrange(2))}'s {noun}", g)
            return Person(f"{rng.choice(['my', 'my', 'our', 'the', 'your'])} {noun}", g)
        det = rng.choice(["the", "the", "the", "a"])
        if det == "a" and noun[0] in "aeiou":
            det = "an"
        return Person(f"{det} {noun}", g)

    @staticmethod
    def fill(template, g):
        """template with its {o} and {p} slots filled with the object and possessive pronouns of gender g."""
        return template.format(o=OBJ[g], p=POSS[g])

    def sentence(self):
        """One generated sentence."""
        rng = self.rng
        g = rng.randrange(2)
        ref = self.person(g)
        kind = rng.random()
        # The subject acting on the referent: other gender (60 %), same (15 %), none (25 %).
        s = rng.random()
        subj = self.person(1 - g) if s < 0.6 else self.person(g) if s < 0.75 else None
        while subj is not None and subj.mention == ref.mention:
            subj = self.person(subj.g)
        subj_text = subj.mention if subj else rng.choice(NEUTRAL)
        did = self.fill(rng.choice(self.did), g)
        to = self.fill(rng.choice(self.to), g)
        ref_text = ref.mention
        if rng.random() < 0.15 and not ref_text.startswith(("my ", "our ", "the ", "a ")):
            ref_text = f"{ref_text}, who {rng.choice(self.who)},"
        if kind < 0.12:
            # The possessor frame: "Nadia's son was ill, so she drove him home."
            owner = rng.randrange(2) if rng.random() < 0.25 else 1 - g
            noun = rng.choice(KIN_PEOPLE)[1 - g]
            text = f"{self.named(owner)}'s {noun} {did}{rng.choice(JOIN)}{SUBJ[owner]} {to}"
            subj = None
        elif kind < 0.3:
            text = f"{rng.choice(LEAD)}{ref_text} {did}, {subj_text} {to}"
        elif kind < 0.4:
            # The referent named as the subject's object first: "Tom met Anna at the market and thanked her."
            text = f"{subj_text} met {ref.mention} {rng.choice(['at the market', 'in the park', 'at work', 'on the bus', 'after school'])} and {to}"
        else:
            text = f"{rng.choice(TIME)}{ref_text} {did}{rng.choice(JOIN)}{subj_text} {to}"
        if subj is not None and subj.g != g and rng.random() < 0.25:
            # The referent answers back, so the subject is an object too.
            text += f", and {SUBJ[g]} {self.fill(rng.choice(self.to), subj.g)}"
        text = text.replace(",,", ",")
        return text[0].upper() + text[1:] + "."


def overlap_guard():
    """A function telling whether a sentence shares OVERLAP_WORDS normalised words in a row with a held-out text."""
    grams = set()
    for p in heldout.protected_texts():
        w = p.split()
        grams.update(tuple(w[i:i + OVERLAP_WORDS]) for i in range(len(w) - OVERLAP_WORDS + 1))

    def shares(sentence):
        w = heldout.normalised(sentence).split()
        return any(tuple(w[i:i + OVERLAP_WORDS]) in grams for i in range(len(w) - OVERLAP_WORDS + 1))

    return shares


def referent_sentences(n, female, male, seed):
    """n distinct generated sentences (see the module doc) and the number drawn but dropped for overlapping a
    held-out text."""
    gen, shares = Generator(female, male, seed), overlap_guard()
    out, seen, dropped = [], set(), 0
    while len(out) < n:
        s = gen.sentence()
        if s in seen:
            continue
        seen.add(s)
        if shares(s):
            dropped += 1
            continue
        out.append(s)
    return out, dropped


def main():
    import build_corpus  # the name lists; imported here so that build_corpus can import this module

    ap = argparse.ArgumentParser(description="prints a sample of generated referent sentences")
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--corpus", help="a train.txt whose lower-case words are not used as names (build_corpus.py does this)")
    a = ap.parse_args()
    female, male = build_corpus.first_names()
    if a.corpus:
        with open(a.corpus, encoding="utf-8") as f:
            female, male = build_corpus.proper_names(f, female, male)
    out, dropped = referent_sentences(a.n, female, male, a.seed)
    print("\n".join(out))
    print(f"({dropped} dropped for sharing {OVERLAP_WORDS} words with a held-out text)")


if __name__ == "__main__":
    main()
