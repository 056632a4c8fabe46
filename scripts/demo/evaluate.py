#!/usr/bin/python3
"""Evaluates lesionui's demo BERT (demo/model) and writes demo/model/METRICS.md.

Usage:  /usr/bin/python3 scripts/demo/evaluate.py [--model demo/model] [--corpus /tmp/lesionui-demo-corpus]

Reports:
  1. Held-out masked-token accuracy: 15% of the non-special tokens of test.txt (build_corpus.py's held-out
     split) replaced by [MASK] (fixed seed), top-1 accuracy and mean cross-entropy at those positions.
  2. her/him at the masks of the notebook's 3 test texts (scripts/reference/notebook.py), as SPEC.md's
     logits[3][2][2].
  3. her-vs-him choice: (a) on held-out corpus sentences with "him" or "her": one occurrence replaced by
     [MASK], correct when the true pronoun's logit beats the other's; (b) on the fresh sentences of
     PRONOUN_SET below (written for this script, the antecedent's gender made explicit).
  4. The notebook's study on this model (SPEC.md): pre-GELU activations of intermediate.dense at the him/her
     token of the 108 sentences, Student t-test per neuron, Benjamini-Hochberg (statsmodels fdr_bh) q < .05;
     then per layer the lesion of the most-tuned neurons versus the same number of least-tuned ones
     (smallest |t|): magnitude = mean |clean - lesioned| over the 12 target logits, her impact =
     delta[1][0][0], him impact = delta[2][1][1].
The model is read through bertref.load, i.e. from the F16 safetensors exactly as shipped.

It also writes demo/testdata/golden.json for demo/engine_test.go (which runs the shipped model through the
Go engine): the test texts' token ids and mask positions, the clean (her, him) logits, pre-GELU activations
(first GOLDEN_UNITS units, every layer) at the target token of sentences 0 and 54, and the last layer's
most-tuned lesion with its neuron sets and lesioned logits. Rerun it whenever the model changes.
"""
import json
import argparse
import os
import re
import sys

import numpy as np
import scipy.stats as stats
import torch
from statsmodels.stats.multitest import multipletests

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts", "reference"))
import bertref  # noqa: E402
import notebook  # noqa: E402
from heldout import PRONOUN_SET  # noqa: E402

GOLDEN_UNITS = 16



def logits_at(model, ids, attn):
    with torch.no_grad():
        return model(ids, attn)


def masked_accuracy(model, tok, lines, seed=7, rate=0.15):
    gen = torch.Generator().manual_seed(seed)
    nll, correct, n = 0.0, 0, 0
    for i in range(0, len(lines), 64):
        ids, attn = tok.batch(lines[i : i + 64])
        ids = ids[:, :128]
        attn = attn[:, :128]
        p = torch.full(ids.shape, rate)
        p[(ids < 5) | (attn == 0)] = 0
        chosen = torch.bernoulli(p, generator=gen).bool()
        inp = ids.clone()
        inp[chosen] = tok.vocab["[MASK]"]
        lg = logits_at(model, inp, attn)[chosen]
        gold = ids[chosen]
        nll += torch.nn.functional.cross_entropy(lg, gold, reduction="sum").item()
        correct += (lg.argmax(-1) == gold).sum().item()
        n += len(gold)
    return correct / n, nll / n, n


def pronoun_choice(model, tok, items):
    """items: (masked text, gold) -> (accuracy, per-gold accuracy dict, n)."""
    her, him = tok.vocab["her"], tok.vocab["him"]
    hits = {"her": [], "him": []}
    for i in range(0, len(items), 64):
        chunk = items[i : i + 64]
        ids, attn = tok.batch([t for t, _ in chunk])
        lg = logits_at(model, ids, attn)
        for r, (_, gold) in enumerate(chunk):
            pos = (ids[r] == tok.vocab["[MASK]"]).nonzero()[0, 0]
            pref_her = lg[r, pos, her] > lg[r, pos, him]
            hits[gold].append(bool(pref_her) == (gold == "her"))
    allh = hits["her"] + hits["him"]
    return np.mean(allh), {g: (np.mean(h) if h else float("nan"), len(h)) for g, h in hits.items()}, len(allh)


def corpus_pronoun_items(lines):
    items = []
    for s in lines:
        words = re.findall(r"\b(him|her)\b", s, flags=re.I)
        if not words:
            continue
        m = re.search(r"\b(him|her)\b", s, flags=re.I)
        items.append((s[: m.start()] + "[MASK]" + s[m.end() :], m.group(1).lower()))
    return items


def pre_gelu_acts(model, ids, attn):
    """Runs the model, returning logits and [layer] -> pre-GELU activations [batch, seq, inter]."""
    acts, handles = {}, []
    for li, layer in enumerate(model.bert.encoder.layer):
        def hook(mod, inp, out, li=li):
            acts[li] = out.detach().clone()
        handles.append(layer.intermediate.dense.register_forward_hook(hook))
    lg = logits_at(model, ids, attn)
    for h in handles:
        h.remove()
    return lg, acts


def target_logits(lg, her, him, mher, mhim):
    out = np.zeros((3, 2, 2))
    for s in range(3):
        out[s, 0] = [lg[s, mher, her].item(), lg[s, mher, him].item()]
        out[s, 1] = [lg[s, mhim, her].item(), lg[s, mhim, him].item()]
    return out


def lesioned_logits(model, ids, attn, layer, her_set, him_set, mher, mhim):
    def hook(mod, inp, out):
        out = out.clone()
        out[1, mher, her_set] = 0
        out[2, mhim, him_set] = 0
        return out
    h = model.bert.encoder.layer[layer].intermediate.dense.register_forward_hook(hook)
    lg = logits_at(model, ids, attn)
    h.remove()
    return lg


def margin_batches(model, tok, items):
    """Batches items (masked text, gold) for margin_change: (ids, attn, mask positions, golds, clean margins)."""
    batches = []
    for i in range(0, len(items), 64):
        chunk = items[i : i + 64]
        ids, attn = tok.batch([t for t, _ in chunk])
        pos = [int((ids[r] == tok.vocab["[MASK]"]).nonzero()[0, 0]) for r in range(len(chunk))]
        golds = [g for _, g in chunk]
        batches.append((ids, attn, pos, golds, margins(tok, logits_at(model, ids, attn), pos, golds)))
    return batches


def margins(tok, lg, pos, golds):
    """The true pronoun's margin (true logit - other logit) at each mask."""
    her, him = tok.vocab["her"], tok.vocab["him"]
    return np.array([(lg[r, p, her] - lg[r, p, him]).item() * (1 if g == "her" else -1) for r, (p, g) in enumerate(zip(pos, golds))])


def margin_change(model, tok, batches, layer, her_set, him_set):
    """Mean fall of the true pronoun's margin when, in layer, the her_set neurons are zeroed at the mask of the
    sentences whose answer is "her" and the him_set neurons at the mask of those whose answer is "him" (the
    study's lesion, applied to many sentences instead of two texts)."""
    changes = []
    for ids, attn, pos, golds, clean in batches:
        def hook(mod, inp, out):
            out = out.clone()
            for r, (p, g) in enumerate(zip(pos, golds)):
                out[r, p, her_set if g == "her" else him_set] = 0
            return out

        h = model.bert.encoder.layer[layer].intermediate.dense.register_forward_hook(hook)
        changes.extend(clean - margins(tok, logits_at(model, ids, attn), pos, golds))
        h.remove()
    return float(np.mean(changes))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=os.path.join(ROOT, "demo/model"))
    ap.add_argument("--corpus", default="/tmp/lesionui-demo-corpus")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--golden", default=os.path.join(ROOT, "demo/testdata/golden.json"))
    a = ap.parse_args()
    torch.set_num_threads(1)
    model = bertref.load(a.model)
    tok = bertref.BertTokenizer(os.path.join(a.model, "vocab.txt"))
    her, him = tok.vocab["her"], tok.vocab["him"]
    with open(os.path.join(a.corpus, "test.txt"), encoding="utf-8") as f:
        test = [l.strip() for l in f if l.strip()]
    md = []

    acc, nll, n = masked_accuracy(model, tok, test[:2000])
    md.append(f"- Held-out masked-token accuracy (top-1, 15% of tokens -> [MASK], first 2000 test sentences, {n} masks): "
              f"**{acc:.3f}**, cross-entropy {nll:.3f} nats")

    ids, attn = tok.batch(notebook.TEXTS)
    mher = int((ids[1] == tok.vocab["[MASK]"]).nonzero()[0, 0])
    mhim = int((ids[2] == tok.vocab["[MASK]"]).nonzero()[0, 0])
    clean_lg = logits_at(model, ids, attn)
    clean = target_logits(clean_lg, her, him, mher, mhim)
    md.append(f"- Notebook test texts, logits[s][pos] = (her, him) at mher={mher}, mhim={mhim}:")
    for s in range(3):
        md.append(f"  - text {s}: her-position {np.round(clean[s,0],2).tolist()}, him-position {np.round(clean[s,1],2).tolist()}")
    ok1 = clean[1, 0, 0] > clean[1, 0, 1]
    ok2 = clean[2, 1, 1] > clean[2, 1, 0]
    md.append(f"  - HER-mask text prefers her: **{ok1}**; HIM-mask text prefers him: **{ok2}**")

    items = corpus_pronoun_items(test)
    lesion_items = items + PRONOUN_SET
    lesion_batches = margin_batches(model, tok, lesion_items)
    pacc, per, pn = pronoun_choice(model, tok, items)
    md.append(f"- Held-out corpus sentences, first him/her masked, true pronoun preferred over the other: **{pacc:.3f}** "
              f"(n={pn}; her {per['her'][0]:.3f} n={per['her'][1]}, him {per['him'][0]:.3f} n={per['him'][1]})")
    pacc, per, pn = pronoun_choice(model, tok, PRONOUN_SET)
    md.append(f"- Fresh object-position sentences (evaluate.py PRONOUN_SET): **{pacc:.3f}** "
              f"(n={pn}; her {per['her'][0]:.3f}, him {per['him'][0]:.3f})")

    # The study.
    sids, sattn = tok.batch(notebook.SENTENCES)
    tpos = [int(((sids[i] == him) | (sids[i] == her)).nonzero()[0, 0]) for i in range(len(notebook.SENTENCES))]
    _, acts = pre_gelu_acts(model, sids, sattn)
    nl = len(model.bert.encoder.layer)
    md.append("")
    md.append("## The notebook's study on this model (pre-GELU, Student t, BH q < .05)")
    md.append("")
    md.append("| layer | him neurons | her neurons | magnitude most | magnitude least | her impact most | her impact least | him impact most | him impact least | shared her, him | margin change most | margin change least |")
    md.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
    rows = []
    golden = {
        "texts": notebook.TEXTS,
        "text_ids": [[int(v) for v in ids[i][attn[i] == 1]] for i in range(3)],
        "mher": mher,
        "mhim": mhim,
        "clean_logits": clean.tolist(),
        "capture_sentences": [0, 54],
        "capture_texts": [notebook.SENTENCES[0], notebook.SENTENCES[54]],
        "capture_positions": [tpos[0], tpos[54]],
        "capture": [[acts[L][i, tpos[i], :GOLDEN_UNITS].tolist() for i in (0, 54)] for L in range(nl)],
    }
    for L in range(nl):
        X = acts[L][torch.arange(108), torch.tensor(tpos)].numpy().astype(np.float64)
        t, p = stats.ttest_ind(X[:54], X[54:], axis=0)
        const = np.all(X == X[0], axis=0)
        t = np.where(const, 0.0, t)
        p = np.where(const, 1.0, p)
        q = multipletests(p, method="fdr_bh")[1]
        sig = q < 0.05
        him_set = np.where(sig & (t > 0))[0]
        her_set = np.where(sig & (t < 0))[0]
        order = np.argsort(np.abs(t), kind="stable")
        res = []
        for hs, ms in ((her_set, him_set), (order[: len(her_set)], order[: len(him_set)])):
            lz = lesioned_logits(model, ids, attn, L, torch.tensor(hs, dtype=torch.long), torch.tensor(ms, dtype=torch.long), mher, mhim)
            d = clean - target_logits(lz, her, him, mher, mhim)
            res.append((np.mean(np.abs(d)), d[1, 0, 0], d[2, 1, 1]))
            if L == nl - 1 and "lesion" not in golden:
                golden["lesion"] = {"layer": L, "her_neurons": [int(v) for v in hs], "him_neurons": [int(v) for v in ms],
                                    "logits": target_logits(lz, her, him, mher, mhim).tolist()}
        changes = [margin_change(model, tok, lesion_batches, L, torch.tensor(hs, dtype=torch.long), torch.tensor(ms, dtype=torch.long))
                 for hs, ms in ((her_set, him_set), (order[: len(her_set)], order[: len(him_set)]))]
        rows.append((L, len(him_set), len(her_set), res, changes))
        shared = (len(np.intersect1d(her_set, order[: len(her_set)])), len(np.intersect1d(him_set, order[: len(him_set)])))
        md.append(f"| {L} | {len(him_set)} | {len(her_set)} | {res[0][0]:.3f} | {res[1][0]:.3f} | {res[0][1]:.3f} | {res[1][1]:.3f} "
                  f"| {res[0][2]:.3f} | {res[1][2]:.3f} | {shared[0]}, {shared[1]} | {changes[0]:.3f} | {changes[1]:.3f} |")
    nsig_layers = sum(1 for r in rows if r[1] + r[2] > 0)
    bigger = sum(1 for r in rows if r[1] + r[2] > 0 and r[3][0][0] > r[3][1][0])
    md.append("")
    moved = sum(1 for r in rows if r[1] + r[2] > 0 and abs(r[4][0]) > abs(r[4][1]))
    md.append(f"Layers with significant him/her neurons: **{nsig_layers}/{nl}**; layers where the most-tuned lesion moves "
              f"the target logits more than the least-tuned control: **{bigger}/{nsig_layers}**; layers where it moves the "
              f"true pronoun's margin more than the control (|margin change|), over {len(lesion_items)} sentences: **{moved}/{nsig_layers}**.")

    md.append("")
    md.append("magnitude = mean |clean - lesioned| over the 12 target logits; her impact = delta[1][0][0]; him impact = "
              "delta[2][1][1] (positive: the lesion lowered the logit). margin change = mean over the held-out corpus "
              f"sentences and PRONOUN_SET ({len(lesion_items)} masks) of the fall of (true pronoun logit - other pronoun "
              "logit) when the layer's her set is zeroed at the mask of her-sentences and its him set at the mask of "
              "him-sentences (positive: the lesion weakened the right answer, negative: it strengthened it). 'most' zeroes the significant neurons, 'least' "
              "the same number of smallest-|t| neurons (SPEC.md, Part 7); 'shared' counts neurons in both sets: when most "
              "of a layer's neurons are significant, as in this small model, the least-tuned set reaches into them.")
    text = "# lesionui demo BERT: evaluation\n\nWritten by scripts/demo/evaluate.py.\n\n" + "\n".join(md) + "\n"
    print(text)
    if not a.no_write:
        with open(os.path.join(a.model, "METRICS.md"), "w") as f:
            f.write(text)
        os.makedirs(os.path.dirname(a.golden), exist_ok=True)
        with open(a.golden, "w") as f:
            json.dump(golden, f)
            f.write("\n")


if __name__ == "__main__":
    main()
