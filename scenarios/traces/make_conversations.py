#!/usr/bin/env python3
"""Writes sample_conversations.jsonl: a small synthetic multi-turn chat trace in the Mooncake format,
with prefix-block hashes, for the prefix-cache scenarios and tests (not real traffic).

Every conversation starts with the same 1,024-token system prompt; turn k's prompt is the system prompt,
every earlier user message and answer, and the new user message. A 512-token block gets a hash the
first time its content (the conversation up to the block's end) appears, so later turns of the same
conversation and the shared system prompt repeat earlier hashes, as in Mooncake's hash_ids. Only full
blocks repeat: the last, partial block of a prompt is new content next turn.

Run: python3 make_conversations.py > sample_conversations.jsonl (deterministic: seed 2026)."""
import json
import math
import random

BLOCK = 512
SYSTEM = 1024
rng = random.Random(2026)


def lognormal(median, sigma, lo, hi):
    return max(lo, min(hi, int(round(math.exp(math.log(median) + sigma * rng.gauss(0, 1))))))


next_hash = SYSTEM // BLOCK  # the system prompt's blocks are hashes 0 and 1
requests = []
t = 0.0
for conv in range(80):
    t += rng.expovariate(0.4)  # a new conversation every 2.5 s on average
    turns = rng.randint(1, 6)
    blocks = list(range(SYSTEM // BLOCK))  # hashes of the conversation's full blocks so far
    history = SYSTEM
    at = t
    for k in range(turns):
        user = lognormal(300, 0.8, 20, 2000)
        prompt = history + user
        out = lognormal(200, 0.7, 10, 600)
        while len(blocks) < math.ceil(prompt / BLOCK):
            blocks.append(next_hash)
            next_hash += 1
        requests.append((at, prompt, out, list(blocks)))
        history = prompt + out
        # the partial last block changes next turn (new tokens fill it): forget its hash
        full = history // BLOCK
        del blocks[min(full, prompt // BLOCK):]
        at += lognormal(200, 0.5, 20, 2000) / 40.0 + rng.expovariate(1 / 20.0)  # reading the answer, typing

requests.sort(key=lambda r: r[0])
for at, prompt, out, hashes in requests:
    print(json.dumps({"timestamp": int(round(at * 1000)), "input_length": prompt, "output_length": out,
                      "hash_ids": hashes}))
