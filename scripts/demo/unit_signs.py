#!/usr/bin/python3
"""Where the demo model's significant units sit at the notebook's test-text masks (the README's "Why it
strengthens"): per layer, the share of each word's FDR-significant units (Student t, BH q < .05, pre-GELU)
whose pre-GELU value at that word's [MASK] is negative, below the unit's mean over the 108 contrast sentences,
and below its mean over the word's own sentences.

    nice -n 19 /usr/bin/python3 scripts/demo/unit_signs.py
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np
import scipy.stats as stats
import torch
from statsmodels.stats.multitest import multipletests

import evaluate
import notebook
from evaluate import bertref

d = os.path.join(evaluate.ROOT, "demo", "model")
model = bertref.load(d)
tok = bertref.BertTokenizer(os.path.join(d, "vocab.txt"))
her, him = tok.vocab["her"], tok.vocab["him"]
sids, sattn = tok.batch(notebook.SENTENCES)
tpos = [int(((sids[i] == him) | (sids[i] == her)).nonzero()[0, 0]) for i in range(len(notebook.SENTENCES))]
isher = np.array([int(sids[i][tpos[i]]) == her for i in range(len(tpos))])
with torch.no_grad():
    _, acts = evaluate.pre_gelu_acts(model, sids, sattn)
    ids, attn = tok.batch(notebook.TEXTS)
    _, tacts = evaluate.pre_gelu_acts(model, ids, attn)
mask = tok.vocab["[MASK]"]
mher, mhim = int((ids[1] == mask).nonzero()[0, 0]), int((ids[2] == mask).nonzero()[0, 0])
for L in sorted(acts):
    a = np.stack([acts[L][i, tpos[i]].numpy() for i in range(len(tpos))])
    t, p = stats.ttest_ind(a[~isher], a[isher])  # him - her
    sig = multipletests(p, 0.05, "fdr_bh")[0]
    hs, ms = np.where(sig & (t < 0))[0], np.where(sig & (t > 0))[0]
    mean = a.mean(0)
    vh = tacts[L][1, mher].numpy()[hs]; vm = tacts[L][2, mhim].numpy()[ms]
    print(f"layer {L}: her units {len(hs)}: negative at her mask {np.mean(vh<0):.0%}, below their 108-sentence mean {np.mean(vh<mean[hs]):.0%}, below their her-sentence mean {np.mean(vh<a[isher][:,hs].mean(0)):.0%} | him units {len(ms)}: negative {np.mean(vm<0):.0%}, below mean {np.mean(vm<mean[ms]):.0%}, below him-mean {np.mean(vm<a[~isher][:,ms].mean(0)):.0%}")
