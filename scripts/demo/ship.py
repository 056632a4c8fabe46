#!/usr/bin/python3
"""Ships a trained demo model: compares it with demo/model, and if it is better on every language measure,
copies it into demo/model and rewrites METRICS.md, demo/testdata/golden.json and the weights section of SOURCES.md.

Usage (after a train.py run has finished; the corpus of build_corpus.py must be in place):

    nice -n 19 /usr/bin/python3 scripts/demo/ship.py --run /tmp/lesionui-demo-runs/l6h256 [--force] [--dry-run]

Steps:
  1. evaluate.language() on RUN/model and on demo/model (same corpus, same measures: evaluate.LANGUAGE_MEASURES).
     The candidate must beat the shipped model on each numeric measure and be right on each notebook mask the
     shipped model gets right; otherwise nothing is changed and the exit status is 1 (--force ships anyway,
     --dry-run only compares).
  2. config.json, model.safetensors, vocab.txt and tokenizer_config.json of RUN/model replace demo/model's.
  3. evaluate.py's METRICS.md and golden.json are written for the new model (demo/engine_test.go checks the Go
     engine against that golden).
  4. The part of demo/model/SOURCES.md between "<!-- weights -->" and "<!-- /weights -->" is replaced by the
     run's training stages (train.py commands rebuilt from each stage's args.json, following --init back to the
     run that produced it, with the steps, epochs and minutes recorded in its checkpoint).
Afterwards: `go test ./demo/ ./...`, and the README's "The demo model" numbers from the new METRICS.md.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

import torch

import evaluate

ROOT = evaluate.ROOT
DEMO = os.path.join(ROOT, "demo", "model")
MODEL_FILES = ["config.json", "model.safetensors", "vocab.txt", "tokenizer_config.json"]
BEGIN, END = "<!-- weights -->", "<!-- /weights -->"


def measures(model_dir, corpus):
    model = evaluate.bertref.load(model_dir)
    tok = evaluate.bertref.BertTokenizer(os.path.join(model_dir, "vocab.txt"))
    return evaluate.language(model, tok, corpus)


def better(cand, shipped):
    """The measures on which the candidate does not beat the shipped model (empty: it beats it on all)."""
    worse = []
    for k in evaluate.LANGUAGE_MEASURES:
        if isinstance(shipped[k], bool):
            if shipped[k] and not cand[k]:
                worse.append(k)
        elif not cand[k] > shipped[k]:
            worse.append(k)
    return worse


def stages(run):
    """The training stages that produced RUN/model, first to last: (args dict, checkpoint summary) for each
    train.py run, following --init back; a model continued from a directory that is no train.py run (a
    checkout's demo/model, or one with an ORIGIN.txt: an earlier shipped model) starts the list with its origin."""
    out = []
    while run:
        with open(os.path.join(run, "args.json")) as f:
            args = json.load(f)
        ck = torch.load(os.path.join(run, "checkpoint.pt"), map_location="cpu")
        out.append((args, {k: ck[k] for k in ("step", "epoch", "elapsed")}))
        init, run = args.get("init"), None
        if not init:
            break
        parent = os.path.dirname(os.path.abspath(init))
        if os.path.exists(os.path.join(parent, "args.json")):
            run = parent
        elif is_checkout_demo(init):
            out.append(shipped_origin(init))
        elif os.path.exists(os.path.join(init, "ORIGIN.txt")):
            with open(os.path.join(init, "ORIGIN.txt"), encoding="utf-8") as f:
                out.append(f.read().strip())
        else:
            sys.exit(f"ship.py: a stage continued {init}, which is neither a train.py run nor has an ORIGIN.txt")
    return out[::-1]


def is_checkout_demo(path):
    """Whether path is the demo/model directory of a lesionui checkout (train.py --init demo/model)."""
    path = os.path.realpath(path)
    return path.endswith(os.path.join(os.sep, "demo", "model")) and os.path.exists(os.path.join(path, "..", "..", "go.mod"))


def shipped_origin(demo_dir):
    """Names the committed demo model in demo_dir: the last commit of its checkout that changed its weights."""
    commit = subprocess.run(["git", "log", "-1", "--format=%h", "--", "model.safetensors"], cwd=demo_dir,
                            check=True, capture_output=True, text=True).stdout.strip()
    return f"demo/model of lesionui commit {commit} (how it was trained: that commit's demo/model/SOURCES.md)"


def command(args):
    """The train.py command line of a stage (arguments that differ from train.py's defaults, plus --run)."""
    import train

    ap = train.parser()
    parts = ["nice -n 19 /usr/bin/python3 scripts/demo/train.py", f"--run {args['run']}"]
    for act in ap._actions:
        if act.dest in ("help", "run", "bench") or act.dest not in args:
            continue
        default = act.default
        if act.dest == "init" and args["init"] and is_checkout_demo(args["init"]):
            parts.append("--init demo/model")
            continue
        if isinstance(default, str) and default.startswith(ROOT + os.sep):
            default = os.path.relpath(default, ROOT)  # a path inside the checkout the stage ran in
            if isinstance(args[act.dest], str) and args[act.dest].endswith(os.sep + default):
                continue
        if args[act.dest] == default:
            continue
        parts.append(act.option_strings[0] if isinstance(act.default, bool) else f"{act.option_strings[0]} {args[act.dest]}")
    return " ".join(parts)


def weights_section(run):
    lines = [BEGIN, "", "## These weights", ""]
    for i, stage in enumerate(stages(run), 1):
        if isinstance(stage, str):
            lines.append(f"{i}. Start: {stage}.")
            continue
        args, ck = stage
        lines.append(f"{i}. `{command(args)}`  ")
        lines.append(f"   {ck['step']} steps of ~{args['batch_tokens']} padded tokens (into epoch {ck['epoch'] + 1}), "
                     f"{ck['elapsed'] / 60:.0f} minutes of training on {args['threads']} niced CPU threads"
                     + (", continuing the model of the stage before." if args.get("init") else ", from scratch."))
    lines += ["", "Rerun a stage's command after an interruption to resume it from its checkpoint; the steps, data order "
              "and masking are seeded, so a resumed run equals an uninterrupted one (same torch, same machine).", "", END]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--run", required=True, help="train.py run directory (its model/ is the candidate)")
    ap.add_argument("--corpus", default="/tmp/lesionui-demo-corpus")
    ap.add_argument("--force", action="store_true", help="ship even if the candidate is not better on every measure")
    ap.add_argument("--dry-run", action="store_true", help="compare only")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    cand_dir = os.path.join(a.run, "model")
    cand, shipped = measures(cand_dir, a.corpus), measures(DEMO, a.corpus)
    print(f"{'measure':28} {'shipped':>9} {'candidate':>9}")
    for k in evaluate.LANGUAGE_MEASURES + [k for k in cand if k.startswith("mlm_acc_") and k != "mlm_acc_first2000"]:
        print(f"{k:28} {float(shipped.get(k, float('nan'))):9.3f} {float(cand[k]):9.3f}")
    worse = better(cand, shipped)
    if worse and not a.force:
        print(f"ship.py: the candidate does not beat demo/model on {', '.join(worse)}; nothing changed", file=sys.stderr)
        sys.exit(1)
    if a.dry_run:
        return
    for name in MODEL_FILES:
        shutil.copyfile(os.path.join(cand_dir, name), os.path.join(DEMO, name + ".new"))
    for name in MODEL_FILES:
        os.replace(os.path.join(DEMO, name + ".new"), os.path.join(DEMO, name))
    subprocess.run([sys.executable, os.path.join(evaluate.HERE, "evaluate.py"), "--corpus", a.corpus, "--threads", str(a.threads)],
                   check=True, stdout=subprocess.DEVNULL)
    src = os.path.join(DEMO, "SOURCES.md")
    with open(src, encoding="utf-8") as f:
        text = f.read()
    if BEGIN not in text or END not in text:
        sys.exit(f"ship.py: {src} has no {BEGIN} ... {END} section to replace")
    text = text[: text.index(BEGIN)] + weights_section(a.run) + text[text.index(END) + len(END):]
    with open(src, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"shipped {cand_dir} into {DEMO}: METRICS.md, SOURCES.md and demo/testdata/golden.json rewritten; now run "
          "`go test ./demo/ ./...` and update the README's demo-model numbers from METRICS.md")


if __name__ == "__main__":
    main()
