"""Independent reference for the study beyond the notebook (record lesionui-study/2), on the tiny-bert fixture.

    /usr/bin/python3 scripts/reference/study_v2.py      # from the repository root; Debian python3-torch,
                                                        # python3-scipy, python3-statsmodels

It re-states in PyTorch (bertref.py's BertForMaskedLM, forward hooks on intermediate.dense), scipy, statsmodels
and numpy, sharing no code with the Go engine:

  * Hedges' g of every unit (statsmodels' effectsize_smd), pre- and post-GELU;
  * the selections: the FDR-significant sets (scipy ttest_ind + statsmodels fdr_bh), top-K by |t| per sign, the
    least-tuned control (np.argsort(|t|), stable);
  * the ablations on the pre-GELU value: zero, mean (over all 108 sentences), patch (over the other group's), scale=F,
    in most- and least-tuned sweeps of every layer, for several designs (ablated logits, deltas, magnitude, impacts,
    the values set);
  * the random baseline: the deltas of the random draws that the Go record engine/testdata/v2_record.json holds (its
    units are read from the record, so the check does not hinge on matching random generators), and the percentile
    of the most-tuned magnitude among them. Independently, the script re-derives the draws from the seed with its own
    PCG-DXSM/SplitMix64 (the derivation engine/random.go documents) and asserts that they equal the record's;
  * the evaluation set engine/testdata/eval_fixture.txt (parsed and tokenized here): clean logits, per layer and mode
    the mean margin change, the two-word accuracy clean and lesioned, the flips, and the 95 % percentile bootstrap
    interval (numpy.percentile) over the resample indices re-derived from the seed with the same PCG, so the interval
    is checked exactly, not within a Monte-Carlo tolerance;
  * the top-k tokens at every mask, clean and lesioned.

Writes engine/testdata/v2_golden.json, which engine's TestV2MatchesReference compares against (sets exact, values
within 1e-4). The Go record it reads is written by

    go run . run --model engine/encoder/testdata/tiny-bert --units top=5 --ablate mean --seed 7 --baseline 4 \\
        --eval engine/testdata/eval_fixture.txt --topk 5 --json engine/testdata/v2_record.json

CI never runs this script.
"""
import json
import os
import sys

import numpy as np
import scipy.stats as stats
import torch
from statsmodels.stats.meta_analysis import effectsize_smd
from statsmodels.stats.multitest import multipletests

sys.path.insert(0, os.path.dirname(__file__))
import bertref  # noqa: E402
from notebook import SENTENCES, TEXTS  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURE = os.path.join(ROOT, "engine", "encoder", "testdata", "tiny-bert")
RECORD = os.path.join(ROOT, "engine", "testdata", "v2_record.json")
EVAL = os.path.join(ROOT, "engine", "testdata", "eval_fixture.txt")
OUT = os.path.join(ROOT, "engine", "testdata", "v2_golden.json")
ALPHA = 0.05
N_A = 54  # the first 54 sentences are group A ("him")
RESAMPLES, LEVEL = 2000, 0.95

# The designs swept in every layer: (activation tested, units, ablation).
DESIGNS = [("pre-gelu", u, a) for u in ("significant", "top=5") for a in ("zero", "mean", "patch", "scale=2")]
DESIGNS.append(("post-gelu", "top=5", "mean"))
DESIGNS.append(("pre-gelu", "top=64", "scale=-0.5"))

# ---------------------------------------------------------------------------------------------------------
# Random streams, re-stated from engine/random.go's documentation (not its code).

M64 = (1 << 64) - 1
PCG_MUL = (2549297995355413924 << 64) | 4865540595714422341
PCG_INC = (6364136223846793005 << 64) | 1442695040888963407


def splitmix64(x):
    z = (x + 0x9E3779B97F4A7C15) & M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


class PCG:
    """PCG-DXSM with a 128-bit LCG state (hi, lo), as Go's math/rand/v2 PCG."""

    def __init__(self, hi, lo):
        self.state = (hi << 64) | lo

    def uint64(self):
        self.state = (self.state * PCG_MUL + PCG_INC) & ((1 << 128) - 1)
        hi, lo = self.state >> 64, self.state & M64
        hi ^= hi >> 32
        hi = (hi * 0xDA942042E4DD58B5) & M64
        hi ^= hi >> 48
        return (hi * (lo | 1)) & M64

    def below(self, n):
        """Lemire's multiply-shift: uniform on 0..n-1."""
        m = self.uint64() * n
        if (m & M64) < n:
            threshold = ((1 << 64) - n) % n
            while (m & M64) < threshold:
                m = self.uint64() * n
        return m >> 64


def stream(seed, purpose, layer, k, draw):
    return PCG(splitmix64(seed), splitmix64((purpose << 56) | (layer << 40) | (k << 32) | draw))


def sample(src, n, k):
    perm = list(range(n))
    for i in range(k):
        j = i + src.below(n - i)
        perm[i], perm[j] = perm[j], perm[i]
    return sorted(perm[:k])


# ---------------------------------------------------------------------------------------------------------
# The model, the study


def capture(model, ids, mask, positions):
    """Pre- and post-GELU expansion at (row, positions[row]) of every row, [layer][row][unit], float64."""
    pre, post = [], []

    def hook(mod, inp, o):
        rows = torch.stack([o[r, positions[r]] for r in range(len(positions))])
        pre.append(rows)
        post.append(model.bert.encoder.layer[0].intermediate.act(rows))

    hs = [l.intermediate.dense.register_forward_hook(hook) for l in model.bert.encoder.layer]
    with torch.no_grad():
        model.hidden(ids, mask)
    for h in hs:
        h.remove()
    return torch.stack(pre).numpy().astype(np.float64), torch.stack(post).numpy().astype(np.float64)


def intervened(model, ids, mask, layer, edits):
    """Full-vocabulary logits with edits applied to intermediate.dense's output in layer: a list of
    (row, position, units, values or None, scale)."""
    def hook(mod, inp, o):
        o = o.clone()
        for r, p, units, values, scale in edits:
            if not len(units):
                continue
            idx = torch.tensor(list(units), dtype=torch.long)
            if values is not None:
                o[r, p, idx] = torch.tensor(np.asarray(values, dtype=np.float32))
            else:
                o[r, p, idx] = o[r, p, idx] * scale
        return o

    h = model.bert.encoder.layer[layer].intermediate.dense.register_forward_hook(hook)
    with torch.no_grad():
        logits = model(ids, mask)
    h.remove()
    return logits


def f32(x):
    """float32 values as the JSON of the Go record writes them (shortest repr of the float32)."""
    return [float(np.float32(v)) for v in x]


class Study:
    def __init__(self, model, tok, post):
        self.model, self.tok = model, tok
        ids, mask = tok.batch(SENTENCES)
        self.him, self.her = tok.vocab["him"], tok.vocab["her"]
        targets = [int(torch.where((ids[i] == self.him) | (ids[i] == self.her))[0][0]) for i in range(len(SENTENCES))]
        pre, postacts = capture(model, ids, mask, targets)
        acts = postacts if post else pre
        self.layers = []
        for L in range(acts.shape[0]):
            a, b = acts[L, :N_A], acts[L, N_A:]
            t = np.nan_to_num(stats.ttest_ind(a, b, axis=0).statistic, nan=0.0)
            p = np.nan_to_num(stats.ttest_ind(a, b, axis=0).pvalue, nan=1.0)
            q = multipletests(p, method="fdr_bh")[1]
            va, vb = a.var(axis=0, ddof=1), b.var(axis=0, ddof=1)
            g, _ = effectsize_smd(a.mean(axis=0), np.sqrt(va), N_A, b.mean(axis=0), np.sqrt(vb), len(SENTENCES) - N_A)
            sig = q < ALPHA
            self.layers.append({
                "t": t, "g": g,
                "him": np.where(sig & (t > 0))[0].tolist(), "her": np.where(sig & (t < 0))[0].tolist(),
                # pre-GELU means, whatever is tested: [group A, group B, all]
                "means": [pre[L, :N_A].mean(axis=0), pre[L, N_A:].mean(axis=0), pre[L].mean(axis=0)],
            })
        self.tids, self.tmask = tok.batch(TEXTS)
        mask_id = tok.vocab["[MASK]"]
        self.mher = int(torch.where(self.tids[1] == mask_id)[0][0])
        self.mhim = int(torch.where(self.tids[2] == mask_id)[0][0])
        self.clean_full = intervened(model, self.tids, self.tmask, 0, [])
        self.clean = self.target_logits(self.clean_full)

    def target_logits(self, lg):
        return np.array([[[lg[s, p, self.her].item(), lg[s, p, self.him].item()] for p in (self.mher, self.mhim)] for s in range(3)])

    def most(self, L, units):
        """Most-tuned sets {word: units} of layer L under --units."""
        lt = self.layers[L]
        if units == "significant":
            return {"him": lt["him"], "her": lt["her"]}
        k = int(units.split("=")[1])
        t = lt["t"]
        out = {}
        for word, sign in (("him", 1), ("her", -1)):
            cand = np.where(t * sign > 0)[0]
            order = cand[np.argsort(-np.abs(t[cand]), kind="stable")]
            out[word] = sorted(order[:k].tolist())
        return out

    def select(self, L, units, mode):
        most = self.most(L, units)
        if mode == "most":
            return most
        order = np.argsort(np.abs(self.layers[L]["t"]), kind="stable")
        return {w: order[: len(most[w])].tolist() for w in most}

    def values(self, L, word, units, ablation):
        """What the ablation sets units to at word's mask (None: scale or zero handled by edit)."""
        m = self.layers[L]["means"]
        if ablation == "mean":
            return f32(m[2][units].astype(np.float32))
        if ablation == "patch":
            other = 1 if word == "him" else 0  # "him" is group A: patch with group B's mean
            return f32(m[other][units].astype(np.float32))
        return None

    def edit(self, L, row, pos, word, units, ablation):
        if ablation == "zero":
            return (row, pos, units, [0.0] * len(units), 1.0)
        if ablation.startswith("scale="):
            return (row, pos, units, None, float(ablation.split("=")[1]))
        return (row, pos, units, self.values(L, word, units, ablation), 1.0)

    def lesion(self, L, sets, ablation):
        """The study's lesion: sets['her'] at the her mask of text 1, sets['him'] at the him mask of text 2."""
        edits = [self.edit(L, 1, self.mher, "her", sets["her"], ablation), self.edit(L, 2, self.mhim, "him", sets["him"], ablation)]
        full = intervened(self.model, self.tids, self.tmask, L, edits)
        abl = self.target_logits(full)
        d = self.clean - abl
        return full, {"ablated": abl.tolist(), "delta": d.tolist(), "magnitude": float(np.mean(np.abs(d))),
                      "impact": [float(d[1, 0, 0]), float(d[2, 1, 1])]}


def topk(logits, k, tok):
    order = np.argsort(-logits, kind="stable")[:k]
    return [{"token": tok.inv[i], "id": int(i), "logit": float(logits[i])} for i in order]


def predictions(study, full, k):
    return [[topk(full[s, p].numpy().astype(np.float64), k, study.tok) for p in (study.mher, study.mhim)] for s in range(3)]


# ---------------------------------------------------------------------------------------------------------


def sweeps(model, tok):
    out = []
    studies = {post: Study(model, tok, post) for post in (False, True)}
    for activation, units, ablation in DESIGNS:
        st = studies[activation == "post-gelu"]
        entry = {"activation": activation, "units": units, "ablation": ablation}
        for mode in ("most", "least"):
            rows = []
            for L in range(len(st.layers)):
                sets = st.select(L, units, mode)
                _, r = st.lesion(L, sets, ablation)
                r["layer"] = L
                r["units"] = sets
                if ablation in ("mean", "patch"):
                    r["values"] = {w: st.values(L, w, sets[w], ablation) or [] for w in sets}
                rows.append(r)
            entry[mode] = rows
        out.append(entry)
    return studies, out


def parse_eval(path):
    items = []
    section = False
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line.split("#")[0].strip() == "[eval]"
            continue
        if section:
            word, text = line.split(":", 1)
            items.append((word.strip(), text.strip()))
    return items


def evaluation(st, record):
    units, ablation, seed = record["units"], record["ablation"], record["seed"]
    items = parse_eval(EVAL)
    tok = st.tok
    ids, mask = tok.batch([t for _, t in items])
    mask_id = tok.vocab["[MASK]"]
    pos = [int(torch.where(ids[i] == mask_id)[0][0]) for i in range(len(items))]
    word_id = {"him": st.him, "her": st.her}
    other = {"him": "her", "her": "him"}

    def margins(full):
        ans = [full[i, pos[i], word_id[w]].item() for i, (w, _) in enumerate(items)]
        oth = [full[i, pos[i], word_id[other[w]]].item() for i, (w, _) in enumerate(items)]
        return np.array(ans), np.array(oth)

    clean_a, clean_o = margins(intervened(st.model, ids, mask, 0, []))
    clean_m = clean_a - clean_o
    out = {"items": [{"text": t, "word": w, "mask_position": pos[i], "token_ids": tok.encode(t)} for i, (w, t) in enumerate(items)],
           "clean": [{"answer": float(a), "other": float(o)} for a, o in zip(clean_a, clean_o)], "layers": []}
    closest = float(np.min(np.abs(clean_m)))
    for L in range(len(st.layers)):
        idx = stream(seed, 2, L, 0, 0)  # the bootstrap stream of the layer, shared by the modes
        boot = [[idx.below(len(items)) for _ in items] for _ in range(RESAMPLES)]
        for mode in ("most", "least"):
            sets = st.select(L, units, mode)
            edits = [st.edit(L, i, pos[i], w, sets[w], ablation) for i, (w, _) in enumerate(items)]
            la, lo = margins(intervened(st.model, ids, mask, L, edits))
            les_m = la - lo
            d = clean_m - les_m
            means = [sum(d[j] for j in b) / len(d) for b in boot]
            lo_ci, hi_ci = np.percentile(means, 100 * (1 - LEVEL) / 2), np.percentile(means, 100 * (1 + LEVEL) / 2)
            closest = min(closest, float(np.min(np.abs(les_m))))
            out["layers"].append({"layer": L, "mode": mode, "margin_delta": float(np.mean(d)), "ci": [float(lo_ci), float(hi_ci)],
                                  "accuracy_clean": float(np.mean(clean_m > 0)), "accuracy_lesioned": float(np.mean(les_m > 0)),
                                  "flips": int(np.sum((clean_m > 0) != (les_m > 0)))})
    # Accuracy and flips must not hinge on float noise.
    print(f"eval: the margin closest to 0 is {closest:.2e}", file=sys.stderr)
    assert closest > 1e-3, "an evaluation margin sits on 0; change the fixture's items"
    return out


def baseline(st, record):
    units, ablation, seed = record["units"], record["ablation"], record["seed"]
    out = []
    for entry in record["baseline"]:
        L = entry["layer"]
        most = st.most(L, units)
        _, m = st.lesion(L, most, ablation)
        draws = []
        for d_i, draw in enumerate(entry["draws"]):
            sets = {w: draw["units"][w] for w in ("her", "him")}
            # The record's draws, and the derivation engine/random.go documents, agree.
            for g, w in enumerate(("him", "her")):
                mine = sample(stream(seed, 1, L, g, d_i), len(st.layers[L]["t"]), len(most[w]))
                assert mine == sets[w], (L, d_i, w, mine, sets[w])
            _, r = st.lesion(L, sets, ablation)
            draws.append({"units": sets, "magnitude": r["magnitude"], "impact": r["impact"]})
        pct = 100 * sum(d["magnitude"] < m["magnitude"] for d in draws) / len(draws)
        gap = min(abs(d["magnitude"] - m["magnitude"]) for d in draws)
        assert gap > 1e-5, "a draw's magnitude ties the most-tuned one; the percentile would hinge on float noise"
        out.append({"layer": L, "percentile": pct, "most_magnitude": m["magnitude"], "draws": draws})
    return out


def topk_golden(st, record):
    units, ablation, k = record["units"], record["ablation"], record["topk"]["k"]
    out = {"k": k, "clean": predictions(st, st.clean_full, k), "lesioned": {}}
    for mode in ("most", "least"):
        out["lesioned"][mode] = []
        for L in range(len(st.layers)):
            full, _ = st.lesion(L, st.select(L, units, mode), ablation)
            out["lesioned"][mode].append(predictions(st, full, k))
    return out


def main():
    torch.set_num_threads(1)
    model = bertref.load(FIXTURE)
    tok = bertref.BertTokenizer(os.path.join(FIXTURE, "vocab.txt"))
    with open(RECORD) as f:
        record = json.load(f)
    assert record["format"] == "lesionui-study/2" and record["activation"] == "pre-gelu", record["format"]
    studies, designs = sweeps(model, tok)
    st = studies[False]
    golden = {
        "g": {"pre-gelu": [l["g"].tolist() for l in st.layers], "post-gelu": [l["g"].tolist() for l in studies[True].layers]},
        "designs": designs,
        "design": {"units": record["units"], "ablation": record["ablation"], "seed": record["seed"],
                   "baseline": len(record["baseline"][0]["draws"]), "topk": record["topk"]["k"]},
        "baseline": baseline(st, record),
        "eval": evaluation(st, record),
        "topk": topk_golden(st, record),
    }
    with open(OUT, "w") as f:
        json.dump(golden, f, separators=(",", ":"))
    print(f"wrote {os.path.relpath(OUT, ROOT)} ({os.path.getsize(OUT)} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
