"""Independent PyTorch reference for lesionui's BERT engine.

A self-contained re-statement of HuggingFace's BertForMaskedLM (modeling_bert.py, post-LN encoder) and of
HF's slow BertTokenizer (tokenization_bert.py), written against plain PyTorch so that the goldens lesionui's
Go tests compare to come from code that shares nothing with the Go implementation. Module and parameter
names equal HF's, so `state_dict()` keys are the names real checkpoints use.

Used by make_fixture.py (goldens for engine/encoder and engine) and by the demo-model trainer.
Runs with Debian's python3-torch (1.13): /usr/bin/python3.
"""
import json
import math
import os
import struct
import unicodedata

import numpy as np
import torch
from torch import nn

# ---------------------------------------------------------------------------------------------------------
# Model


class Embeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], c["hidden_size"])
        self.token_type_embeddings = nn.Embedding(c["type_vocab_size"], c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])

    def forward(self, ids):  # ids: [batch, seq]
        pos = torch.arange(ids.shape[1]).unsqueeze(0)
        tt = torch.zeros_like(ids)
        return self.LayerNorm(self.word_embeddings(ids) + self.token_type_embeddings(tt) + self.position_embeddings(pos))


class SelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c["hidden_size"]
        self.heads = c["num_attention_heads"]
        self.query, self.key, self.value = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)

    def forward(self, x, mask_add):  # x: [b, s, h]; mask_add: [b, 1, 1, s]
        b, s, h = x.shape
        dh = h // self.heads

        def split(t):
            return t.view(b, s, self.heads, dh).permute(0, 2, 1, 3)

        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(dh) + mask_add
        ctx = torch.softmax(scores, dim=-1) @ v
        return ctx.permute(0, 2, 1, 3).reshape(b, s, h)


class SelfOutput(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])

    def forward(self, ctx, x):
        return self.LayerNorm(self.dense(ctx) + x)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        setattr(self, "self", SelfAttention(c))
        self.output = SelfOutput(c)

    def forward(self, x, mask_add):
        return self.output(getattr(self, "self")(x, mask_add), x)


def activation(name):
    if name == "gelu":
        return lambda t: torch.nn.functional.gelu(t)
    if name in ("gelu_new", "gelu_pytorch_tanh"):
        return lambda t: 0.5 * t * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (t + 0.044715 * torch.pow(t, 3.0))))
    raise ValueError(f"unsupported hidden_act {name!r}")


class Intermediate(nn.Module):
    """intermediate.dense is the hook point of the study: its output is the pre-GELU expansion."""

    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["intermediate_size"])
        self.act = activation(c["hidden_act"])

    def forward(self, x):
        return self.act(self.dense(x))


class Output(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["intermediate_size"], c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])

    def forward(self, m, a):
        return self.LayerNorm(self.dense(m) + a)


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = Attention(c)
        self.intermediate = Intermediate(c)
        self.output = Output(c)

    def forward(self, x, mask_add):
        a = self.attention(x, mask_add)
        return self.output(self.intermediate(a), a)


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([Layer(c) for _ in range(c["num_hidden_layers"])])


class Bert(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = Embeddings(c)
        self.encoder = Encoder(c)


class Transform(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.act = activation(c["hidden_act"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])

    def forward(self, x):
        return self.LayerNorm(self.act(self.dense(x)))


class Predictions(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.transform = Transform(c)
        self.decoder = nn.Linear(c["hidden_size"], c["vocab_size"], bias=False)
        self.bias = nn.Parameter(torch.zeros(c["vocab_size"]))

    def forward(self, x):
        return self.decoder(self.transform(x)) + self.bias


class Cls(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.predictions = Predictions(c)


class BertForMaskedLM(nn.Module):
    """HF-compatible BertForMaskedLM (inference only; dropout omitted)."""

    def __init__(self, c):
        super().__init__()
        self.config = c
        self.bert = Bert(c)
        self.cls = Cls(c)
        self.cls.predictions.decoder.weight = self.bert.embeddings.word_embeddings.weight  # tied, as HF

    def forward(self, ids, attention_mask):
        """ids, attention_mask: [batch, seq] -> logits [batch, seq, vocab]."""
        return self.cls.predictions(self.hidden(ids, attention_mask))

    def hidden(self, ids, attention_mask):
        mask_add = (1.0 - attention_mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        x = self.bert.embeddings(ids)
        for layer in self.bert.encoder.layer:
            x = layer(x, mask_add)
        return x


# ---------------------------------------------------------------------------------------------------------
# Checkpoints (safetensors, read and written by hand: the `safetensors` package is not in Debian)

_DTYPES = {"F32": (np.float32, 4), "F16": (np.float16, 2), "BF16": (np.uint16, 2), "I64": (np.int64, 8)}


def read_safetensors(path):
    """Returns {name: float32 or int64 numpy array}."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    data = raw[8 + n :]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dt, _ = _DTYPES[info["dtype"]]
        b, e = info["data_offsets"]
        arr = np.frombuffer(data[b:e], dtype=dt).reshape(info["shape"])
        if info["dtype"] == "BF16":
            arr = (arr.astype(np.uint32) << 16).view(np.float32)
        elif info["dtype"] != "I64":
            arr = arr.astype(np.float32)
        out[name] = arr
    return out


def write_safetensors(path, tensors, dtype="F32"):
    """tensors: list of (name, numpy array). Floats are stored as dtype; int64 arrays as I64."""
    header, blobs, off = {"__metadata__": {"format": "pt"}}, [], 0
    for name, arr in tensors:
        if arr.dtype == np.int64:
            dt, buf = "I64", arr.astype("<i8").tobytes()
        elif dtype == "F32":
            dt, buf = "F32", arr.astype("<f4").tobytes()
        elif dtype == "F16":
            dt, buf = "F16", arr.astype("<f2").tobytes()
        elif dtype == "BF16":
            bits = arr.astype(np.float32).view(np.uint32)
            assert np.all(bits & 0xFFFF == 0), f"{name} is not exactly representable in bf16"
            dt, buf = "BF16", (bits >> 16).astype("<u2").tobytes()
        else:
            raise ValueError(dtype)
        header[name] = {"dtype": dt, "shape": list(arr.shape), "data_offsets": [off, off + len(buf)]}
        blobs.append(buf)
        off += len(buf)
    hb = json.dumps(header, separators=(",", ":")).encode()
    hb += b" " * ((8 - len(hb) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for b in blobs:
            f.write(b)


def canonical_name(name):
    """Maps a checkpoint name to the module name of BertForMaskedLM (legacy gamma/beta, missing bert. prefix)."""
    name = name.replace("LayerNorm.gamma", "LayerNorm.weight").replace("LayerNorm.beta", "LayerNorm.bias")
    if not name.startswith(("bert.", "cls.")):
        name = "bert." + name
    return name


def load(model_dir):
    """Loads config.json and model.safetensors (or a sharded index) from an HF-layout directory."""
    with open(os.path.join(model_dir, "config.json")) as f:
        c = json.load(f)
    c.setdefault("layer_norm_eps", 1e-12)
    c.setdefault("hidden_act", "gelu")
    c.setdefault("type_vocab_size", 2)
    idx = os.path.join(model_dir, "model.safetensors.index.json")
    tensors = {}
    if os.path.exists(idx):
        with open(idx) as f:
            shards = sorted(set(json.load(f)["weight_map"].values()))
        for s in shards:
            tensors.update(read_safetensors(os.path.join(model_dir, s)))
    else:
        tensors = read_safetensors(os.path.join(model_dir, "model.safetensors"))
    m = BertForMaskedLM(c)
    state = m.state_dict()
    loaded = set()
    for name, arr in tensors.items():
        key = canonical_name(name)
        if key in state:
            state[key].copy_(torch.from_numpy(np.array(arr)))
            loaded.add(key)
    # decoder.weight shares storage with the word embeddings when the checkpoint omits it
    missing = [k for k in state if k not in loaded and k != "cls.predictions.decoder.weight"]
    assert not missing, f"missing tensors: {missing}"
    if "cls.predictions.decoder.weight" in loaded:
        assert torch.equal(m.cls.predictions.decoder.weight, m.bert.embeddings.word_embeddings.weight)
    m.eval()
    return m


# ---------------------------------------------------------------------------------------------------------
# Tokenizer: HF's slow BertTokenizer (BasicTokenizer + WordpieceTokenizer), uncased


def _is_whitespace(ch):
    return ch in (" ", "\t", "\n", "\r") or unicodedata.category(ch) == "Zs"


def _is_control(ch):
    if ch in ("\t", "\n", "\r"):
        return False
    return unicodedata.category(ch).startswith("C")


def _is_punctuation(ch):
    cp = ord(ch)
    if (33 <= cp <= 47) or (58 <= cp <= 64) or (91 <= cp <= 96) or (123 <= cp <= 126):
        return True
    return unicodedata.category(ch).startswith("P")


def _is_chinese(cp):
    return (
        (0x4E00 <= cp <= 0x9FFF) or (0x3400 <= cp <= 0x4DBF) or (0x20000 <= cp <= 0x2A6DF) or (0x2A700 <= cp <= 0x2B73F)
        or (0x2B740 <= cp <= 0x2B81F) or (0x2B820 <= cp <= 0x2CEAF) or (0xF900 <= cp <= 0xFAFF) or (0x2F800 <= cp <= 0x2FA1F)
    )


class BertTokenizer:
    SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

    def __init__(self, vocab_path, lower=True):
        with open(vocab_path, encoding="utf-8") as f:
            toks = [line.rstrip("\n") for line in f]
        self.vocab = {t: i for i, t in enumerate(toks)}
        self.inv = toks
        self.lower = lower

    def _basic(self, text):
        text = "".join(" " if _is_whitespace(c) else c for c in text if not (ord(c) in (0, 0xFFFD) or _is_control(c)))
        text = "".join(f" {c} " if _is_chinese(ord(c)) else c for c in text)
        words = []
        for w in text.strip().split():
            if w in self.SPECIALS:
                words.append(w)
                continue
            if self.lower:
                w = unicodedata.normalize("NFD", w.lower())
                w = "".join(c for c in w if unicodedata.category(c) != "Mn")
            cur = []
            for c in w:
                if _is_punctuation(c):
                    if cur:
                        words.append("".join(cur))
                        cur = []
                    words.append(c)
                else:
                    cur.append(c)
            if cur:
                words.append("".join(cur))
        return words

    def _wordpiece(self, word):
        if len(word) > 100:
            return ["[UNK]"]
        out, start = [], 0
        while start < len(word):
            end, cur = len(word), None
            while start < end:
                sub = word[start:end]
                if start > 0:
                    sub = "##" + sub
                if sub in self.vocab:
                    cur = sub
                    break
                end -= 1
            if cur is None:
                return ["[UNK]"]
            out.append(cur)
            start = end
        return out

    def tokenize(self, text):
        # Special tokens are split out before normalisation, as HF does for added tokens.
        pieces = []
        for part in _split_specials(text, self.SPECIALS):
            if part in self.SPECIALS:
                pieces.append(part)
            else:
                for w in self._basic(part):
                    pieces.extend([w] if w in self.SPECIALS else self._wordpiece(w))
        return pieces

    def encode(self, text):
        return [self.vocab["[CLS]"]] + [self.vocab[t] for t in self.tokenize(text)] + [self.vocab["[SEP]"]]

    def batch(self, texts):
        """Padded batch like tokenizer(texts, padding=True): ids and attention mask as int64 tensors."""
        enc = [self.encode(t) for t in texts]
        n = max(len(e) for e in enc)
        ids = torch.full((len(enc), n), self.vocab["[PAD]"], dtype=torch.long)
        mask = torch.zeros((len(enc), n), dtype=torch.long)
        for i, e in enumerate(enc):
            ids[i, : len(e)] = torch.tensor(e)
            mask[i, : len(e)] = 1
        return ids, mask


def _split_specials(text, specials):
    out, i, start = [], 0, 0
    while i < len(text):
        for s in specials:
            if text.startswith(s, i):
                out.append(text[start:i])
                out.append(s)
                i += len(s)
                start = i
                break
        else:
            i += 1
    out.append(text[start:])
    return [p for p in out if p]
