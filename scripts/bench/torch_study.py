#!/usr/bin/python3
"""The notebook's lesioning study done the notebook's way in PyTorch, timed phase by phase.

Run by `go run ./scripts/bench` (see scripts/bench/main.go) on its random bert-large checkpoint;
by hand:

    /usr/bin/python3 scripts/bench/torch_study.py --dir MODEL_DIR [--threads 2]

MODEL_DIR is an HF-layout directory (config.json, model.safetensors, vocab.txt). The model and
tokenizer are scripts/reference/bertref.py's re-statement of HF's BertForMaskedLM and
BertTokenizer (transformers is not installed here); the sentences and test texts are the
notebook's (scripts/reference/notebook.py). Phases, as in the notebook (shared/seed):

  load     bertref.load (reads the whole safetensors file, builds the module, copies the weights)
           and the tokenizer.
  collect  Part 3: tokenize the 108 sentences into one padded batch, hook intermediate.dense of
           every layer, run model(ids, mask) once (it computes the MLM logits too, as the
           notebook's model(**tokens) does) and keep each sentence's target-token row.
  stats    Part 3's tests: per layer scipy.stats.ttest_ind (him vs her) and statsmodels'
           multipletests(method="fdr_bh"), q < .05; most-tuned sets from the sign of t,
           least-tuned (Part 7) from np.argsort(|t|).
  lesion   Part 5: one full forward of the 3 test texts with an ablation hook on the last
           layer's intermediate.dense; the median of --lesion-repeats.
  sweep    Parts 4, 6 and 7: a clean forward, then for each layer and both modes a full
           forward with the ablation hook (1 + 2·layers forwards).
  whole    load + collect + stats + sweep.

Prints one JSON object on stdout (times in seconds, the lesion in ms, VmHWM as peak_rss_mb)
together with the study's numbers (significant units per layer, clean logits, sweep
magnitudes) so that the caller can check that both implementations computed the same study.
Progress goes to stderr.
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np
import scipy.stats as stats
import torch
from statsmodels.stats.multitest import multipletests

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
import bertref  # noqa: E402
import notebook  # noqa: E402


def log(*a):
    print("torch_study:", *a, file=sys.stderr, flush=True)


def peak_rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main():
    ap = argparse.ArgumentParser(description="Time the notebook's study in PyTorch.")
    ap.add_argument("--dir", required=True, help="HF-layout model directory")
    ap.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    ap.add_argument("--lesion-repeats", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    out = {"threads": torch.get_num_threads(), "torch": torch.__version__}

    # load
    t0 = time.perf_counter()
    model = bertref.load(args.dir)
    tok = bertref.BertTokenizer(os.path.join(args.dir, "vocab.txt"))
    out["ready_s"] = time.perf_counter() - t0
    log(f"load {out['ready_s']:.2f}s")
    layers = model.bert.encoder.layer
    nlayers = len(layers)
    him_id, her_id = tok.vocab["him"], tok.vocab["her"]
    sentences = notebook.SENTENCES
    n_him = sum(1 for s in sentences if him_id in tok.encode(s))

    # collect (Part 3): one padded batch, hooks on every layer's intermediate.dense
    t = time.perf_counter()
    ids, mask = tok.batch(sentences)
    targ = torch.isin(ids, torch.tensor([him_id, her_id]))
    target_indices = torch.tensor([torch.where(targ[i])[0][0] for i in range(len(sentences))])
    rows = torch.arange(len(sentences))
    acts = {}

    def implant_hook(layer_number):
        def hook(module, input, output):
            acts[layer_number] = output[rows, target_indices, :].detach().numpy().copy()
        return hook

    handles = [layers[i].intermediate.dense.register_forward_hook(implant_hook(i)) for i in range(nlayers)]
    with torch.no_grad():
        model(ids, mask)
    for h in handles:
        h.remove()
    out["collect_s"] = time.perf_counter() - t
    out["tokens"] = int(mask.sum())
    out["padded_tokens"] = int(mask.numel())
    log(f"collect {out['collect_s']:.2f}s ({out['tokens']} tokens, {out['padded_tokens']} padded)")

    # stats (Part 3's t-tests, and Part 7's least-tuned sets)
    t = time.perf_counter()
    sets = {"most": {}, "least": {}}
    significant = []
    for layer in range(nlayers):
        a = acts[layer]
        tres = stats.ttest_ind(a[:n_him], a[n_him:], axis=0)
        issig = multipletests(tres.pvalue, method="fdr_bh")[1] < 0.05
        him = np.where(issig & (tres.statistic > 0))[0]
        her = np.where(issig & (tres.statistic < 0))[0]
        order = np.argsort(np.abs(tres.statistic), kind="stable")
        sets["most"][layer] = (him, her)
        sets["least"][layer] = (order[: len(him)], order[: len(her)])
        significant.append([len(him), len(her)])
    out["stats_s"] = time.perf_counter() - t
    out["significant"] = significant
    log(f"stats {out['stats_s']:.2f}s")

    # the test texts (Part 4)
    test_ids, test_mask = tok.batch(notebook.TEXTS)
    mask_id = tok.vocab["[MASK]"]
    mask_idx_her = int(torch.where(test_ids[1] == mask_id)[0][0])
    mask_idx_him = int(torch.where(test_ids[2] == mask_id)[0][0])

    def target_logits(logits):
        z = np.zeros((3, 2, 2))
        for senti in range(3):
            z[senti, 0, :] = logits[senti, mask_idx_her, [her_id, him_id]].numpy()
            z[senti, 1, :] = logits[senti, mask_idx_him, [her_id, him_id]].numpy()
        return z

    def ablated_logits(layer, mode):
        him, her = sets[mode][layer]

        def ablation_hook(module, input, output):
            output[1, mask_idx_her, torch.from_numpy(her)] = 0
            output[2, mask_idx_him, torch.from_numpy(him)] = 0
            return output

        handle = layers[layer].intermediate.dense.register_forward_hook(ablation_hook)
        with torch.no_grad():
            logits = model(test_ids, test_mask)
        handle.remove()
        return target_logits(logits)

    # sweep (Parts 4, 6, 7): clean forward + every layer in both modes
    t = time.perf_counter()
    with torch.no_grad():
        clean = target_logits(model(test_ids, test_mask))
    magnitude = {"most": [], "least": []}
    for layer in range(nlayers):
        for mode in ("most", "least"):
            delta = clean - ablated_logits(layer, mode)
            magnitude[mode].append(float(np.mean(np.abs(delta))))
    out["sweep_s"] = time.perf_counter() - t
    out["whole_s"] = out["ready_s"] + out["collect_s"] + out["stats_s"] + out["sweep_s"]
    out["clean_logits"] = clean.tolist()
    out["magnitude"] = [magnitude["most"], magnitude["least"]]
    log(f"sweep {out['sweep_s']:.2f}s")

    # one lesion (Part 5): last layer, most-tuned
    times = []
    for _ in range(args.lesion_repeats):
        t = time.perf_counter()
        ablated_logits(nlayers - 1, "most")
        times.append((time.perf_counter() - t) * 1e3)
    out["lesion_ms"] = times
    out["lesion_median_ms"] = statistics.median(times)
    out["peak_rss_mb"] = peak_rss_mb()
    log(f"lesion {out['lesion_median_ms']:.0f}ms, peak RSS {out['peak_rss_mb']:.0f}MB")
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
