"""Writes lesionui's test fixtures and their goldens from the independent PyTorch reference (bertref.py).

    /usr/bin/python3 scripts/reference/make_fixture.py      # from the repository root; Debian python3-torch,
                                                            # python3-scipy, python3-statsmodels

Fixtures (random weights, HF layout, three naming/dtype styles), under engine/encoder/testdata/:
  tiny-bert          bert.* names, LayerNorm weight/bias, F32, decoder weight stored, vocab.txt
  tiny-bert-legacy   no bert. prefix, LayerNorm gamma/beta, F16, decoder tied (absent), pooler, NSP head,
                     position_ids (I64) buffer, hidden_act gelu_new
  tiny-bert-sharded  model.safetensors.index.json + 2 shards, BF16, bert. prefix with gamma/beta
Goldens:
  engine/encoder/testdata/golden/<fixture>.json   token ids, captured activations (pre and post GELU), MLM
                                               logits at the mask positions, logits under lesions
  engine/testdata/study_golden.json            the whole study (SPEC.md) on tiny-bert: t, p, q per layer
                                               (Student and Welch, scipy), neuron sets, clean logits, most-
                                               and least-tuned lesions in every layer

Weights are drawn once per fixture, rounded to bf16 and kept out of f16's subnormal range, so every stored
dtype holds them exactly and the goldens do not depend on the dtype the file uses.
The Go tests compare against these files; CI never runs this script.
"""
import json
import os
import sys

import numpy as np
import scipy.stats as stats
import torch
from statsmodels.stats.multitest import multipletests

sys.path.insert(0, os.path.dirname(__file__))
import bertref  # noqa: E402
from notebook import SENTENCES, TEXTS  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TESTDATA = os.path.join(ROOT, "engine", "encoder", "testdata")
ALPHA = 0.05

# Words split into word pieces in the fixture vocabulary, to exercise WordPiece.
SPLIT = {"congratulated": ["congratul", "##ated"], "enthusiastically": ["enthusiastic", "##ally"],
         "accidentally": ["accident", "##ally"], "photographed": ["photograph", "##ed"]}


def fixture_vocab():
    words = set()
    plain = bertref.BertTokenizer.__new__(bertref.BertTokenizer)
    plain.lower, plain.vocab = True, {}
    for t in SENTENCES + TEXTS:
        words.update(w for w in plain._basic(t) if w not in bertref.BertTokenizer.SPECIALS)
    pieces = set()
    for w in sorted(words):
        pieces.update(SPLIT.get(w, [w]))
    extra = ["the", "a", "he", "she", "his", "hers", "it", "they", "##s", "##ing", "caf", "##e", "resume", "naive"]
    toks = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + sorted(pieces | set(extra))
    return toks


def round_weights(t, g):
    """bf16-exact values outside f16's subnormal range (|w| >= 2^-14, or 0)."""
    bits = t.numpy().astype(np.float32).view(np.uint32)
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000  # round to nearest even bf16
    a = bits.view(np.float32).copy()
    a[np.abs(a) < 2.0**-14] = 0.0
    return torch.from_numpy(a)


def random_model(cfg, seed):
    g = torch.Generator().manual_seed(seed)
    m = bertref.BertForMaskedLM(cfg)
    with torch.no_grad():
        for name, p in m.named_parameters():
            if name == "cls.predictions.decoder.weight":
                continue  # tied
            if name.endswith("LayerNorm.weight"):
                v = 1 + 0.2 * torch.randn(p.shape, generator=g)
            elif "embeddings" in name:
                v = torch.randn(p.shape, generator=g)
            elif p.dim() == 2:
                v = torch.randn(p.shape, generator=g) * (1.5 / p.shape[1] ** 0.5)
            else:
                v = 0.2 * torch.randn(p.shape, generator=g)
            p.copy_(round_weights(v, g))
    m.eval()
    return m


def checkpoint_tensors(m, style):
    """(name, array) pairs as a real checkpoint of the given style names them."""
    out = []
    for name, p in m.state_dict().items():
        a = p.detach().numpy().copy()
        if name == "cls.predictions.decoder.weight" and style != "modern":
            continue  # tied weights are not stored
        if style != "modern":
            name = name.replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta")
        if style == "legacy" and name.startswith("bert."):
            name = name[len("bert."):]
        out.append((name, a))
    if style == "modern":
        out.append(("cls.predictions.decoder.bias", m.cls.predictions.bias.detach().numpy().copy()))
    if style == "legacy":
        h, g = m.config["hidden_size"], np.random.default_rng(7)
        out.append(("pooler.dense.weight", g.standard_normal((h, h)).astype(np.float16).astype(np.float32)))
        out.append(("pooler.dense.bias", np.zeros(h, np.float32)))
        out.append(("cls.seq_relationship.weight", np.zeros((2, h), np.float32)))
        out.append(("cls.seq_relationship.bias", np.zeros(2, np.float32)))
        out.append(("embeddings.position_ids", np.arange(m.config["max_position_embeddings"], dtype=np.int64)[None]))
    return out


def write_fixture(name, cfg, seed, style, dtype, vocab):
    d = os.path.join(TESTDATA, name)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        os.remove(os.path.join(d, f))
    m = random_model(cfg, seed)
    full = dict(cfg, architectures=["BertForMaskedLM"], model_type="bert", pad_token_id=0)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(full, f, indent=2)
    with open(os.path.join(d, "vocab.txt"), "w") as f:
        f.write("".join(t + "\n" for t in vocab))
    with open(os.path.join(d, "tokenizer_config.json"), "w") as f:
        json.dump({"do_lower_case": True, "model_max_length": cfg["max_position_embeddings"]}, f)
    tensors = checkpoint_tensors(m, style)
    if style == "sharded":
        half = len(tensors) // 2
        shards = {"model-00001-of-00002.safetensors": tensors[:half], "model-00002-of-00002.safetensors": tensors[half:]}
        wm = {}
        for fn, ts in shards.items():
            bertref.write_safetensors(os.path.join(d, fn), ts, dtype)
            wm.update({n: fn for n, _ in ts})
        with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {"total_size": 0}, "weight_map": wm}, f, indent=2)
    else:
        bertref.write_safetensors(os.path.join(d, "model.safetensors"), tensors, dtype)
    # The reference reads the checkpoint back exactly as a user's file, through its own loader.
    loaded = bertref.load(d)
    for (k, a), (_, b) in zip(m.state_dict().items(), loaded.state_dict().items()):
        assert torch.equal(a, b), f"{name}: {k} did not round-trip"
    return loaded, d


def capture(model, ids, mask, rows, positions, post):
    """[layer][row][neuron] of intermediate.dense output (pre-GELU; post-GELU if post) at (row, position)."""
    out = []

    def hook(mod, inp, o):
        a = model.bert.encoder.layer[0].intermediate.act(o) if post else o
        out.append(torch.stack([a[r, positions[r]] for r in rows]))

    hs = [l.intermediate.dense.register_forward_hook(hook) for l in model.bert.encoder.layer]
    with torch.no_grad():
        model.hidden(ids, mask)
    for h in hs:
        h.remove()
    return torch.stack(out)


def lesioned_logits(model, ids, mask, layer, lesions):
    """lesions: list of (row, position, neuron index list) zeroed pre-GELU in `layer`. Returns logits."""
    def hook(mod, inp, o):
        o = o.clone()
        for r, p, ns in lesions:
            o[r, p, list(ns)] = 0
        return o

    h = model.bert.encoder.layer[layer].intermediate.dense.register_forward_hook(hook) if lesions else None
    with torch.no_grad():
        logits = model(ids, mask)
    if h:
        h.remove()
    return logits


def rl(t, nd=6):
    """Rounded nested lists for JSON (float32 values keep ~7 significant digits)."""
    return np.round(np.asarray(t, dtype=np.float64), nd).tolist() if nd else np.asarray(t).tolist()


def sig(a):
    return [float("%.7g" % v) for v in a]


def engine_golden(name, model, tok, rows):
    ids, mask = tok.batch(SENTENCES)
    him, her = tok.vocab["him"], tok.vocab["her"]
    targets = [int(torch.where((ids[i] == him) | (ids[i] == her))[0][0]) for i in range(len(SENTENCES))]
    tids, tmask = tok.batch(TEXTS)
    mask_id = tok.vocab["[MASK]"]
    mher, mhim = int(torch.where(tids[1] == mask_id)[0][0]), int(torch.where(tids[2] == mask_id)[0][0])
    pre = capture(model, ids, mask, rows, targets, post=False)
    post = capture(model, ids, mask, rows, targets, post=True)
    clean = lesioned_logits(model, tids, tmask, 0, [])
    n_inter = model.config["intermediate_size"]
    lesions = []
    for layer in range(model.config["num_hidden_layers"]):
        her_set = list(range(layer % 3, n_inter, 3))
        him_set = list(range(1, n_inter, 5))
        lg = lesioned_logits(model, tids, tmask, layer, [(1, mher, her_set), (2, mhim, him_set)])
        lesions.append({"layer": layer, "her_neurons": her_set, "him_neurons": him_set,
                        "mask_logits": [[sig(lg[s, p]) for p in (mher, mhim)] for s in range(3)]})
    g = {
        "fixture": name, "sentences": SENTENCES, "texts": TEXTS,
        "batch": {"ids": rl(ids, 0), "attention_mask": rl(mask, 0)},
        "targets": targets, "rows": rows,
        "acts_pre": [[sig(r) for r in l] for l in pre], "acts_post": [[sig(r) for r in l] for l in post],
        "text_ids": rl(tids, 0), "mask_her": mher, "mask_him": mhim, "her_id": her, "him_id": him,
        "mask_logits": [[sig(clean[s, p]) for p in (mher, mhim)] for s in range(3)],
        "lesions": lesions,
    }
    os.makedirs(os.path.join(TESTDATA, "golden"), exist_ok=True)
    with open(os.path.join(TESTDATA, "golden", name + ".json"), "w") as f:
        json.dump(g, f, separators=(",", ":"))
    return ids, mask, targets, tids, tmask, mher, mhim


def study_golden(model, tok):
    """The notebook's study, SPEC.md's reading, in both t-test variants."""
    ids, mask = tok.batch(SENTENCES)
    him, her = tok.vocab["him"], tok.vocab["her"]
    targets = [int(torch.where((ids[i] == him) | (ids[i] == her))[0][0]) for i in range(len(SENTENCES))]
    tids, tmask = tok.batch(TEXTS)
    mher = int(torch.where(tids[1] == tok.vocab["[MASK]"])[0][0])
    mhim = int(torch.where(tids[2] == tok.vocab["[MASK]"])[0][0])
    acts = capture(model, ids, mask, list(range(len(SENTENCES))), targets, post=False).numpy().astype(np.float64)

    def target_logits(lg):
        return np.array([[[lg[s, p, her].item(), lg[s, p, him].item()] for p in (mher, mhim)] for s in range(3)])

    clean = target_logits(lesioned_logits(model, tids, tmask, 0, []))
    out = {"model": "tiny-bert", "alpha": ALPHA, "targets": targets, "mask_her": mher, "mask_him": mhim,
           "her_id": her, "him_id": him, "clean": rl(clean)}
    for variant, equal_var in (("student", True), ("welch", False)):
        layers, most, least, margin = [], [], [], 1.0
        for L in range(acts.shape[0]):
            res = stats.ttest_ind(acts[L, :54], acts[L, 54:], axis=0, equal_var=equal_var)
            t, p = np.nan_to_num(res.statistic, nan=0.0), np.nan_to_num(res.pvalue, nan=1.0)
            q = multipletests(p, method="fdr_bh")[1]  # = scipy.stats.false_discovery_control (scipy >= 1.11)
            margin = min(margin, float(np.min(np.abs(q - ALPHA) / ALPHA)))
            sig_ = q < ALPHA
            him_n, her_n = np.where(sig_ & (t > 0))[0], np.where(sig_ & (t < 0))[0]
            order = np.argsort(np.abs(t), kind="stable")
            layers.append({"layer": L, "t": sig(t), "p": [float("%.9g" % v) for v in p],
                           "q": [float("%.9g" % v) for v in q], "him": him_n.tolist(), "her": her_n.tolist()})
            for sets, dest in (((her_n, him_n), most), ((order[: len(her_n)], order[: len(him_n)]), least)):
                lg = lesioned_logits(model, tids, tmask, L, [(1, mher, sets[0].tolist()), (2, mhim, sets[1].tolist())])
                abl = target_logits(lg)
                d = clean - abl
                dest.append({"layer": L, "ablated": rl(abl), "delta": rl(d), "magnitude": float(np.mean(np.abs(d))),
                             "her_impact": float(d[1, 0, 0]), "him_impact": float(d[2, 1, 1])})
        # Neuron sets must not hinge on float noise: report how far the closest q is from alpha.
        print(f"study {variant}: closest q is {margin:.2e} (relative) from alpha", file=sys.stderr)
        assert margin > 1e-3, "a q-value sits on the alpha boundary; pick another seed"
        out[variant] = {"layers": layers, "most": most, "least": least}
    path = os.path.join(ROOT, "engine", "testdata", "study_golden.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))


def main():
    torch.set_num_threads(1)
    vocab = fixture_vocab()
    base = {"vocab_size": len(vocab), "hidden_size": 32, "num_hidden_layers": 3, "num_attention_heads": 4,
            "intermediate_size": 64, "hidden_act": "gelu", "max_position_embeddings": 64, "type_vocab_size": 2,
            "layer_norm_eps": 1e-12}
    specs = [
        ("tiny-bert", base, 1, "modern", "F32", [0, 1, 2, 3, 53, 54, 55, 56, 107]),
        ("tiny-bert-legacy", dict(base, num_hidden_layers=2, num_attention_heads=2, hidden_act="gelu_new",
                                  layer_norm_eps=1e-5), 2, "legacy", "F16", [0, 1, 2, 53, 54, 55, 107]),
        ("tiny-bert-sharded", dict(base, hidden_size=48, num_attention_heads=3, intermediate_size=96), 3,
         "sharded", "BF16", [0, 1, 2, 53, 54, 55, 107]),
    ]
    for name, cfg, seed, style, dtype, rows in specs:
        model, d = write_fixture(name, cfg, seed, style, dtype, vocab)
        tok = bertref.BertTokenizer(os.path.join(d, "vocab.txt"))
        engine_golden(name, model, tok, rows)
        if name == "tiny-bert":
            study_golden(model, tok)
        print(f"wrote {name}", file=sys.stderr)


if __name__ == "__main__":
    main()
