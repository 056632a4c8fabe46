#!/usr/bin/env python3
"""Writes env_golden.json: how huggingface_hub itself reads the HF environment, for hub's Go tests.

Usage: python3 env_golden.py PATH/TO/huggingface_hub/src/huggingface_hub/constants.py [LABEL]

LABEL (say, the huggingface_hub version or commit) is recorded in the JSON.

Each case runs in a fresh Python process with only the case's variables (and HOME, a temporary
directory written as $HOME_DIR in the JSON) set, loads huggingface_hub's real constants.py
(standalone: it imports only the standard library), and records what it computed, with
os.path.expanduser / os.path.expandvars doing the expansion. TRANSFORMERS_CACHE is computed
with the three lines of transformers 4.x src/transformers/utils/hub.py, stated below.
"""
import json
import os
import subprocess
import sys
import tempfile

CHILD = r"""
import importlib.util, json, os, sys
spec = importlib.util.spec_from_file_location("hf_constants", sys.argv[1])
c = importlib.util.module_from_spec(spec)
spec.loader.exec_module(c)
# transformers 4.x, src/transformers/utils/hub.py:
PYTORCH_PRETRAINED_BERT_CACHE = os.getenv("PYTORCH_PRETRAINED_BERT_CACHE", c.HF_HUB_CACHE)
PYTORCH_TRANSFORMERS_CACHE = os.getenv("PYTORCH_TRANSFORMERS_CACHE", PYTORCH_PRETRAINED_BERT_CACHE)
TRANSFORMERS_CACHE = os.getenv("TRANSFORMERS_CACHE", PYTORCH_TRANSFORMERS_CACHE)
print(json.dumps({
    "endpoint": c.ENDPOINT,
    "hf_home": c.HF_HOME,
    "hub_cache": c.HF_HUB_CACHE,
    "cache": TRANSFORMERS_CACHE,
    "token_path": c.HF_TOKEN_PATH,
    "offline": c.HF_HUB_OFFLINE,
    "disable_implicit_token": c.HF_HUB_DISABLE_IMPLICIT_TOKEN,
}))
"""

CASES = [
    {},
    {"XDG_CACHE_HOME": "/xdg"},
    {"XDG_CACHE_HOME": "$HOME/xdg"},
    {"HF_HOME": "~/hf"},
    {"HF_HOME": "~"},
    {"HF_HOME": "~root/hf"},
    {"HF_HOME": "~no-such-user-lesionui/hf"},
    {"HF_HOME": "$DATA/hf", "DATA": "/data"},
    {"HF_HOME": "${DATA}hf", "DATA": "/data/"},
    {"HF_HOME": "$UNSET_LESIONUI/hf"},
    {"HF_HOME": "/a/$/b${}c$$d"},
    {"HF_HOME": "$DATA/hf", "DATA": "~/d"},  # expanduser runs first: the ~ stays
    {"HF_HOME": "/h", "HF_HUB_CACHE": "~/c"},
    {"HF_HOME": "/h", "HUGGINGFACE_HUB_CACHE": "$HOME/legacy"},
    {"HF_HUB_CACHE": "/new", "HUGGINGFACE_HUB_CACHE": "/legacy"},
    {"HF_TOKEN_PATH": "~/tok"},
    {"HF_HOME": "$HOME/hf", "HF_TOKEN_PATH": "${HF_HOME}/t"},
    {"TRANSFORMERS_CACHE": "/tc", "HF_HUB_CACHE": "/new"},
    {"PYTORCH_TRANSFORMERS_CACHE": "/ptc", "PYTORCH_PRETRAINED_BERT_CACHE": "/pbc"},
    {"PYTORCH_PRETRAINED_BERT_CACHE": "/pbc", "HF_HUB_CACHE": "/new"},
    {"TRANSFORMERS_CACHE": "~/tc"},  # transformers passes it on unexpanded
    {"HF_ENDPOINT": "https://mirror.example//"},
    {"HF_HUB_OFFLINE": "1"},
    {"HF_HUB_OFFLINE": "0", "TRANSFORMERS_OFFLINE": "1"},
    {"TRANSFORMERS_OFFLINE": "1"},
    {"TRANSFORMERS_OFFLINE": "yes"},
    {"HF_HUB_OFFLINE": "on"},
    {"HF_HUB_OFFLINE": "True"},
    {"HF_HUB_OFFLINE": " 1"},
    {"HF_HUB_OFFLINE": "2"},
    {"HF_HUB_OFFLINE": "false", "TRANSFORMERS_OFFLINE": "true"},
    {"HF_HUB_DISABLE_IMPLICIT_TOKEN": "1"},
    {"HF_HUB_DISABLE_IMPLICIT_TOKEN": "yes"},
    {"HF_HUB_DISABLE_IMPLICIT_TOKEN": "0"},
    {"HF_HUB_DISABLE_IMPLICIT_TOKEN": "y"},
]


def main():
    constants = os.path.abspath(sys.argv[1])
    out = []
    with tempfile.TemporaryDirectory() as home:
        for case in CASES:
            env = {"HOME": home, "PATH": os.environ.get("PATH", "")}
            env.update(case)
            got = json.loads(subprocess.run([sys.executable, "-c", CHILD, constants], env=env, check=True,
                                            capture_output=True, text=True).stdout)
            for k, v in got.items():
                if isinstance(v, str):
                    got[k] = v.replace(home, "$HOME_DIR")
            out.append({"env": case, "want": got})
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "env_golden.json")
    with open(path, "w") as f:
        json.dump({"python": sys.version.split()[0], "constants": sys.argv[2] if len(sys.argv) > 2 else "", "cases": out}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
