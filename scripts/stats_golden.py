#!/usr/bin/python3
"""Generate engine/stats/testdata/golden.json, the reference values for lesionui/engine/stats.

Run from the repository root with Debian's Python (scipy, statsmodels, numpy, mpmath):

    /usr/bin/python3 scripts/stats_golden.py

Contents:
  * "ttest": fixed random datasets (seeded), each two row-major float32 sample matrices a [na, n] and
    b [nb, n], with per-column t, p (and df) from scipy.stats.ttest_ind for Student (equal_var=True) and
    Welch (equal_var=False). Columns cover large effects (p down to ~1e-60), tiny n, ties, constant
    columns, shifted constants, a constant group against a varying one, and mixed scales/offsets.
    Tiny p-values are cross-checked against mpmath at 50 digits.
  * "tail": two-sided p of Student's t from mpmath (50 digits) over t in [1e-8, 1e8], df in [2, 5000].
    Degenerate columns follow SPEC.md rather than scipy (which returns NaN there): both groups constant
    and equal -> t = 0, p = 1; zero pooled variance with different means -> t = +-inf, p = 0.
  * "ttest" also carries Hedges' g per column ("g") from statsmodels' effectsize_smd (bias-corrected
    standardized mean difference, pooled SD, J = 1 - 3/(4(na+nb)-9)); zero pooled SD follows the t rule
    (0 for equal means, +-inf otherwise).
  * "percentile": samples with numpy.percentile (default linear interpolation) at several q.
  * "bootstrap": samples with the indices of every bootstrap resample (numpy's seeded generator) and the
    95 % percentile interval of the resample means (numpy.percentile), so that the Go code can be fed
    the same indices.
  * "adjust": p-vectors with Benjamini-Hochberg adjusted values from scipy.stats.false_discovery_control
    (method='bh') and statsmodels multipletests(method='fdr_bh'), asserted to agree, and Bonferroni from
    statsmodels. Debian's scipy (1.10) predates false_discovery_control (scipy >= 1.11); when it is
    missing, bh_scipy() below is a line-by-line port of scipy 1.11's implementation.

Non-finite numbers are written as the strings "inf", "-inf", "nan" (JSON has no literals for them).
"""
import json
import math
import os
import warnings

import mpmath
import numpy as np
import scipy
import scipy.stats as stats
from statsmodels.stats.meta_analysis import effectsize_smd
from statsmodels.stats.multitest import multipletests

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "engine", "stats", "testdata", "golden.json")


def bh_scipy(ps):
    """scipy.stats.false_discovery_control(ps, method='bh') for 1-D input."""
    if hasattr(stats, "false_discovery_control"):
        return np.asarray(stats.false_discovery_control(ps, method="bh"), dtype=np.float64)
    ps = np.asarray(ps, dtype=np.float64)
    m = ps.shape[-1]
    order = np.argsort(ps, axis=-1)
    ps = np.take_along_axis(ps, order, axis=-1)
    i = np.arange(1, m + 1)
    ps *= m / i
    np.minimum.accumulate(ps[..., ::-1], out=ps[..., ::-1], axis=-1)
    np.put_along_axis(ps, order, values=ps.copy(), axis=-1)
    return np.clip(ps, 0, 1)


def enc(x):
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def mp_p(t, df):
    """Two-sided p of Student's t at 50 digits: I_{df/(df+t^2)}(df/2, 1/2)."""
    mpmath.mp.dps = 50
    t, df = mpmath.mpf(t), mpmath.mpf(df)
    x = df / (df + t * t)
    return float(mpmath.betainc(df / 2, mpmath.mpf(1) / 2, 0, x, regularized=True))


def ttest_case(name, a, b):
    a = np.asarray(a, dtype=np.float32)
    b = np.asarray(b, dtype=np.float32)
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    out = {"name": name, "na": a.shape[0], "nb": b.shape[0], "n": a.shape[1],
           "a": [float(v) for v in a.ravel()], "b": [float(v) for v in b.ravel()]}
    va, vb = a64.var(axis=0, ddof=1), b64.var(axis=0, ddof=1)
    ma, mb = a64.mean(axis=0), b64.mean(axis=0)
    for kind, equal in (("student", True), ("welch", False)):
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # scipy warns on the constant columns
            r = stats.ttest_ind(a64, b64, axis=0, equal_var=equal)
        t, p = np.array(r.statistic, dtype=np.float64), np.array(r.pvalue, dtype=np.float64)
        na, nb = a.shape[0], b.shape[0]
        if equal:
            df = np.full(t.shape, float(na + nb - 2))
        else:
            with np.errstate(all="ignore"):
                sa, sb = va / na, vb / nb
                df = (sa + sb) ** 2 / (sa ** 2 / (na - 1) + sb ** 2 / (nb - 1))
        for j in range(t.size):
            if va[j] == 0 and vb[j] == 0:  # SPEC rule, scipy gives nan here
                if ma[j] == mb[j]:
                    t[j], p[j] = 0.0, 1.0
                else:
                    t[j], p[j] = math.copysign(math.inf, ma[j] - mb[j]), 0.0
                if not equal:
                    df[j] = math.nan
            elif 0 < p[j] < 1e-12:
                ref = mp_p(t[j], df[j])
                assert abs(p[j] - ref) <= 1e-9 * ref, (name, kind, j, p[j], ref)
        out[kind] = {"t": [enc(v) for v in t], "p": [enc(v) for v in p], "df": [enc(v) for v in df]}
    with np.errstate(all="ignore"):
        g, _ = effectsize_smd(ma, np.sqrt(va), a.shape[0], mb, np.sqrt(vb), b.shape[0])
    for j in range(g.size):
        if va[j] == 0 and vb[j] == 0:  # same rule as t
            g[j] = 0.0 if ma[j] == mb[j] else math.copysign(math.inf, ma[j] - mb[j])
    out["g"] = [enc(v) for v in g]
    return out


def ttest_cases():
    rng = np.random.default_rng(46)
    cases = []
    # 54 vs 54 like the study: effects from none to huge (p ~ 1e-60).
    n = 24
    shift = np.linspace(0, 6, n)
    a = rng.standard_normal((54, n)) + shift
    b = rng.standard_normal((54, n))
    cases.append(ttest_case("study-shape effects", a, b))
    # Tiny n and unequal sizes/variances.
    cases.append(ttest_case("tiny n 2 vs 2", rng.standard_normal((2, 5)), rng.standard_normal((2, 5)) + 1))
    cases.append(ttest_case("tiny n 2 vs 3", rng.standard_normal((2, 5)), rng.standard_normal((3, 5)) * 3))
    cases.append(ttest_case("unequal 5 vs 9", rng.standard_normal((5, 6)) * 0.2 + 0.5,
                            rng.standard_normal((9, 6)) * 4))
    # Ties: small integers.
    cases.append(ttest_case("ties", rng.integers(0, 3, (12, 6)), rng.integers(0, 4, (10, 6))))
    # Constants: equal constants, shifted constants (both signs), one constant group, identical columns.
    a = np.zeros((6, 6))
    b = np.zeros((7, 6))
    a[:, 0], b[:, 0] = 1.5, 1.5
    a[:, 1], b[:, 1] = 2.0, 1.0
    a[:, 2], b[:, 2] = -3.0, 0.25
    a[:, 3], b[:, 3] = 0.5, rng.standard_normal(7)
    a[:, 4], b[:, 4] = rng.standard_normal(6), -1.0
    a[:, 5], b[:, 5] = 0.0, 0.0
    cases.append(ttest_case("constants", a, b))
    # Mixed scales and large offsets (two-pass accuracy).
    sc = np.array([1e-4, 1e-2, 1, 1e2, 1e4, 1])
    off = np.array([0, 0, 0, 0, 0, 1e4])
    a = (rng.standard_normal((30, 6)) + 0.5) * sc + off
    b = rng.standard_normal((25, 6)) * sc + off
    cases.append(ttest_case("mixed scales", a, b))
    # Very large effect: p ~ 1e-100 and below.
    a = rng.standard_normal((54, 3)) * 0.1 + np.array([3, 5, 8])
    b = rng.standard_normal((54, 3)) * 0.1
    cases.append(ttest_case("huge effects", a, b))
    return cases


def tail_cases():
    """Two-sided p at 50 digits (mpmath) for t from 1e-8 to 1e8 and integer and fractional df."""
    rows = []
    for df in [2, 3, 7.3, 10.5, 52.7, 106, 1000, 5000]:
        for t in [1e-8, 0.01, 0.5, 1, 2, 5, 10, 30, 100, 1e3, 1e5, 1e8]:
            p = mp_p(t, df)
            if p > 1e-305:  # keep clear of float64 subnormals
                rows.append({"t": t, "df": df, "p": p})
    return rows


def adjust_case(name, p):
    p = np.asarray(p, dtype=np.float64)
    bh = bh_scipy(p)
    _, bh_sm, _, _ = multipletests(p, method="fdr_bh")
    assert np.allclose(bh, bh_sm, rtol=1e-12, atol=0), (name, bh, bh_sm)
    _, bonf, _, _ = multipletests(p, method="bonferroni")
    return {"name": name, "p": [enc(v) for v in p], "bh": [enc(v) for v in bh],
            "bh_statsmodels": [enc(v) for v in bh_sm], "bonferroni": [enc(v) for v in bonf]}


def adjust_cases():
    rng = np.random.default_rng(7)
    mixed = np.concatenate([rng.uniform(0, 1, 30), rng.uniform(0, 1e-3, 10), [1e-40, 1e-300, 0.0]])
    rng.shuffle(mixed)
    return [
        adjust_case("random", rng.uniform(0, 1, 50)),
        adjust_case("mixed tiny", mixed),
        adjust_case("ties", [0.01, 0.04, 0.04, 0.04, 0.2, 0.01, 0.5, 0.5, 0.03]),
        adjust_case("all equal", [0.03] * 7),
        adjust_case("all one", [1.0] * 5),
        adjust_case("single", [0.2]),
        adjust_case("descending", [0.9, 0.5, 0.1, 0.05, 0.01, 0.001]),
    ]


def percentile_cases():
    rng = np.random.default_rng(11)
    qs = [0, 0.025, 0.05, 0.25, 0.5, 0.9, 0.95, 0.975, 1]
    out = []
    for name, x in (("normal 20", rng.standard_normal(20)), ("single", [3.5]), ("two", [1.0, -2.0]),
                    ("ties", [1, 1, 2, 2, 2, 5, 5]), ("uniform 101", rng.uniform(-1, 1, 101))):
        x = np.asarray(x, dtype=np.float64)
        out.append({"name": name, "x": x.tolist(), "q": qs, "want": [float(np.percentile(x, 100 * q)) for q in qs]})
    return out


def bootstrap_cases():
    rng = np.random.default_rng(12)
    out = []
    for name, x, b in (("normal 15", rng.standard_normal(15), 200), ("skewed 8", rng.exponential(2.0, 8), 150)):
        idx = rng.integers(0, len(x), size=(b, len(x)))
        means = x[idx].mean(axis=1)
        out.append({"name": name, "x": x.tolist(), "indices": idx.ravel().tolist(), "resamples": b,
                    "ci": [float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))]})
    return out


def main():
    doc = {"generator": "scripts/stats_golden.py", "scipy": scipy.__version__,
           "ttest": ttest_cases(), "tail": tail_cases(), "adjust": adjust_cases(),
           "percentile": percentile_cases(), "bootstrap": bootstrap_cases()}
    with open(OUT, "w") as f:
        json.dump(doc, f, allow_nan=False)
        f.write("\n")
    print("wrote", os.path.normpath(OUT), os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
