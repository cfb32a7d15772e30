#!/usr/bin/env python3
"""PyTorch side of `RnnGen.Benchmarks compare`: times the issue's configurations in PyTorch.

Run by the compare command as
    OPENBLAS_NUM_THREADS=2 OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 bench/pytorch_compare.py [--iterations N] [config ...]
and prints one JSON object {"config": {"ms": median, "iterations": N}, "_meta": {...}} on stdout.
PyTorch runs with torch.set_num_threads(1) (the issue's fastest setting on this machine type).
serve-*: forward under no_grad. train-*: forward + backward + optimizer step (SGD; the char LM
uses embedding + LSTM + linear + softmax cross-entropy + gradient clipping + Adam).
"""
import json
import statistics
import sys
import time

import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)

# name: (cell, input, hidden, layers, bidirectional, batch, steps, mode[, proj_size]); None: no PyTorch counterpart
CONFIGS = {
    "serve-lstm-h128-b1-t50": ("lstm", 32, 128, 1, False, 1, 50, "serve"),
    "serve-lstm-h256x2-b1-t100": ("lstm", 128, 256, 2, False, 1, 100, "serve"),
    "serve-gru-h256x2-b1-t100": ("gru", 128, 256, 2, False, 1, 100, "serve"),
    "serve-lstm-h256x2-b32-t100": ("lstm", 128, 256, 2, False, 32, 100, "serve"),
    "train-lstm-h256x2-b32-t64": ("lstm", 128, 256, 2, False, 32, 64, "train"),
    "train-gru-h256x2-b32-t64": ("gru", 128, 256, 2, False, 32, 64, "train"),
    "train-rnn-h256x2-b32-t64": ("rnn", 128, 256, 2, False, 32, 64, "train"),
    "train-bilstm-h128-b16-t40": ("lstm", 64, 128, 1, True, 16, 40, "train"),
    "train-charlm-h512-b32-t128": ("charlm", 64, 512, 1, False, 32, 128, "charlm"),
    # beyond the nine: the date sample's encoder-decoder (batch, source steps, target steps)
    "serve-bilstm-h128-b1-t40": ("lstm", 64, 128, 1, True, 1, 40, "serve"),
    "train-lstmp-h256-p128x2-b32-t64": ("lstm", 128, 256, 2, False, 32, 64, "train", 128),
    "train-lstm-peep-ln-h256x2-b32-t64": None,
    "serve-lstm-peep-ln-h256x2-b32-t100": None,
    "train-seq2seq-gru-b64-s30-t11": ("seq2seq", 0, 0, 0, False, 64, 30, "seq2seq-train"),
    "serve-seq2seq-gru-b1-s30-t11": ("seq2seq", 0, 0, 0, False, 1, 30, "seq2seq-serve"),
}


class DateSeq2Seq(nn.Module):
    """The same model as RnnGen's DateSeq2Seq: embedding 64x32 -> bidirectional GRU 64 (memory 128);
    decoder state = [h_fwd; h_bwd]; additive attention (query, key, score linear layers without bias, A = 64)
    with the state entering each step; GRU cell 128 on [embedding 16; context]; output linear on [state; context]."""

    def __init__(self):
        super().__init__()
        self.src_emb = nn.Embedding(64, 32)
        self.enc = nn.GRU(32, 64, batch_first=True, bidirectional=True)
        self.tgt_emb = nn.Embedding(15, 16)
        self.query = nn.Linear(128, 64, bias=False)
        self.key = nn.Linear(128, 64, bias=False)
        self.score = nn.Linear(64, 1, bias=False)
        self.dec = nn.GRUCell(16 + 128, 128)
        self.out = nn.Linear(256, 15)

    def encode(self, src):
        memory, h_n = self.enc(self.src_emb(src))
        return memory, self.key(memory), torch.cat([h_n[0], h_n[1]], dim=1)

    def step(self, token, h, memory, keys):
        u = torch.tanh(self.query(h).unsqueeze(1) + keys)
        alpha = torch.softmax(self.score(u).squeeze(2), dim=1)
        context = torch.bmm(alpha.unsqueeze(1), memory).squeeze(1)
        h = self.dec(torch.cat([self.tgt_emb(token), context], dim=1), h)
        return self.out(torch.cat([h, context], dim=1)), h, alpha

    def forward(self, src, tgt_in):
        memory, keys, h = self.encode(src)
        logits = []
        for t in range(tgt_in.shape[1]):
            z, h, _ = self.step(tgt_in[:, t], h, memory, keys)
            logits.append(z)
        return torch.stack(logits, dim=1)


def build_seq2seq(batch, steps, mode, target_steps=11):
    model = DateSeq2Seq()
    src = torch.randint(4, 64, (batch, steps))
    tgt = torch.randint(4, 15, (batch, target_steps))
    tgt_in = torch.cat([torch.full((batch, 1), 2), tgt[:, :-1]], dim=1)
    if mode == "seq2seq-serve":
        def run():
            with torch.no_grad():
                memory, keys, h = model.encode(src)
                token = torch.full((batch,), 2)
                for t in range(target_steps):
                    _, h, _ = model.step(token, h, memory, keys)
                    token = tgt[:, t]
        return run
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    loss_fn = nn.CrossEntropyLoss()

    def run():
        opt.zero_grad(set_to_none=False)
        loss = loss_fn(model(src, tgt_in).reshape(-1, 15), tgt.reshape(-1))
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    return run


def make_rnn(cell, inp, hid, layers, bidi, proj=0):
    kw = dict(input_size=inp, hidden_size=hid, num_layers=layers, bidirectional=bidi, batch_first=True)
    if cell == "lstm" or cell == "charlm":
        return nn.LSTM(proj_size=proj, **kw) if proj else nn.LSTM(**kw)
    if cell == "gru":
        return nn.GRU(**kw)
    return nn.RNN(nonlinearity="tanh", **kw)


def build(name):
    cell, inp, hid, layers, bidi, batch, steps, mode = CONFIGS[name][:8]
    proj = CONFIGS[name][8] if len(CONFIGS[name]) > 8 else 0
    if mode.startswith("seq2seq"):
        return build_seq2seq(batch, steps, mode)
    if mode == "serve":
        rnn = make_rnn(cell, inp, hid, layers, bidi)
        x = torch.randn(batch, steps, inp)

        def run():
            with torch.no_grad():
                rnn(x)
        return run
    if mode == "train":
        rnn = make_rnn(cell, inp, hid, layers, bidi, proj)
        x = torch.randn(batch, steps, inp)
        dy = torch.randn(batch, steps, (proj or hid) * (2 if bidi else 1))
        opt = torch.optim.SGD(rnn.parameters(), lr=1e-3)

        def run():
            opt.zero_grad(set_to_none=False)
            y, _ = rnn(x)
            y.backward(dy)  # same work as RnnGen's Backward(outputGradient)
            opt.step()
        return run
    # char LM: embedding 65x64, LSTM H=512, linear 512->65, softmax CE, clip 1.0, Adam
    emb = nn.Embedding(65, inp)
    rnn = make_rnn("lstm", inp, hid, 1, False)
    head = nn.Linear(hid, 65)
    params = list(emb.parameters()) + list(rnn.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)
    tokens = torch.randint(0, 65, (batch, steps))
    targets = torch.randint(0, 65, (batch, steps))
    loss_fn = nn.CrossEntropyLoss()

    def run():
        opt.zero_grad(set_to_none=False)
        y, _ = rnn(emb(tokens))
        loss = loss_fn(head(y).reshape(-1, 65), targets.reshape(-1))
        loss.backward()
        nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
    return run


def median_ms(run, min_seconds, max_iterations):
    # warm-up: at least 3 calls and 0.3 s
    start = time.perf_counter()
    n = 0
    while n < 3 or time.perf_counter() - start < 0.3:
        run()
        n += 1
    times = []
    start = time.perf_counter()
    while len(times) < 5 or (time.perf_counter() - start < min_seconds and len(times) < max_iterations):
        t0 = time.perf_counter()
        run()
        times.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(times), len(times)


def main(argv):
    min_seconds = 2.0
    names = []
    i = 0
    while i < len(argv):
        if argv[i] == "--seconds":
            min_seconds = float(argv[i + 1])
            i += 2
            continue
        names.append(argv[i])
        i += 1
    names = names or list(CONFIGS)
    result = {"_meta": {"torch": torch.__version__, "threads": torch.get_num_threads()}}
    for name in names:
        if CONFIGS.get(name) is None:
            continue  # no PyTorch counterpart (or unknown): RnnGen alone
        ms, n = median_ms(build(name), min_seconds, 2000)
        result[name] = {"ms": ms, "iterations": n}
        print(f"{name}: {ms:.3f} ms (median of {n})", file=sys.stderr, flush=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
