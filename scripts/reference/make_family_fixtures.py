"""Writes lesionui's fixtures for the encoder families beyond BERT, and their goldens, from encoders_ref.py.

    (cd scripts/tokref && npm ci --ignore-scripts)                  # transformers.js, for the token ids
    /usr/bin/python3 scripts/reference/make_family_fixtures.py      # from the repository root (python3-torch,
                                                                    # python3-scipy, python3-statsmodels, node)

Every fixture is a small random checkpoint in the family's real HF layout and naming, under
engine/encoder/testdata/<name>/, saved the ways real checkpoints come (see FIXTURES), with a golden in
engine/encoder/testdata/golden/<name>.json: the token id sequences, the expansion before and after its
activation at chosen tokens in every study layer, MLM logits at chosen tokens (over the whole vocabulary, or
GOLDEN_VOCAB ids of it), and the same logits with expansion units zeroed at two tokens in each layer. The reference reads each checkpoint back
through its own loader (encoders_ref.load) before computing anything, as it would a user's file.

Weights are rounded to bf16 and kept out of f16's subnormal range, so every stored dtype holds the same model.
Each fixture carries its family's tokenizer in a real file format (TOKENIZERS), and a second golden,
engine/encoder/testdata/golden/<name>.study.json, holds the whole study of SPEC.md on the notebook's contrast
set: token ids from HuggingFace's JavaScript port (family_tokens.mjs; bertref's BertTokenizer for vocab.txt),
activations and logits from encoders_ref, t-tests from scipy, Benjamini-Hochberg from statsmodels, in the
layout of engine/testdata/study_golden.json, for `lesionui run --model <fixture> --json` to reproduce.

The Go tests compare against these files; CI never runs this script.
"""
import json
import os
import shutil
import struct
import subprocess
import sys

import numpy as np
import scipy.stats as stats
import torch
from statsmodels.stats.multitest import multipletests

sys.path.insert(0, os.path.dirname(__file__))
import bertref  # noqa: E402
import encoders_ref  # noqa: E402
from make_fixture import round_weights  # noqa: E402
from notebook import SENTENCES, TEXTS  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TESTDATA = os.path.join(ROOT, "engine", "encoder", "testdata")

CONDITIONING = 5e-5
GOLDEN_VOCAB = 256  # logits over at most this many token ids, evenly spaced (all of them in smaller vocabularies)
ALPHA = 0.05

# Tokenizer files per fixture: (kind, source directory, files). The sources are the tokenizer fixtures in real
# formats of testdata/tokenizers/ (see its SOURCES.md) and tiny-bert's WordPiece vocabulary.
TOK = os.path.join(ROOT, "testdata", "tokenizers")
ROBERTA_TOK = os.path.join(TOK, "roberta-base-reduced")
WORDPIECE = ("wordpiece", os.path.join(TESTDATA, "tiny-bert"), ["vocab.txt", "tokenizer_config.json"])
TOKENIZERS = {
    "tiny-roberta": ("bpe", ROBERTA_TOK, ["vocab.json", "merges.txt"]),
    "tiny-roberta-full": ("bpe", ROBERTA_TOK, ["tokenizer.json", "vocab.json", "merges.txt"]),
    "tiny-xlm-roberta": ("unigram", os.path.join(TOK, "xlm-roberta-base-reduced"), ["tokenizer.json"]),
    "tiny-distilbert": WORDPIECE,
    "tiny-distilbert-sinusoidal": WORDPIECE,
    "tiny-electra-generator": WORDPIECE,
    "tiny-electra-small-generator": WORDPIECE,
    "tiny-albert": ("unigram", os.path.join(TOK, "albert-base-v2-reduced"), ["tokenizer.json"]),
}
# How a word looks inside a sentence, after a space, in each kind of vocabulary.
MARKER = {"bpe": "\u0120", "unigram": "\u2581", "wordpiece": ""}
# Each family's first, last and mask tokens.
SPECIAL_NAMES = {"roberta": ("<s>", "</s>", "<mask>"), "xlm-roberta": ("<s>", "</s>", "<mask>"),
                 "distilbert": ("[CLS]", "[SEP]", "[MASK]"), "electra": ("[CLS]", "[SEP]", "[MASK]"),
                 "albert": ("[CLS]", "[SEP]", "[MASK]")}


def vocabulary(name):
    """token -> id of a fixture's tokenizer files."""
    kind, src, files = TOKENIZERS[name]
    if "vocab.txt" in files:
        with open(os.path.join(src, "vocab.txt"), encoding="utf-8") as f:
            return {t.rstrip("\n"): i for i, t in enumerate(f)}
    if "vocab.json" in files:
        with open(os.path.join(src, "vocab.json"), encoding="utf-8") as f:
            return json.load(f)
    with open(os.path.join(src, "tokenizer.json"), encoding="utf-8") as f:
        tj = json.load(f)
    v = {piece: i for i, (piece, _) in enumerate(tj["model"]["vocab"])}
    v.update({a["content"]: a["id"] for a in tj["added_tokens"]})
    return v

# config.json as each family's real repos write it (field names and the fields they carry), scaled down.
ROBERTA = {"architectures": ["RobertaForMaskedLM"], "attention_probs_dropout_prob": 0.1, "bos_token_id": 0,
           "eos_token_id": 2, "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "hidden_size": 32,
           "initializer_range": 0.02, "intermediate_size": 64, "layer_norm_eps": 1e-05,
           "max_position_embeddings": 66, "model_type": "roberta", "num_attention_heads": 4, "num_hidden_layers": 3,
           "pad_token_id": 1, "type_vocab_size": 1}
XLMR = dict(ROBERTA, architectures=["XLMRobertaForMaskedLM"], model_type="xlm-roberta", output_past=True)
DISTILBERT = {"activation": "gelu", "architectures": ["DistilBertForMaskedLM"], "attention_dropout": 0.1, "dim": 32,
              "dropout": 0.1, "hidden_dim": 64, "initializer_range": 0.02, "max_position_embeddings": 64,
              "model_type": "distilbert", "n_heads": 4, "n_layers": 3, "pad_token_id": 0, "qa_dropout": 0.1,
              "seq_classif_dropout": 0.2, "sinusoidal_pos_embds": False, "tie_weights_": True}
ELECTRA = {"architectures": ["ElectraForMaskedLM"], "attention_probs_dropout_prob": 0.1, "embedding_size": 48,
           "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "hidden_size": 32, "initializer_range": 0.02,
           "intermediate_size": 64, "layer_norm_eps": 1e-12, "max_position_embeddings": 64, "model_type": "electra",
           "num_attention_heads": 4, "num_hidden_layers": 3, "pad_token_id": 0, "type_vocab_size": 2}
ALBERT = {"architectures": ["AlbertForMaskedLM"], "attention_probs_dropout_prob": 0, "bos_token_id": 2,
          "classifier_dropout_prob": 0.1, "down_scale_factor": 1, "embedding_size": 16, "eos_token_id": 3,
          "gap_size": 0, "hidden_act": "gelu_new", "hidden_dropout_prob": 0, "hidden_size": 32,
          "initializer_range": 0.02, "inner_group_num": 1, "intermediate_size": 64, "layer_norm_eps": 1e-12,
          "max_position_embeddings": 64, "model_type": "albert", "net_structure_type": 0, "num_attention_heads": 4,
          "num_hidden_groups": 1, "num_hidden_layers": 4, "num_memory_blocks": 0, "pad_token_id": 0,
          "type_vocab_size": 2}

# (name, config.json, seed, style, dtype, shards, options)
#   style "converted": as the Hub's safetensors conversion writes a pytorch_model.bin whose tied tensors share
#     storage, with the model class's tied-weight names discarded (the decoder weight and the second bias name
#     are not stored); "converted-plain": the same conversion without discard names, which keeps the
#     alphabetically first name of each shared group (RoBERTa: lm_head.decoder.weight, not the word embeddings)
#     and records the dropped name in __metadata__; "full": every name stored, tied tensors duplicated.
FIXTURES = [
    ("tiny-roberta", ROBERTA, 11, "converted", "F32", 1, {}),
    ("tiny-roberta-full", dict(ROBERTA, hidden_act="gelu_new", num_hidden_layers=2), 12, "full", "F16", 1,
     {"pooler": True, "position_ids": "roberta.embeddings.position_ids"}),
    ("tiny-xlm-roberta", XLMR, 13, "converted-plain", "F32", 1, {"pooler": True}),
    ("tiny-distilbert", DISTILBERT, 14, "converted", "F32", 1, {}),
    ("tiny-distilbert-sinusoidal", dict(DISTILBERT, sinusoidal_pos_embds=True, activation="relu", n_layers=2), 15,
     "full", "F16", 1, {}),
    ("tiny-electra-generator", ELECTRA, 24, "converted", "F32", 1, {}),
    ("tiny-electra-small-generator", dict(ELECTRA, embedding_size=16), 17, "full", "BF16", 2, {}),
    ("tiny-albert", ALBERT, 18, "converted", "F32", 1,
     {"pooler": True, "position_ids": "albert.embeddings.position_ids"}),
]



def randomize(m, seed, cfg):
    g = torch.Generator().manual_seed(seed)
    tied = {m.decoder_weight}
    with torch.no_grad():
        for name, p in m.named_parameters():
            if name in tied:
                continue
            if name.endswith("position_embeddings.weight") and cfg.get("sinusoidal_pos_embds"):
                v = p.detach().clone()  # keep DistilBERT's sinusoidal table
            elif "LayerNorm.weight" in name or "layer_norm.weight" in name:
                v = 1 + 0.2 * torch.randn(p.shape, generator=g)
            elif "embeddings" in name and p.dim() == 2:
                v = 0.5 * torch.randn(p.shape, generator=g)
            elif p.dim() == 2:
                v = torch.randn(p.shape, generator=g) * (1.5 / p.shape[1] ** 0.5)
            else:
                v = 0.2 * torch.randn(p.shape, generator=g)
            p.copy_(round_weights(v, g))
    m.eval()


def checkpoint_tensors(m, cfg, style, opts):
    """(name, array) pairs as a real file of the style stores them, and its __metadata__ aliases."""
    sd = {k: v.detach().numpy().copy() for k, v in m.state_dict().items()}
    word = [k for k in sd if k.endswith("embeddings.word_embeddings.weight")][0]
    bias = m.bias_names[0]
    aliases = {}
    if style == "full":
        sd[m.decoder_weight] = sd[word].copy()
        for extra in m.bias_names[1:]:
            sd[extra] = sd[bias].copy()
    else:
        sd.pop(m.decoder_weight, None)
        if style == "converted-plain":  # sorted(shared)[0] is kept
            keep = sorted([word, m.decoder_weight])[0]
            drop = word if keep == m.decoder_weight else m.decoder_weight
            sd[keep] = m.state_dict()[word].detach().numpy().copy()
            sd.pop(drop, None)
            aliases[drop] = keep
            for extra in m.bias_names[1:]:
                aliases[extra] = bias
    h = cfg.get("hidden_size", cfg.get("dim"))
    rng = np.random.default_rng(7)
    if opts.get("pooler"):
        base = m.base
        dense = f"{base}.pooler.dense" if base != "albert" else f"{base}.pooler"
        sd[dense + ".weight"] = round_weights(torch.from_numpy(rng.standard_normal((h, h)).astype(np.float32)), None).numpy()
        sd[dense + ".bias"] = np.zeros(h, np.float32)
    if opts.get("position_ids"):
        sd[opts["position_ids"]] = np.arange(cfg["max_position_embeddings"], dtype=np.int64)[None]
    return sorted(sd.items()), aliases


def add_metadata(path, extra):
    """Adds entries to a safetensors file's __metadata__ (the conversion records dropped names there)."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    header["__metadata__"].update(extra)
    hb = json.dumps(header, separators=(",", ":")).encode()
    hb += b" " * ((8 - len(hb) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hb)) + hb + raw[8 + n:])


def write_fixture(name, cfg, seed, style, dtype, shards, opts):
    d = os.path.join(TESTDATA, name)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        os.remove(os.path.join(d, f))
    _, src, files = TOKENIZERS[name]
    for fn in files:
        shutil.copyfile(os.path.join(src, fn), os.path.join(d, fn))
    cfg = dict(cfg, vocab_size=max(vocabulary(name).values()) + 1)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2, sort_keys=True)
    c = encoders_ref.read_config(os.path.join(d, "config.json"))
    m = encoders_ref.build(c)
    randomize(m, seed, c)
    tensors, aliases = checkpoint_tensors(m, c, style, opts)
    if shards == 1:
        path = os.path.join(d, "model.safetensors")
        bertref.write_safetensors(path, tensors, dtype)
        if aliases:
            add_metadata(path, aliases)
    else:
        per = (len(tensors) + shards - 1) // shards
        wm = {}
        for i in range(shards):
            fn = f"model-{i + 1:05d}-of-{shards:05d}.safetensors"
            part = tensors[i * per:(i + 1) * per]
            bertref.write_safetensors(os.path.join(d, fn), part, dtype)
            wm.update({n: fn for n, _ in part})
        with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {"total_size": 0}, "weight_map": wm}, f, indent=2)
    loaded = encoders_ref.load(d)
    for (k, a), (_, b) in zip(m.state_dict().items(), loaded.state_dict().items()):
        assert torch.equal(a, b), f"{name}: {k} did not round-trip"
    return loaded


def sequences(c, rng, vocab):
    """Token id sequences with the family's first and last special tokens, a mask token in some; RoBERTa's
    include one of the longest length the position table allows and a pad id inside a sequence (HF gives it
    position padding_idx and does not count it)."""
    first, last, mask = (vocab[t] for t in SPECIAL_NAMES[c["model_type"]])
    lengths = [5, 12, 9, 17, 3]
    if c["model_type"] in ("roberta", "xlm-roberta"):
        lengths.append(c["max_position_embeddings"] - c["pad_token_id"] - 1)
    else:
        lengths.append(c["max_position_embeddings"])
    seqs = []
    for n in lengths:
        mid = rng.integers(5, c["vocab_size"] - 1, size=n - 2).tolist()
        seqs.append([first] + mid + [last])
    seqs[1][4], seqs[3][10] = mask, mask
    if c["model_type"] in ("roberta", "xlm-roberta"):
        seqs[2][3] = c["pad_token_id"]
    return seqs


def pad(seqs, pad_id):
    n = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), n), pad_id, dtype=torch.long)
    mask = torch.zeros((len(seqs), n), dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = torch.tensor(s)
        mask[i, : len(s)] = 1
    return ids, mask


def sig(a):
    return [float("%.8g" % v) for v in np.asarray(a, dtype=np.float64).ravel()]


def golden(name, m, c, seed, vocab):
    """Computed in float64; PyTorch's float32 pass must agree to CONDITIONING, so that the 1e-4 tolerance of
    the Go tests (float32) measures the engine, not the fixture's conditioning."""
    rng = np.random.default_rng(seed)
    seqs = sequences(c, rng, vocab)
    ids, mask = pad(seqs, c["pad_token_id"])
    with torch.no_grad():
        f32 = m(ids, mask)
        m = m.double()
        drift = (m(ids, mask) - f32.double()).abs().max().item()
    print(f"{name}: float32 vs float64 logits differ by {drift:.2e}", file=sys.stderr)
    assert drift < CONDITIONING, f"{name}: badly conditioned fixture; pick another seed"
    capture = [[0, 0], [0, 2], [1, 4], [2, 3], [3, 10], [4, 2], [5, len(seqs[5]) - 1]]
    logit_sites = [[1, 4], [3, 10], [0, 2], [5, len(seqs[5]) - 1]]
    n_layers, units = encoders_ref.study_layers(c), c.get("intermediate_size", c.get("hidden_dim"))

    pre = [[None] * len(capture) for _ in range(n_layers)]

    def record(layer, u):
        for i, (s, p) in enumerate(capture):
            pre[layer][i] = u[s, p].detach().clone()
        return u

    with torch.no_grad():
        m(ids, mask, record)
        clean = m(ids, mask)
    acts_pre = [[sig(v) for v in layer] for layer in pre]
    acts_post = [[sig(m.act(v)) for v in layer] for layer in pre]

    V = c["vocab_size"]
    vocab_ids = list(range(V)) if V <= GOLDEN_VOCAB else sorted(set(np.linspace(0, V - 1, GOLDEN_VOCAB).astype(int).tolist()))

    def logits_at(lg):
        return [sig(lg[s, p, vocab_ids]) for s, p in logit_sites]

    lesions = []
    for layer in range(n_layers):
        zero = [{"site": [1, 4], "units": list(range(layer % 3, units, 3))},
                {"site": [3, 10], "units": list(range(1, units, 5))}]

        def lesion(l, u, layer=layer, zero=zero):
            if l != layer:
                return u
            u = u.clone()
            for z in zero:
                u[z["site"][0], z["site"][1], z["units"]] = 0
            return u

        with torch.no_grad():
            lg = m(ids, mask, lesion)
        lesions.append({"layer": layer, "zero": zero, "logits": logits_at(lg)})
    g = {"fixture": name, "model_type": c["model_type"], "seqs": seqs, "capture": capture,
         "acts_pre": acts_pre, "acts_post": acts_post, "logit_sites": logit_sites,
         "vocab": vocab_ids if len(vocab_ids) < V else None, "logits": logits_at(clean),
         "lesions": lesions}
    os.makedirs(os.path.join(TESTDATA, "golden"), exist_ok=True)
    with open(os.path.join(TESTDATA, "golden", name + ".json"), "w") as f:
        json.dump(g, f, separators=(",", ":"))


def tokenize_all(requests):
    """[(fixture name, texts)] -> per fixture, [(ids, tokens)] with special tokens, from the
    reference tokenizers: transformers.js on tokenizer.json (roberta-base-reduced's, with the same vocabulary and
    merges, for the fixture that carries only vocab.json + merges.txt), bertref's BertTokenizer on vocab.txt."""
    js = [(n, texts) for n, texts in requests if TOKENIZERS[n][0] != "wordpiece"]
    out = {}
    if js:
        dirs = [ROBERTA_TOK if TOKENIZERS[n][0] == "bpe" else os.path.join(TESTDATA, n) for n, _ in js]
        req = {"tokenizers": [{"dir": d, "texts": t} for d, (_, t) in zip(dirs, js)]}
        res = subprocess.run(["node", os.path.join(os.path.dirname(__file__), "family_tokens.mjs")],
                             input=json.dumps(req), capture_output=True, text=True, check=True)
        for (n, _), r in zip(js, json.loads(res.stdout)["tokenizers"]):
            out[n] = [(e["ids"], e["tokens"]) for e in r["encodings"]]
    for n, texts in requests:
        if TOKENIZERS[n][0] == "wordpiece":
            tok = bertref.BertTokenizer(os.path.join(TESTDATA, n, "vocab.txt"))
            out[n] = [(tok.encode(t), ["[CLS]"] + tok.tokenize(t) + ["[SEP]"]) for t in texts]
    return out


def mask_token(name, c):
    """The model's mask token, which the sentence files' [MASK] stands for."""
    return "[MASK]" if TOKENIZERS[name][0] == "wordpiece" else SPECIAL_NAMES[c["model_type"]][2]


def study_golden(name, m, c, enc):
    """The notebook's study (SPEC.md's reading) on a fixture, both t-test variants, as make_fixture.py does for
    tiny-bert. The contrast words are the tokens they are inside a sentence (Ġhim, ▁him, him) and the test texts'
    [MASK] is the model's mask token."""
    marker = MARKER[TOKENIZERS[name][0]]
    him, her = marker + "him", marker + "her"
    sent, test = enc[: len(SENTENCES)], enc[len(SENTENCES):]
    targets = []
    for i, (ids, toks) in enumerate(sent):
        word = him if i < 54 else her
        assert toks.count(word) == 1, f"{name}: sentence {i} has {toks.count(word)} {word!r}: {toks}"
        targets.append(toks.index(word))
    him_id, her_id = sent[0][0][targets[0]], sent[54][0][targets[54]]
    mask_id = test[1][0][test[1][1].index(mask_token(name, c))]
    mher, mhim = test[1][0].index(mask_id), test[2][0].index(mask_id)
    ids, amask = pad([e[0] for e in sent], c["pad_token_id"])
    tids, tmask = pad([e[0] for e in test], c["pad_token_id"])
    layers = encoders_ref.study_layers(c)
    acts = [[None] * len(sent) for _ in range(layers)]

    def record(layer, u):
        for i, p in enumerate(targets):
            acts[layer][i] = u[i, p].numpy()
        return u

    def target_logits(edit=encoders_ref.no_edit):
        with torch.no_grad():
            lg = m(tids, tmask, edit)
        return np.array([[[lg[s, p, her_id].item(), lg[s, p, him_id].item()] for p in (mher, mhim)] for s in range(3)])

    def lesion(layer, her_units, him_units):
        def edit(l, u):
            if l != layer:
                return u
            u = u.clone()
            u[1, mher, list(her_units)] = 0
            u[2, mhim, list(him_units)] = 0
            return u
        return edit

    with torch.no_grad():
        m(ids, amask, record)
    acts = np.array(acts, dtype=np.float64)
    clean = target_logits()
    out = {"model": name, "alpha": ALPHA, "targets": targets, "mask_her": mher, "mask_him": mhim, "her_id": her_id,
           "him_id": him_id, "token_ids": [e[0] for e in sent], "test_ids": [e[0] for e in test],
           "clean": clean.tolist()}
    for variant, equal_var in (("student", True), ("welch", False)):
        rows, most, least, margin = [], [], [], 1.0
        for L in range(layers):
            res = stats.ttest_ind(acts[L, :54], acts[L, 54:], axis=0, equal_var=equal_var)
            t, p = np.nan_to_num(res.statistic, nan=0.0), np.nan_to_num(res.pvalue, nan=1.0)
            q = multipletests(p, method="fdr_bh")[1]
            margin = min(margin, float(np.min(np.abs(q - ALPHA) / ALPHA)))
            sig_ = q < ALPHA
            him_n, her_n = np.where(sig_ & (t > 0))[0], np.where(sig_ & (t < 0))[0]
            order = np.argsort(np.abs(t), kind="stable")
            rows.append({"layer": L, "t": sig(t), "p": [float("%.9g" % v) for v in p],
                         "q": [float("%.9g" % v) for v in q], "him": him_n.tolist(), "her": her_n.tolist()})
            for (hr, hm), dest in (((her_n, him_n), most), ((order[: len(her_n)], order[: len(him_n)]), least)):
                abl = target_logits(lesion(L, hr, hm))
                d = clean - abl
                dest.append({"layer": L, "neurons": {"her": [int(x) for x in hr], "him": [int(x) for x in hm]},
                             "ablated": abl.tolist(), "delta": d.tolist(), "magnitude": float(np.mean(np.abs(d))),
                             "her_impact": float(d[1, 0, 0]), "him_impact": float(d[2, 1, 1])})
        print(f"{name} study {variant}: closest q is {margin:.2e} (relative) from alpha; "
              f"{sum(len(r['him']) + len(r['her']) for r in rows)} significant units", file=sys.stderr)
        assert margin > 1e-3, f"{name}: a q-value sits on the alpha boundary; pick another seed"
        out[variant] = {"layers": rows, "most": most, "least": least}
    with open(os.path.join(TESTDATA, "golden", name + ".study.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))


def main():
    torch.set_num_threads(1)
    models = {}
    for name, cfg, seed, style, dtype, shards, opts in FIXTURES:
        m = write_fixture(name, cfg, seed, style, dtype, shards, opts)
        golden(name, m, m.config, seed, vocabulary(name))
        models[name] = m.double()
        print(f"wrote {name}", file=sys.stderr)
    requests = []
    for name, m in models.items():
        mask = mask_token(name, m.config)
        requests.append((name, SENTENCES + TEXTS[:1] + [t.replace("[MASK]", mask) for t in TEXTS[1:]]))
    for name, tokens in tokenize_all(requests).items():
        study_golden(name, models[name], models[name].config, tokens)



if __name__ == "__main__":
    main()
