"""Reads character vectors out of an installed R package's lazy-load data base (data/Rdata.rdx + .rdb).

R stores a package's data sets as one serialized object per name: the .rdx index (a gzip-compressed
serialization) maps each name to an (offset, length) in the .rdb file, whose blocks are a 4-byte big-endian
length followed by a zlib stream (or, after a type byte '2'/'X'/'Z', bzip2/xz/none) of an XDR serialization
(R Internals, "Serialization formats" and "Lazy loading"). Only what data sets of text need is decoded:
NULL, symbols, pairlists (attributes), character, logical, integer and double vectors, lists, references.
Used by build_corpus.py to read the Jane Austen novels of Debian's r-cran-janeaustenr without installing R.
"""
import bz2
import gzip
import lzma
import struct
import zlib

NILVALUE, REFSXP, GLOBALENV, EMPTYENV, BASEENV, MISSINGARG, UNBOUND = 254, 255, 253, 242, 241, 251, 252
SYMSXP, LISTSXP, CHARSXP, LGLSXP, INTSXP, REALSXP, STRSXP, VECSXP = 1, 2, 9, 10, 13, 14, 16, 19


class Reader:
    """An XDR (big-endian) R unserializer for the subset described in the module doc."""

    def __init__(self, data):
        if data[:2] != b"X\n":
            raise ValueError("not an XDR R serialization")
        self.b, self.i, self.refs = data, 2, []
        version = self.int()
        self.int(), self.int()
        if version == 3:
            n = self.int()
            self.i += n  # native encoding name

    def int(self):
        v = struct.unpack_from(">i", self.b, self.i)[0]
        self.i += 4
        return v

    def item(self):
        flags = self.int()
        t, has_attr, has_tag = flags & 0xFF, flags & (1 << 9), flags & (1 << 10)
        if t in (NILVALUE, GLOBALENV, EMPTYENV, BASEENV, MISSINGARG, UNBOUND):
            return None
        if t == REFSXP:
            return self.refs[(flags >> 8) - 1]
        if t == SYMSXP:
            name = self.item()
            self.refs.append(name)
            return name
        if t == CHARSXP:
            n = self.int()
            if n == -1:
                return None
            s = self.b[self.i : self.i + n].decode("utf-8", errors="replace")
            self.i += n
            return s
        if t == LISTSXP:
            attr = self.item() if has_attr else None
            tag = self.item() if has_tag else None
            car = self.item()
            cdr = self.item()
            del attr
            return [(tag, car)] + (cdr if isinstance(cdr, list) else [])
        if t in (LGLSXP, INTSXP):
            n = self.int()
            v = list(struct.unpack_from(f">{n}i", self.b, self.i))
            self.i += 4 * n
        elif t == REALSXP:
            n = self.int()
            v = list(struct.unpack_from(f">{n}d", self.b, self.i))
            self.i += 8 * n
        elif t in (STRSXP, VECSXP):
            v = [self.item() for _ in range(self.int())]
        else:
            raise ValueError(f"R type {t} at byte {self.i - 4} is not supported")
        if has_attr:
            names = dict(self.item() or []).get("names")
            if t == VECSXP and names:
                return dict(zip(names, v))  # a named list (data frames, the lazy-load index)
        return v


def _block(raw):
    n = struct.unpack_from(">I", raw)[0]
    kind, body = raw[4:5], raw[4:]
    if kind == b"2":
        data = bz2.decompress(raw[5:])
    elif kind == b"X":
        data = lzma.decompress(raw[5:])
    elif kind == b"0":
        data = raw[5:]
    else:
        data = zlib.decompress(body)
    if len(data) != n:
        raise ValueError(f"lazy-load block: {len(data)} bytes, header says {n}")
    return data


def read_lazyload(prefix):
    """Returns {name: value} for the objects of prefix.rdx/prefix.rdb (e.g. ".../data/Rdata")."""
    with gzip.open(prefix + ".rdx") as f:
        index = Reader(f.read()).item()
    variables = index["variables"]
    with open(prefix + ".rdb", "rb") as f:
        rdb = f.read()
    out = {}
    for name, (off, length) in variables.items():
        out[name] = Reader(_block(rdb[int(off) : int(off) + int(length)])).item()
    return out
