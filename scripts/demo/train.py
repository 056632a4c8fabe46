#!/usr/bin/python3
"""Pretrains lesionui's shipped demo model: a small BERT masked LM, written in HF layout to demo/model/.

Usage (after scripts/demo/build_corpus.py):

    nice -n 19 /usr/bin/python3 scripts/demo/train.py --minutes 80 [--corpus /tmp/lesionui-demo-corpus]

Steps:
  1. Vocabulary. bert-base-uncased's vocab.txt (testdata/vocab/bert-base-uncased) is pruned to: the specials
     [PAD] [UNK] [CLS] [SEP] [MASK] (ids 0-4), every single-character token and its ## form (so any word still
     tokenizes as before the pruning, letter by letter at worst), every piece the corpus uses at least
     --min-count times under the full vocabulary, and every piece of the notebook's sentences and test texts
     (scripts/reference/notebook.py). Kept tokens keep their relative order. The corpus is re-tokenized with
     the pruned vocabulary, so training and the Go engine see identical ids.
  2. Model: scripts/reference/bertref.py's BertForMaskedLM (HF parameter names, tied decoder, no dropout),
     HF initialisation (normal 0.02, zero biases), 4 layers, hidden 192, 4 heads, intermediate 768, or with --init
     a model to continue (the shipped model: two stages, see demo/model/SOURCES.md).
  3. Objective: masked LM on single sentences ([CLS] s [SEP], at most --seq-len tokens), 15% of the
     non-special tokens chosen, 80% -> [MASK], 10% -> random token, 10% unchanged. Pronoun over-sampling:
     he/she/him/her/his/hers/himself/herself are chosen with probability --pronoun-rate (default 0.5)
     instead of 0.15, so that the him/her distinction - what the lesion study probes - is learnt within
     the short CPU budget. Loss is computed at the chosen positions only.
  4. Optimisation: AdamW (lr 1e-3, betas 0.9/0.98, weight decay 0.01), linear warm-up over 300 steps, cosine
     decay over the wall-clock budget (the schedule runs on elapsed time, so any --minutes gives a complete
     schedule), gradient clipping at 1.0; batches of sentences of similar length, ~--batch-tokens tokens each.
  5. Export every --save-minutes and at the end: config.json, vocab.txt, tokenizer_config.json and
     model.safetensors (F16, "bert."/"cls." names, tied decoder weight omitted) written atomically to --out,
     so an interrupted run still leaves a usable model.

Runs single-threaded (torch.set_num_threads(1)): the machine is shared. Deterministic given --seed.
"""
import argparse
import collections
import json
import math
import os
import random
import sys
import tempfile
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts", "reference"))
import bertref  # noqa: E402
import notebook  # noqa: E402

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
PRONOUNS = ["he", "she", "him", "her", "his", "hers", "himself", "herself"]


def config_dict(vocab_size, hidden, layers, heads, seq_max):
    """HF BertConfig fields of the demo model, plus lesionui's demo marker."""
    return {
        "architectures": ["BertForMaskedLM"],
        "model_type": "bert",
        "attention_probs_dropout_prob": 0.1,
        "hidden_dropout_prob": 0.1,
        "hidden_act": "gelu",
        "hidden_size": hidden,
        "initializer_range": 0.02,
        "intermediate_size": 4 * hidden,
        "layer_norm_eps": 1e-12,
        "max_position_embeddings": seq_max,
        "num_attention_heads": heads,
        "num_hidden_layers": layers,
        "pad_token_id": 0,
        "position_embedding_type": "absolute",
        "type_vocab_size": 2,
        "vocab_size": vocab_size,
        "torch_dtype": "float16",
        "lesionui_demo": True,
    }


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return [l.rstrip("\n") for l in f if l.strip()]


def prune_vocab(full_vocab_path, corpus, min_count):
    """Returns the pruned token list (see the module doc, step 1)."""
    tok = bertref.BertTokenizer(full_vocab_path)
    counts = collections.Counter()
    for s in corpus:
        counts.update(tok.tokenize(s))
    forced = set()
    for s in notebook.SENTENCES + notebook.TEXTS + PRONOUNS:
        forced.update(tok.tokenize(s))
    keep = []
    for t in tok.inv:
        if t in SPECIALS:
            continue
        bare = t[2:] if t.startswith("##") else t
        if len(bare) == 1 or counts[t] >= min_count or t in forced:
            if not t.startswith("[unused"):
                keep.append(t)
    vocab = SPECIALS + keep
    for w in ("him", "her"):
        assert w in vocab and tok.tokenize(w) == [w], f"{w} must be a single token"
    return vocab


def encode_all(tok, lines, seq_len):
    out = []
    for s in lines:
        ids = tok.encode(s)
        if len(ids) > seq_len:
            ids = ids[: seq_len - 1] + [tok.vocab["[SEP]"]]
        out.append(np.array(ids, dtype=np.int64))
    return out


def make_batches(seqs, batch_tokens, rng):
    """Groups sentences of similar length into batches of about batch_tokens (padded) tokens."""
    order = sorted(range(len(seqs)), key=lambda i: (len(seqs[i]), rng.random()))
    batches, cur, width = [], [], 0
    for i in order:
        w = max(width, len(seqs[i]))
        if cur and w * (len(cur) + 1) > batch_tokens:
            batches.append(cur)
            cur, w = [], len(seqs[i])
        cur.append(i)
        width = w
    if cur:
        batches.append(cur)
    rng.shuffle(batches)
    return batches


def collate(seqs, idx):
    n = max(len(seqs[i]) for i in idx)
    ids = torch.zeros((len(idx), n), dtype=torch.long)
    mask = torch.zeros((len(idx), n), dtype=torch.long)
    for r, i in enumerate(idx):
        ids[r, : len(seqs[i])] = torch.from_numpy(seqs[i])
        mask[r, : len(seqs[i])] = 1
    return ids, mask


def mask_tokens(ids, attn, vocab_size, pronoun_ids, rate, pronoun_rate, gen, pronoun_keep=0.1):
    """BERT's 80/10/10 masking (chosen pronouns: 90-keep/10/keep %); returns (inputs, chosen mask, labels)."""
    special = (ids < len(SPECIALS)) | (attn == 0)
    pronoun = torch.isin(ids, pronoun_ids)
    p = torch.full(ids.shape, rate)
    p[pronoun] = pronoun_rate
    p[special] = 0.0
    chosen = torch.bernoulli(p, generator=gen).bool()
    labels = ids[chosen]
    inputs = ids.clone()
    r = torch.rand(ids.shape, generator=gen)
    mask_below = torch.where(pronoun, 0.9 - pronoun_keep, 0.8)
    inputs[chosen & (r < mask_below)] = SPECIALS.index("[MASK]")
    rnd = chosen & (r >= mask_below) & (r < mask_below + 0.1)
    inputs[rnd] = torch.randint(len(SPECIALS), vocab_size, (int(rnd.sum()),), generator=gen)
    return inputs, chosen, labels


def init_weights(model, std=0.02):
    for m in model.modules():
        if isinstance(m, torch.nn.Linear):
            torch.nn.init.normal_(m.weight, std=std)
            if m.bias is not None:
                torch.nn.init.zeros_(m.bias)
        elif isinstance(m, torch.nn.Embedding):
            torch.nn.init.normal_(m.weight, std=std)
        elif isinstance(m, torch.nn.LayerNorm):
            torch.nn.init.ones_(m.weight)
            torch.nn.init.zeros_(m.bias)
    m = model.cls.predictions
    torch.nn.init.zeros_(m.bias)


def export(model, cfg, vocab, out):
    """Writes the HF-layout model directory atomically (temp dir + rename)."""
    parent = os.path.dirname(os.path.abspath(out))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".model-", dir=parent)
    os.chmod(tmp, 0o755)
    state = model.state_dict()
    tensors = [(k, v.detach().cpu().numpy()) for k, v in state.items() if k != "cls.predictions.decoder.weight"]
    bertref.write_safetensors(os.path.join(tmp, "model.safetensors"), tensors, dtype="F16")
    with open(os.path.join(tmp, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    with open(os.path.join(tmp, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")
    with open(os.path.join(tmp, "tokenizer_config.json"), "w") as f:
        f.write('{"do_lower_case": true}\n')
    keep = [n for n in ("SOURCES.md", "METRICS.md") if os.path.exists(os.path.join(out, n))]
    for n in keep:
        with open(os.path.join(out, n), "rb") as src, open(os.path.join(tmp, n), "wb") as dst:
            dst.write(src.read())
    old = out + ".old"
    if os.path.exists(out):
        os.rename(out, old)
    os.rename(tmp, out)
    if os.path.exists(old):
        for n in os.listdir(old):
            os.remove(os.path.join(old, n))
        os.rmdir(old)


def evaluate_loss(model, seqs, vocab_size, pronoun_ids, gen, batch_tokens=4096):
    """Masked-LM loss and accuracy on held-out sentences (fixed masking from gen)."""
    model.eval()
    tot, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for idx in make_batches(seqs, batch_tokens, random.Random(0)):
            ids, attn = collate(seqs, idx)
            inputs, chosen, labels = mask_tokens(ids, attn, vocab_size, pronoun_ids, 0.15, 0.15, gen)
            h = model.hidden(inputs, attn)[chosen]
            logits = model.cls.predictions(h)
            tot += torch.nn.functional.cross_entropy(logits, labels, reduction="sum").item()
            correct += (logits.argmax(-1) == labels).sum().item()
            n += len(labels)
    model.train()
    return tot / max(n, 1), correct / max(n, 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="/tmp/lesionui-demo-corpus")
    ap.add_argument("--vocab", default=os.path.join(ROOT, "testdata/vocab/bert-base-uncased/vocab.txt"))
    ap.add_argument("--out", default=os.path.join(ROOT, "demo/model"))
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--save-minutes", type=float, default=5)
    ap.add_argument("--hidden", type=int, default=192)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--seq-len", type=int, default=48)
    ap.add_argument("--min-count", type=int, default=5)
    ap.add_argument("--batch-tokens", type=int, default=2048)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--warmup", type=int, default=300)
    ap.add_argument("--pronoun-rate", type=float, default=0.5)
    ap.add_argument("--pronoun-keep", type=float, default=0.1, help="share of chosen pronouns left unchanged")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bench", type=int, default=0, help="time this many steps and exit")
    ap.add_argument("--init", help="continue training this HF-layout model directory (its vocab.txt and config.json are kept)")
    a = ap.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    rng = random.Random(a.seed)
    gen = torch.Generator().manual_seed(a.seed)

    t0 = time.time()
    train_lines = read_lines(os.path.join(a.corpus, "train.txt"))
    test_lines = read_lines(os.path.join(a.corpus, "test.txt"))
    if a.init:
        vocab = read_lines(os.path.join(a.init, "vocab.txt"))
    else:
        vocab = prune_vocab(a.vocab, train_lines, a.min_count)
    vpath = os.path.join(tempfile.gettempdir(), "lesionui-demo-vocab.txt")
    with open(vpath, "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")
    tok = bertref.BertTokenizer(vpath)
    train = encode_all(tok, train_lines, a.seq_len)
    test = encode_all(tok, test_lines[:2000], a.seq_len)
    ntok = sum(len(s) for s in train)
    print(f"vocab {len(vocab)}; train {len(train)} sentences, {ntok} tokens; prep {time.time()-t0:.0f}s", flush=True)

    if a.init:
        model = bertref.load(a.init)
        cfg = model.config
        print(f"continuing from {a.init}", flush=True)
    else:
        cfg = config_dict(len(vocab), a.hidden, a.layers, a.heads, 128)
        model = bertref.BertForMaskedLM(cfg)
        init_weights(model)
    model.train()
    nparams = sum(p.numel() for p in model.parameters())
    print(f"parameters {nparams}", flush=True)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], lr=a.lr, betas=(0.9, 0.98), eps=1e-6
    )
    pronoun_ids = torch.tensor([tok.vocab[w] for w in PRONOUNS if w in tok.vocab])

    budget = a.minutes * 60
    start = last_save = time.time()
    step, epoch, ema = 0, 0, None
    done = False
    while not done:
        epoch += 1
        for idx in make_batches(train, a.batch_tokens, rng):
            frac = (time.time() - start) / budget
            if frac >= 1 or (a.bench and step >= a.bench):
                done = True
                break
            lr = a.lr * min(1.0, (step + 1) / a.warmup) * 0.5 * (1 + math.cos(math.pi * frac))
            for g in opt.param_groups:
                g["lr"] = lr
            ids, attn = collate(train, idx)
            inputs, chosen, labels = mask_tokens(ids, attn, len(vocab), pronoun_ids, 0.15, a.pronoun_rate, gen, a.pronoun_keep)
            h = model.hidden(inputs, attn)[chosen]
            loss = torch.nn.functional.cross_entropy(model.cls.predictions(h), labels)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            step += 1
            ema = loss.item() if ema is None else 0.98 * ema + 0.02 * loss.item()
            if step % 100 == 0:
                el = time.time() - start
                print(f"step {step} epoch {epoch} loss {ema:.3f} lr {lr:.2e} {el/step:.3f}s/step {el/60:.1f}min", flush=True)
            if time.time() - last_save > a.save_minutes * 60:
                l, acc = evaluate_loss(model, test, len(vocab), pronoun_ids, torch.Generator().manual_seed(7))
                export(model, cfg, vocab, a.out)
                print(f"saved at step {step}: held-out loss {l:.3f} acc {acc:.3f}", flush=True)
                last_save = time.time()
    if a.bench:
        print(f"{(time.time()-start)/step:.3f}s/step", flush=True)
        return
    l, acc = evaluate_loss(model, test, len(vocab), pronoun_ids, torch.Generator().manual_seed(7))
    export(model, cfg, vocab, a.out)
    print(f"final step {step} epoch {epoch}: held-out loss {l:.3f} acc {acc:.3f}", flush=True)


if __name__ == "__main__":
    main()
