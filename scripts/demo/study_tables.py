#!/usr/bin/python3
"""Prints the README's "What the study finds in it" tables from `lesionui run --json` records.

Usage:

    lesionui run --demo --baseline 20 --eval builtin --json sig.json
    lesionui run --demo --baseline 20 --eval builtin --units top=23 --json top.json
    /usr/bin/python3 scripts/demo/study_tables.py sig.json top.json

Per record, one Markdown table: per layer Part 6's magnitude |Δ| of the most- and least-tuned lesions,
the 5-95 % band of the random draws' magnitudes (numpy's linear percentiles), the recorded percentile, the
evaluation set's margin change with its bootstrap interval for both modes and, for --units significant,
the accuracy under each lesion. Only numbers the Go engine recorded are printed; nothing is recomputed
but the band.
"""
import json
import sys

import numpy as np


def signed(x):
    return f"{x:+.3f}".replace("-", "\u2212")


def interval(e):
    return f"{signed(e['margin_delta'])} [{signed(e['ci'][0])}, {signed(e['ci'][1])}]"


def table(rec):
    evals = {(e["layer"], e["mode"]): e for e in rec["eval"]["layers"]}
    with_acc = rec["units"] == "significant"
    head = ["layer", "\\|Δ\\| most", "\\|Δ\\| least", "random 5–95 %", "percentile",
            "Δmargin most [95 % CI]", "Δmargin least [95 % CI]"] + (["accuracy most / least"] if with_acc else [])
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for l, (most, least, base) in enumerate(zip(rec["lesions"]["most"], rec["lesions"]["least"], rec["baseline"])):
        lo, hi = np.percentile([d["magnitude"] for d in base["draws"]], [5, 95])
        em, el = evals[(l, "most")], evals[(l, "least")]
        cells = [str(l), f"{most['magnitude']:.3f}", f"{least['magnitude']:.3f}", f"{lo:.3f}–{hi:.3f}",
                 str(base["percentile"]), interval(em), interval(el)]
        if with_acc:
            cells.append(f"{100 * em['accuracy_lesioned']:.1f} % / {100 * el['accuracy_lesioned']:.1f} %")
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main():
    for path in sys.argv[1:]:
        with open(path) as f:
            rec = json.load(f)
        sizes = [len(s) for layer in rec["lesions"]["most"] for s in layer["units"].values()]
        share = [sum(len(s) for s in layer["sets"].values()) / len(layer["t"]) for layer in rec["layers"]]
        acc = rec["eval"]["layers"][0]["accuracy_clean"]
        print(f"`--units {rec['units']}` ({min(sizes)}–{max(sizes)} units per word lesioned; {100 * min(share):.0f}–"
              f"{100 * max(share):.0f} % of each layer significant; clean accuracy {100 * acc:.1f} %):\n")
        print(table(rec) + "\n")


if __name__ == "__main__":
    main()
