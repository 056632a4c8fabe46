"""Independent PyTorch references for the encoder families lesionui runs beside BERT.

Each model is re-stated from its HuggingFace modeling file in plain PyTorch (transformers is not packaged for
Debian), with HF's module names, so that `state_dict()` keys are the names real checkpoints use:

  RoBERTa      src/transformers/models/roberta/modeling_roberta.py            RobertaForMaskedLM
  XLM-RoBERTa  src/transformers/models/xlm_roberta/modeling_xlm_roberta.py    XLMRobertaForMaskedLM (RoBERTa's code)
  DistilBERT   src/transformers/models/distilbert/modeling_distilbert.py      DistilBertForMaskedLM
  ELECTRA      src/transformers/models/electra/modeling_electra.py            ElectraForMaskedLM (the generator)
  ALBERT       src/transformers/models/albert/modeling_albert.py              AlbertForMaskedLM

Defaults of config.json fields are those of the configuration classes (configuration_<family>.py). Every
forward takes `edit(layer, u)`, called on the expansion pre-activation u = the output of the MLP's first linear
(intermediate.dense, ffn.lin1, ffn) of each study layer — the place of a forward hook on that module — and
returning the (possibly changed) u. For ALBERT, whose one layer runs num_hidden_layers times, the study layer is
the index of the repetition (AlbertTransformer's loop variable).

Shares nothing with lesionui's Go code. Runs with Debian's python3-torch (1.13): /usr/bin/python3.
"""
import json
import math
import os
import sys

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(__file__))
import bertref  # noqa: E402  (the safetensors reader and writer, BERT's attention and output blocks)

# ---------------------------------------------------------------------------------------------------------
# Configuration: the fields each family reads, with its configuration class's defaults.

DEFAULTS = {
    # configuration_roberta.py (RobertaConfig); XLMRobertaConfig has the same defaults but vocab_size 30522.
    "roberta": dict(vocab_size=50265, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                    intermediate_size=3072, hidden_act="gelu", max_position_embeddings=512, type_vocab_size=2,
                    layer_norm_eps=1e-12, pad_token_id=1, position_embedding_type="absolute",
                    tie_word_embeddings=True),
    "xlm-roberta": dict(vocab_size=30522, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                        intermediate_size=3072, hidden_act="gelu", max_position_embeddings=512, type_vocab_size=2,
                        layer_norm_eps=1e-12, pad_token_id=1, position_embedding_type="absolute",
                        tie_word_embeddings=True),
    # configuration_distilbert.py (DistilBertConfig)
    "distilbert": dict(vocab_size=30522, max_position_embeddings=512, sinusoidal_pos_embds=False, n_layers=6,
                       n_heads=12, dim=768, hidden_dim=4 * 768, activation="gelu", pad_token_id=0,
                       tie_word_embeddings=True),
    # configuration_electra.py (ElectraConfig)
    "electra": dict(vocab_size=30522, embedding_size=128, hidden_size=256, num_hidden_layers=12,
                    num_attention_heads=4, intermediate_size=1024, hidden_act="gelu", max_position_embeddings=512,
                    type_vocab_size=2, layer_norm_eps=1e-12, pad_token_id=0, position_embedding_type="absolute",
                    tie_word_embeddings=True),
    # configuration_albert.py (AlbertConfig)
    "albert": dict(vocab_size=30000, embedding_size=128, hidden_size=4096, num_hidden_layers=12,
                   num_hidden_groups=1, num_attention_heads=64, intermediate_size=16384, inner_group_num=1,
                   hidden_act="gelu_new", max_position_embeddings=512, type_vocab_size=2, layer_norm_eps=1e-12,
                   pad_token_id=0, position_embedding_type="absolute", tie_word_embeddings=True),
}


def read_config(path):
    """config.json with the family's defaults filled in, as PretrainedConfig.from_dict does."""
    with open(path) as f:
        raw = json.load(f)
    c = dict(DEFAULTS[raw["model_type"]])
    c.update(raw)
    return c


# ---------------------------------------------------------------------------------------------------------
# Activations: activations.py ACT2FN / get_activation


def activation(name):
    if name == "gelu":  # GELUActivation: x * Phi(x), with erf
        return lambda t: torch.nn.functional.gelu(t)
    if name == "gelu_new":  # NewGELUActivation
        return lambda t: 0.5 * t * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (t + 0.044715 * torch.pow(t, 3.0))))
    if name == "gelu_pytorch_tanh":  # PytorchGELUTanh
        return lambda t: torch.nn.functional.gelu(t, approximate="tanh")
    if name == "relu":
        return torch.relu
    if name in ("silu", "swish"):
        return torch.nn.functional.silu
    raise ValueError(f"unsupported activation {name!r}")


def no_edit(layer, u):
    return u


def additive_mask(mask):
    """[b, s] 0/1 -> [b, 1, 1, s] additive mask, as get_extended_attention_mask (torch.finfo.min)."""
    return (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min


# ---------------------------------------------------------------------------------------------------------
# The BERT-style layer that RoBERTa, XLM-R and ELECTRA copy ("Copied from transformers.models.bert...")


# The attention block and the MLP's output block are BertSelfAttention, BertSelfOutput,
# BertAttention and BertOutput as bertref.py re-states them.
Attention, Output = bertref.Attention, bertref.Output


class Intermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["intermediate_size"])


class Layer(nn.Module):
    """BertLayer / RobertaLayer / ElectraLayer."""

    def __init__(self, c):
        super().__init__()
        self.attention = Attention(c)
        self.intermediate = Intermediate(c)
        self.output = Output(c)
        self.act = activation(c["hidden_act"])

    def forward(self, x, mask_add, edit, index):
        a = self.attention(x, mask_add)
        u = edit(index, self.intermediate.dense(a))
        return self.output(self.act(u), a)


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([Layer(c) for _ in range(c["num_hidden_layers"])])

    def forward(self, x, mask_add, edit):
        for i, layer in enumerate(self.layer):
            x = layer(x, mask_add, edit, i)
        return x


class Pooler(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])


# ---------------------------------------------------------------------------------------------------------
# RoBERTa and XLM-RoBERTa (modeling_roberta.py; modeling_xlm_roberta.py is the same code)


def roberta_position_ids(ids, padding_idx):
    """create_position_ids_from_input_ids: non-pad tokens count from padding_idx + 1, pad tokens get padding_idx."""
    mask = ids.ne(padding_idx).int()
    return (torch.cumsum(mask, dim=1).type_as(mask) * mask).long() + padding_idx


class RobertaEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c["hidden_size"]
        self.padding_idx = c["pad_token_id"]
        self.word_embeddings = nn.Embedding(c["vocab_size"], h)
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], h)
        self.token_type_embeddings = nn.Embedding(c["type_vocab_size"], h)
        self.LayerNorm = nn.LayerNorm(h, eps=c["layer_norm_eps"])

    def forward(self, ids):
        pos = roberta_position_ids(ids, self.padding_idx)
        tt = torch.zeros_like(ids)
        return self.LayerNorm(self.word_embeddings(ids) + self.token_type_embeddings(tt) + self.position_embeddings(pos))


class RobertaModel(nn.Module):
    def __init__(self, c, pooler):
        super().__init__()
        self.embeddings = RobertaEmbeddings(c)
        self.encoder = Encoder(c)
        if pooler:  # RobertaForMaskedLM builds RobertaModel(add_pooling_layer=False); real files may still hold one
            self.pooler = Pooler(c)


class RobertaLMHead(nn.Module):
    """dense -> gelu (activations.gelu: erf, whatever hidden_act says) -> layer_norm -> decoder (+ bias)."""

    def __init__(self, c):
        super().__init__()
        h = c["hidden_size"]
        self.dense = nn.Linear(h, h)
        self.layer_norm = nn.LayerNorm(h, eps=c["layer_norm_eps"])
        self.decoder = nn.Linear(h, c["vocab_size"], bias=False)
        self.bias = nn.Parameter(torch.zeros(c["vocab_size"]))  # = decoder.bias in HF (one Parameter, two names)

    def forward(self, x):
        return self.decoder(self.layer_norm(torch.nn.functional.gelu(self.dense(x)))) + self.bias


class RobertaForMaskedLM(nn.Module):
    base = "roberta"
    decoder_weight = "lm_head.decoder.weight"
    bias_names = ("lm_head.bias", "lm_head.decoder.bias")

    def __init__(self, c, pooler=False):
        super().__init__()
        self.config = c
        self.roberta = RobertaModel(c, pooler)
        self.lm_head = RobertaLMHead(c)
        self.lm_head.decoder.weight = self.roberta.embeddings.word_embeddings.weight

    def forward(self, ids, mask, edit=no_edit):
        x = self.roberta.embeddings(ids)
        return self.lm_head(self.roberta.encoder(x, additive_mask(mask), edit))

    def act(self, u):
        return self.roberta.encoder.layer[0].act(u)


# ---------------------------------------------------------------------------------------------------------
# ELECTRA generator (modeling_electra.py)


class ElectraEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        e = c["embedding_size"]
        self.word_embeddings = nn.Embedding(c["vocab_size"], e)
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], e)
        self.token_type_embeddings = nn.Embedding(c["type_vocab_size"], e)
        self.LayerNorm = nn.LayerNorm(e, eps=c["layer_norm_eps"])

    def forward(self, ids):
        pos = torch.arange(ids.shape[1]).unsqueeze(0)
        tt = torch.zeros_like(ids)
        return self.LayerNorm(self.word_embeddings(ids) + self.position_embeddings(pos) + self.token_type_embeddings(tt))


class ElectraModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = ElectraEmbeddings(c)
        if c["embedding_size"] != c["hidden_size"]:
            self.embeddings_project = nn.Linear(c["embedding_size"], c["hidden_size"])
        self.encoder = Encoder(c)


class ElectraGeneratorPredictions(nn.Module):
    """dense (hidden -> embedding) -> get_activation("gelu") (erf) -> LayerNorm(embedding_size)."""

    def __init__(self, c):
        super().__init__()
        self.LayerNorm = nn.LayerNorm(c["embedding_size"], eps=c["layer_norm_eps"])
        self.dense = nn.Linear(c["hidden_size"], c["embedding_size"])

    def forward(self, x):
        return self.LayerNorm(torch.nn.functional.gelu(self.dense(x)))


class ElectraForMaskedLM(nn.Module):
    base = "electra"
    decoder_weight = "generator_lm_head.weight"
    bias_names = ("generator_lm_head.bias",)

    def __init__(self, c):
        super().__init__()
        self.config = c
        self.electra = ElectraModel(c)
        self.generator_predictions = ElectraGeneratorPredictions(c)
        self.generator_lm_head = nn.Linear(c["embedding_size"], c["vocab_size"])
        self.generator_lm_head.weight = self.electra.embeddings.word_embeddings.weight

    def forward(self, ids, mask, edit=no_edit):
        x = self.electra.embeddings(ids)
        if hasattr(self.electra, "embeddings_project"):
            x = self.electra.embeddings_project(x)
        x = self.electra.encoder(x, additive_mask(mask), edit)
        return self.generator_lm_head(self.generator_predictions(x))

    def act(self, u):
        return self.electra.encoder.layer[0].act(u)


# ---------------------------------------------------------------------------------------------------------
# DistilBERT (modeling_distilbert.py): its own names, LayerNorm eps fixed at 1e-12, no token types


def sinusoidal_table(n_pos, dim):
    """_create_sinusoidal_embeddings: sin on even columns, cos on odd ones."""
    enc = np.array([[pos / np.power(10000, 2 * (j // 2) / dim) for j in range(dim)] for pos in range(n_pos)])
    out = torch.zeros(n_pos, dim)
    out[:, 0::2] = torch.FloatTensor(np.sin(enc[:, 0::2]))
    out[:, 1::2] = torch.FloatTensor(np.cos(enc[:, 1::2]))
    return out


class DistilEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c["vocab_size"], c["dim"])
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], c["dim"])
        if c["sinusoidal_pos_embds"]:
            with torch.no_grad():
                self.position_embeddings.weight.copy_(sinusoidal_table(c["max_position_embeddings"], c["dim"]))
        self.LayerNorm = nn.LayerNorm(c["dim"], eps=1e-12)

    def forward(self, ids):
        pos = torch.arange(ids.shape[1]).unsqueeze(0)
        return self.LayerNorm(self.word_embeddings(ids) + self.position_embeddings(pos))


class MultiHeadSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["dim"]
        self.n_heads = c["n_heads"]
        self.q_lin, self.k_lin, self.v_lin, self.out_lin = (nn.Linear(d, d) for _ in range(4))

    def forward(self, x, mask):  # mask [b, s] 0/1
        bs, s, dim = x.shape
        dh = dim // self.n_heads

        def shape(t):
            return t.view(bs, -1, self.n_heads, dh).transpose(1, 2)

        q = shape(self.q_lin(x)) / math.sqrt(dh)  # DistilBERT scales q before the product
        k, v = shape(self.k_lin(x)), shape(self.v_lin(x))
        scores = q @ k.transpose(2, 3)
        scores = scores.masked_fill((mask == 0).view(bs, 1, 1, s).expand_as(scores), -float("inf"))
        ctx = torch.softmax(scores, dim=-1) @ v
        return self.out_lin(ctx.transpose(1, 2).contiguous().view(bs, -1, dim))


class FFN(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.lin1 = nn.Linear(c["dim"], c["hidden_dim"])
        self.lin2 = nn.Linear(c["hidden_dim"], c["dim"])


class TransformerBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = MultiHeadSelfAttention(c)
        self.sa_layer_norm = nn.LayerNorm(c["dim"], eps=1e-12)
        self.ffn = FFN(c)
        self.output_layer_norm = nn.LayerNorm(c["dim"], eps=1e-12)
        self.act = activation(c["activation"])

    def forward(self, x, mask, edit, index):
        sa = self.sa_layer_norm(self.attention(x, mask) + x)
        u = edit(index, self.ffn.lin1(sa))
        return self.output_layer_norm(self.ffn.lin2(self.act(u)) + sa)


class Transformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([TransformerBlock(c) for _ in range(c["n_layers"])])


class DistilBertModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = DistilEmbeddings(c)
        self.transformer = Transformer(c)


class DistilBertForMaskedLM(nn.Module):
    base = "distilbert"
    decoder_weight = "vocab_projector.weight"
    bias_names = ("vocab_projector.bias",)

    def __init__(self, c):
        super().__init__()
        self.config = c
        self.activation = activation(c["activation"])
        self.distilbert = DistilBertModel(c)
        self.vocab_transform = nn.Linear(c["dim"], c["dim"])
        self.vocab_layer_norm = nn.LayerNorm(c["dim"], eps=1e-12)
        self.vocab_projector = nn.Linear(c["dim"], c["vocab_size"])
        self.vocab_projector.weight = self.distilbert.embeddings.word_embeddings.weight

    def forward(self, ids, mask, edit=no_edit):
        x = self.distilbert.embeddings(ids)
        for i, block in enumerate(self.distilbert.transformer.layer):
            x = block(x, mask, edit, i)
        return self.vocab_projector(self.vocab_layer_norm(self.activation(self.vocab_transform(x))))

    def act(self, u):
        return self.activation(u)


# ---------------------------------------------------------------------------------------------------------
# ALBERT (modeling_albert.py): factorised embeddings, layer groups shared across the repetitions


class AlbertEmbeddings(ElectraEmbeddings):
    """Word, position and token-type tables in embedding_size, LayerNorm(embedding_size): ELECTRA's layout."""


class AlbertAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c["hidden_size"]
        self.heads = c["num_attention_heads"]
        self.query, self.key, self.value, self.dense = (nn.Linear(h, h) for _ in range(4))
        self.LayerNorm = nn.LayerNorm(h, eps=c["layer_norm_eps"])

    def forward(self, x, mask_add):
        b, s, h = x.shape
        d = h // self.heads

        def split(t):
            return t.view(b, s, self.heads, d).permute(0, 2, 1, 3)

        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d) + mask_add
        ctx = (torch.softmax(scores, dim=-1) @ v).transpose(2, 1).flatten(2)
        return self.LayerNorm(x + self.dense(ctx))


class AlbertLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.full_layer_layer_norm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])
        self.attention = AlbertAttention(c)
        self.ffn = nn.Linear(c["hidden_size"], c["intermediate_size"])
        self.ffn_output = nn.Linear(c["intermediate_size"], c["hidden_size"])
        self.act = activation(c["hidden_act"])

    def forward(self, x, mask_add, edit, index):
        a = self.attention(x, mask_add)
        u = edit(index, self.ffn(a))
        return self.full_layer_layer_norm(self.ffn_output(self.act(u)) + a)


class AlbertLayerGroup(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.albert_layers = nn.ModuleList([AlbertLayer(c) for _ in range(c["inner_group_num"])])


class AlbertTransformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.config = c
        self.embedding_hidden_mapping_in = nn.Linear(c["embedding_size"], c["hidden_size"])
        self.albert_layer_groups = nn.ModuleList([AlbertLayerGroup(c) for _ in range(c["num_hidden_groups"])])

    def forward(self, x, mask_add, edit):
        c = self.config
        x = self.embedding_hidden_mapping_in(x)
        n, groups = c["num_hidden_layers"], c["num_hidden_groups"]
        for i in range(n):
            group = self.albert_layer_groups[int(i / (n / groups))]
            for j, layer in enumerate(group.albert_layers):
                x = layer(x, mask_add, edit, i * c["inner_group_num"] + j)
        return x


class AlbertModel(nn.Module):
    def __init__(self, c, pooler):
        super().__init__()
        self.embeddings = AlbertEmbeddings(c)
        self.encoder = AlbertTransformer(c)
        if pooler:  # AlbertForMaskedLM has add_pooling_layer=False; pretraining checkpoints keep albert.pooler
            self.pooler = nn.Linear(c["hidden_size"], c["hidden_size"])


class AlbertMLMHead(nn.Module):
    """dense (hidden -> embedding) -> ACT2FN[hidden_act] -> LayerNorm(embedding_size, layer_norm_eps) -> decoder."""

    def __init__(self, c):
        super().__init__()
        self.LayerNorm = nn.LayerNorm(c["embedding_size"], eps=c["layer_norm_eps"])
        self.bias = nn.Parameter(torch.zeros(c["vocab_size"]))  # = decoder.bias in HF
        self.dense = nn.Linear(c["hidden_size"], c["embedding_size"])
        self.decoder = nn.Linear(c["embedding_size"], c["vocab_size"], bias=False)
        self.activation = activation(c["hidden_act"])

    def forward(self, x):
        return self.decoder(self.LayerNorm(self.activation(self.dense(x)))) + self.bias


class AlbertForMaskedLM(nn.Module):
    base = "albert"
    decoder_weight = "predictions.decoder.weight"
    bias_names = ("predictions.bias", "predictions.decoder.bias")

    def __init__(self, c, pooler=False):
        super().__init__()
        self.config = c
        self.albert = AlbertModel(c, pooler)
        self.predictions = AlbertMLMHead(c)
        self.predictions.decoder.weight = self.albert.embeddings.word_embeddings.weight

    def forward(self, ids, mask, edit=no_edit):
        x = self.albert.embeddings(ids)
        return self.predictions(self.albert.encoder(x, additive_mask(mask), edit))

    def act(self, u):
        return self.albert.encoder.albert_layer_groups[0].albert_layers[0].act(u)


# ---------------------------------------------------------------------------------------------------------

CLASSES = {"roberta": RobertaForMaskedLM, "xlm-roberta": RobertaForMaskedLM, "distilbert": DistilBertForMaskedLM,
           "electra": ElectraForMaskedLM, "albert": AlbertForMaskedLM}


def build(c, **kw):
    return CLASSES[c["model_type"]](c, **kw)


def study_layers(c):
    """How many study layers a config has (ALBERT: repetitions x inner layers)."""
    if c["model_type"] == "distilbert":
        return c["n_layers"]
    return c["num_hidden_layers"] * c.get("inner_group_num", 1)


def load(model_dir):
    """Reads an HF-layout directory the way from_pretrained does for these classes: config.json with the class
    defaults, model.safetensors or a sharded index; names with or without the base-model prefix; LayerNorm
    gamma/beta read as weight/bias; a tied pair (word embeddings, decoder) filled from whichever name is stored;
    the head bias from either of its names; position_ids buffers and poolers ignored."""
    c = read_config(os.path.join(model_dir, "config.json"))
    idx = os.path.join(model_dir, "model.safetensors.index.json")
    if os.path.exists(idx):
        with open(idx) as f:
            shards = sorted(set(json.load(f)["weight_map"].values()))
        tensors = {}
        for s in shards:
            tensors.update(bertref.read_safetensors(os.path.join(model_dir, s)))
    else:
        tensors = bertref.read_safetensors(os.path.join(model_dir, "model.safetensors"))
    cls = CLASSES[c["model_type"]]
    m = cls(c)
    state = m.state_dict()

    def canonical(name):
        name = name.replace("LayerNorm.gamma", "LayerNorm.weight").replace("LayerNorm.beta", "LayerNorm.bias")
        if name not in state and cls.base + "." + name in state:
            name = cls.base + "." + name
        return name

    loaded = set()
    for name, arr in tensors.items():
        key = canonical(name)
        if key.endswith("position_ids") or ".pooler." in key or key not in state:
            continue
        if key in cls.bias_names:
            key = cls.bias_names[0]
        state[key].copy_(torch.from_numpy(np.array(arr)))
        loaded.add(key)
    word = [k for k in state if k.endswith("embeddings.word_embeddings.weight")][0]
    if cls.decoder_weight in loaded:
        loaded.add(word)  # the decoder's tensor is the word embeddings' (one Parameter)
    loaded.add(cls.decoder_weight)
    missing = [k for k in state if k not in loaded and k not in cls.bias_names[1:]]
    assert not missing, f"{model_dir}: missing tensors {missing}"
    m.eval()
    return m
