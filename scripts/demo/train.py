#!/usr/bin/python3
"""Pretrains lesionui's shipped demo model: a small BERT masked LM, checkpointed so that a run survives interruption.

Usage (after scripts/demo/build_corpus.py; demo/model/SOURCES.md has the exact commands of the shipped model):

    nice -n 19 /usr/bin/python3 scripts/demo/train.py --run scripts/demo/runs/NAME --steps 30000 [options]

Run the same command again after an interruption: it resumes from RUN/checkpoint.pt (model, optimiser, step,
data position and random states), so the result is the same as an uninterrupted run. RUN/args.json keeps the
arguments of the first start; a resume uses them (only --steps, --save-minutes, --ckpt-minutes and --threads
may be changed on the command line; raising --steps stretches the remaining cosine schedule).

Steps:
  1. Vocabulary. bert-base-uncased's vocab.txt (testdata/vocab/bert-base-uncased) is pruned to: the specials
     [PAD] [UNK] [CLS] [SEP] [MASK] (ids 0-4), every single-character token and its ## form (so any word still
     tokenizes as before the pruning, letter by letter at worst), every piece the corpus uses at least
     --min-count times under the full vocabulary, and every piece of the notebook's sentences and test texts
     (scripts/reference/notebook.py). Kept tokens keep their relative order. The corpus is re-tokenized with
     the pruned vocabulary, so training and the Go engine see identical ids. Written to RUN/vocab.txt.
  2. Model: scripts/reference/bertref.py's BertForMaskedLM (HF parameter names, tied decoder), HF initialisation
     (normal 0.02, zero biases), --layers/--hidden/--heads/--intermediate; hidden dropout --dropout (HF's
     places: after the embedding LayerNorm and after the attention-output and output dense layers) during
     training only. Or, with --init, an HF-layout model to continue: its shape and vocabulary are kept, except
     that --extend-vocab adds the pieces the corpus uses --min-count times (union in bert-base order; trained
     rows keep their values) and --grow-layers N stacks copies of its top layers up to N layers (grow()).
  3. Objective: masked LM on single sentences ([CLS] s [SEP], at most --seq-len tokens), 15% of the
     non-special tokens chosen, 80% -> [MASK], 10% -> random token, 10% unchanged. Pronoun over-sampling:
     he/she/him/her/his/hers/himself/herself are chosen with probability --pronoun-rate instead of 0.15 (and
     left unchanged with probability --pronoun-keep), so that the him/her distinction - what the lesion study
     probes - is learnt within CPU hours. Loss is computed at the chosen positions only.
  4. Optimisation: AdamW (betas 0.9/0.98, eps 1e-6, weight decay 0.01 on matrices), linear warm-up over
     --warmup steps, cosine decay to 0 at --steps, gradient clipping at 1.0; batches of sentences of similar
     length, ~--batch-tokens padded tokens each, in an order drawn per epoch from --seed.
  5. Every --ckpt-minutes: RUN/checkpoint.pt (atomic). Every --save-minutes and at the end: the model exported in
     HF layout to --out (default RUN/model: config.json, vocab.txt, tokenizer_config.json, model.safetensors in
     F16 with "bert."/"cls." names and the tied decoder weight omitted; atomic), and a probe printed: held-out
     masked-LM loss/accuracy (2,000 test sentences evenly spread over the split, fixed masks) and her-vs-him accuracy on evaluate.py's fresh
     sentences, the built-in eval set and the notebook's two masks. The probe is only printed: training never
     selects or stops on it.

Uses --threads CPU threads (default 2); run it under nice -n 19, the machine is shared. Deterministic given the
arguments (same machine, same torch).
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

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # sleeping OpenMP waits (why: evaluate.py); before torch loads

import numpy as np  # noqa: E402
import torch  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts", "reference"))
import bertref  # noqa: E402
import notebook  # noqa: E402
import evaluate  # noqa: E402
import heldout  # noqa: E402

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
PRONOUNS = ["he", "she", "him", "her", "his", "hers", "himself", "herself"]
RESUMABLE = ("steps", "save_minutes", "ckpt_minutes", "threads")


def config_dict(vocab_size, hidden, layers, heads, intermediate, seq_max):
    """HF BertConfig fields of the demo model, plus lesionui's demo marker."""
    return {
        "architectures": ["BertForMaskedLM"],
        "model_type": "bert",
        "attention_probs_dropout_prob": 0.1,
        "hidden_dropout_prob": 0.1,
        "hidden_act": "gelu",
        "hidden_size": hidden,
        "initializer_range": 0.02,
        "intermediate_size": intermediate,
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


def union_vocab(full_vocab_path, *vocabs):
    """The pieces of several pruned vocabularies, in the full vocabulary's order (specials first)."""
    keep = set().union(*vocabs)
    return SPECIALS + [t for t in read_lines(full_vocab_path) if t in keep and t not in SPECIALS]


def remap_vocab(model, old_vocab, new_vocab):
    """The model with its word embeddings and decoder bias moved to new_vocab's ids: rows of pieces in both keep
    their trained values, new pieces get HF's initialisation (normal 0.02, zero bias)."""
    cfg = dict(model.config, vocab_size=len(new_vocab))
    new = bertref.BertForMaskedLM(cfg)
    init_weights(new)
    state = model.state_dict()
    emb, bias = state["bert.embeddings.word_embeddings.weight"], state["cls.predictions.bias"]
    old_id = {t: i for i, t in enumerate(old_vocab)}
    src = torch.tensor([old_id.get(t, -1) for t in new_vocab])
    have = src >= 0
    ne, nb = new.state_dict()["bert.embeddings.word_embeddings.weight"].clone(), torch.zeros(len(new_vocab))
    ne[have], nb[have] = emb[src[have]], bias[src[have]]
    state["bert.embeddings.word_embeddings.weight"], state["cls.predictions.bias"] = ne, nb
    state["cls.predictions.decoder.weight"] = ne
    new.load_state_dict(state)
    print(f"vocabulary {len(old_vocab)} -> {len(new_vocab)} pieces ({int((~have).sum())} new)", flush=True)
    return new, cfg


def grow(model, layers):
    """Progressive stacking (Gong et al. 2019, "Efficient training of BERT by progressively stacking"): a deeper
    model whose first layers are the trained ones and whose added layers are copies of the top ones
    (4 -> 6: layers 0 1 2 3 2 3)."""
    n = model.config["num_hidden_layers"]
    src = list(range(n)) + list(range(max(0, 2 * n - layers), n))[: layers - n]
    while len(src) < layers:
        src += list(range(n))[: layers - len(src)]
    cfg = dict(model.config, num_hidden_layers=layers)
    new = bertref.BertForMaskedLM(cfg)
    state = {k: v for k, v in model.state_dict().items() if ".encoder.layer." not in k}
    for i, j in enumerate(src):
        for k, v in model.bert.encoder.layer[j].state_dict().items():
            state[f"bert.encoder.layer.{i}.{k}"] = v.clone()
    new.load_state_dict(state)
    print(f"layers {n} -> {layers} (copies of layers {src})", flush=True)
    return new, cfg


def add_dropout(model, p):
    """Hidden dropout at HF's places, active in training mode only (bertref's modules have none)."""
    if p <= 0:
        return
    drop = lambda mod, inp, out: torch.nn.functional.dropout(out, p, training=model.training)  # noqa: E731
    model.bert.embeddings.LayerNorm.register_forward_hook(drop)
    for layer in model.bert.encoder.layer:
        layer.attention.output.dense.register_forward_hook(drop)
        layer.output.dense.register_forward_hook(drop)


def probe(model, tok, test, pronoun_ids):
    """The held-out numbers printed at each save (see the module doc, step 5)."""
    l, acc = evaluate_loss(model, test, len(tok.inv), pronoun_ids, torch.Generator().manual_seed(7))
    model.eval()
    fresh = evaluate.pronoun_choice(model, tok, heldout.PRONOUN_SET)[0]
    builtin = evaluate.pronoun_choice(model, tok, heldout.read_eval())[0]
    nb = evaluate.pronoun_choice(model, tok, [(notebook.TEXTS[1], "her"), (notebook.TEXTS[2], "him")])[1]
    model.train()
    return (f"held-out loss {l:.3f} acc {acc:.3f}; her/him fresh {fresh:.3f} builtin-eval {builtin:.3f} "
            f"notebook HER mask {'right' if nb['her'][0] else 'wrong'}, HIM mask {'right' if nb['him'][0] else 'wrong'}")


def save_checkpoint(path, state):
    tmp = path + ".tmp"
    torch.save(state, tmp)
    os.replace(tmp, path)


def run_args(ap):
    """Parses the command line; for an existing run, its first start's arguments with the RESUMABLE overrides."""
    a = ap.parse_args()
    os.makedirs(a.run, exist_ok=True)
    saved = os.path.join(a.run, "args.json")
    if os.path.exists(saved):
        with open(saved) as f:
            first = json.load(f)
        args = sys.argv[1:]
        for act in ap._actions:
            given = any(x == o or x.startswith(o + "=") for o in act.option_strings for x in args)
            if given and act.dest not in RESUMABLE and act.dest != "run" and getattr(a, act.dest) != first.get(act.dest):
                sys.exit(f"train.py: {saved} fixes --{act.dest.replace('_', '-')} = {first.get(act.dest)!r}; "
                         f"a resumed run may change only {', '.join('--' + k.replace('_', '-') for k in RESUMABLE)}")
            if given and act.dest in RESUMABLE:
                first[act.dest] = getattr(a, act.dest)
        a = argparse.Namespace(**first)
    else:
        with open(saved, "w") as f:
            json.dump(vars(a), f, indent=1)
    return a


def parser():
    """train.py's command line (ship.py rebuilds a stage's command from it)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--run", required=True, help="run directory: args.json, vocab.txt, checkpoint.pt, model/")
    ap.add_argument("--corpus", default="/tmp/lesionui-demo-corpus")
    ap.add_argument("--vocab", default=os.path.join(ROOT, "testdata/vocab/bert-base-uncased/vocab.txt"))
    ap.add_argument("--out", help="where the HF-layout model is exported (default RUN/model)")
    ap.add_argument("--steps", type=int, default=30000)
    ap.add_argument("--save-minutes", type=float, default=20)
    ap.add_argument("--ckpt-minutes", type=float, default=10)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--intermediate", type=int, default=1024)
    ap.add_argument("--dropout", type=float, default=0.05)
    ap.add_argument("--seq-len", type=int, default=64)
    ap.add_argument("--min-count", type=int, default=20)
    ap.add_argument("--batch-tokens", type=int, default=4096)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--warmup", type=int, default=1000)
    ap.add_argument("--pronoun-rate", type=float, default=0.5)
    ap.add_argument("--pronoun-keep", type=float, default=0.25, help="share of chosen pronouns left unchanged")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--bench", type=int, default=0, help="time this many steps and exit (nothing is written)")
    ap.add_argument("--init", help="continue training this HF-layout model directory (its vocab.txt and config.json are kept)")
    ap.add_argument("--extend-vocab", action="store_true", help="with --init: add the corpus's pieces to its vocabulary")
    ap.add_argument("--grow-layers", type=int, default=0, help="with --init: stack copies of its top layers up to this depth")
    return ap


def main():
    ap = parser()
    a = run_args(ap)
    out = a.out or os.path.join(a.run, "model")
    ckpt_path = os.path.join(a.run, "checkpoint.pt")

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    t0 = time.time()
    train_lines = read_lines(os.path.join(a.corpus, "train.txt"))
    test_lines = read_lines(os.path.join(a.corpus, "test.txt"))
    vpath = os.path.join(a.run, "vocab.txt")
    if not os.path.exists(vpath):
        if a.init and a.extend_vocab:
            vocab = union_vocab(a.vocab, read_lines(os.path.join(a.init, "vocab.txt")), prune_vocab(a.vocab, train_lines, a.min_count))
        elif a.init:
            vocab = read_lines(os.path.join(a.init, "vocab.txt"))
        else:
            vocab = prune_vocab(a.vocab, train_lines, a.min_count)
        with open(vpath, "w", encoding="utf-8") as f:
            f.write("\n".join(vocab) + "\n")
    vocab = read_lines(vpath)
    tok = bertref.BertTokenizer(vpath)
    train = encode_all(tok, train_lines, a.seq_len)
    test = encode_all(tok, test_lines[:: max(1, len(test_lines) // 2000)][:2000], a.seq_len)  # spread over all sources
    ntok = sum(len(s) for s in train)
    print(f"vocab {len(vocab)}; train {len(train)} sentences, {ntok} tokens; prep {time.time()-t0:.0f}s", flush=True)

    if a.init:
        model = bertref.load(a.init)
        cfg = model.config
        print(f"continuing from {a.init}", flush=True)
        if len(vocab) != cfg["vocab_size"]:
            model, cfg = remap_vocab(model, read_lines(os.path.join(a.init, "vocab.txt")), vocab)
        if a.grow_layers and a.grow_layers > cfg["num_hidden_layers"]:
            model, cfg = grow(model, a.grow_layers)
    else:
        cfg = config_dict(len(vocab), a.hidden, a.layers, a.heads, a.intermediate, 128)
        model = bertref.BertForMaskedLM(cfg)
        init_weights(model)
    add_dropout(model, a.dropout)
    model.train()
    nparams = sum(p.numel() for p in model.parameters())
    print(f"parameters {nparams} ({2 * nparams / 1e6:.1f} MB in F16): {cfg['num_hidden_layers']} layers, hidden "
          f"{cfg['hidden_size']}, {cfg['num_attention_heads']} heads, intermediate {cfg['intermediate_size']}", flush=True)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], lr=a.lr, betas=(0.9, 0.98), eps=1e-6
    )
    pronoun_ids = torch.tensor([tok.vocab[w] for w in PRONOUNS if w in tok.vocab])
    gen = torch.Generator().manual_seed(a.seed)
    step, epoch, pos, ema, elapsed = 0, 0, 0, None, 0.0
    if os.path.exists(ckpt_path) and not a.bench:
        ck = torch.load(ckpt_path)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        gen.set_state(ck["gen"])
        torch.set_rng_state(ck["torch_rng"])
        step, epoch, pos, ema, elapsed = ck["step"], ck["epoch"], ck["pos"], ck["ema"], ck["elapsed"]
        print(f"resumed from {ckpt_path}: step {step}, epoch {epoch + 1} batch {pos}, {elapsed/60:.1f} min trained", flush=True)

    def checkpoint():
        save_checkpoint(ckpt_path, {"model": model.state_dict(), "opt": opt.state_dict(), "gen": gen.get_state(),
                                    "torch_rng": torch.get_rng_state(), "step": step, "epoch": epoch, "pos": pos,
                                    "ema": ema, "elapsed": elapsed + time.time() - start})

    start = last_save = last_ckpt = time.time()
    bench_from = step
    while step < a.steps and not (a.bench and step - bench_from >= a.bench):
        batches = make_batches(train, a.batch_tokens, random.Random(a.seed * 100003 + epoch))
        while pos < len(batches) and step < a.steps and not (a.bench and step - bench_from >= a.bench):
            frac = step / a.steps
            lr = a.lr * min(1.0, (step + 1) / a.warmup) * 0.5 * (1 + math.cos(math.pi * frac))
            for g in opt.param_groups:
                g["lr"] = lr
            ids, attn = collate(train, batches[pos])
            inputs, chosen, labels = mask_tokens(ids, attn, len(vocab), pronoun_ids, 0.15, a.pronoun_rate, gen, a.pronoun_keep)
            h = model.hidden(inputs, attn)[chosen]
            loss = torch.nn.functional.cross_entropy(model.cls.predictions(h), labels)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            step += 1
            pos += 1
            ema = loss.item() if ema is None else 0.98 * ema + 0.02 * loss.item()
            if step % 100 == 0:
                el = time.time() - start
                rate = (step - bench_from) / el
                eta = (a.steps - step) / rate / 3600
                print(f"step {step} epoch {epoch + 1} loss {ema:.3f} lr {lr:.2e} {rate:.3f} steps/s "
                      f"{(elapsed + el)/60:.1f} min trained, ETA {eta:.2f} h", flush=True)
            if a.bench:
                continue
            if time.time() - last_ckpt > a.ckpt_minutes * 60:
                checkpoint()
                last_ckpt = time.time()
            if time.time() - last_save > a.save_minutes * 60:
                export(model, cfg, vocab, out)
                print(f"exported step {step} to {out}: {probe(model, tok, test, pronoun_ids)}", flush=True)
                last_save = time.time()
        if pos >= len(batches):
            epoch, pos = epoch + 1, 0
    if a.bench:
        print(f"{(step - bench_from) / (time.time() - start):.3f} steps/s, {a.batch_tokens} tokens a batch", flush=True)
        return
    checkpoint()
    export(model, cfg, vocab, out)
    print(f"final step {step} epoch {epoch + 1}: exported to {out}: {probe(model, tok, test, pronoun_ids)}", flush=True)


if __name__ == "__main__":
    main()
