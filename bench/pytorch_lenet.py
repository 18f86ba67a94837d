#!/usr/bin/python3
"""PyTorch side of bench_nn: LeNet-5 (the xbarsim zoo layout, nn/src/zoo/lenet.cpp) on
Fashion-MNIST, one training epoch (Adam, batch 64) and inference on the 10k test images
(batch 1000), timed with the given thread count. Prints one JSON line.
Run with Debian's interpreter: /usr/bin/python3 bench/pytorch_lenet.py DATA_DIR THREADS"""
import gzip
import json
import sys
import time

import numpy as np
import torch
from torch import nn


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * k:8 + 4 * k], "big") for k in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 120, 5), nn.ReLU(), nn.Flatten(),
        nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def main():
    data_dir, threads = sys.argv[1], int(sys.argv[2])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    xtr = torch.from_numpy(idx(f"{data_dir}/train-images-idx3-ubyte.gz").astype(np.float32) / 255).unsqueeze(1)
    ytr = torch.from_numpy(idx(f"{data_dir}/train-labels-idx1-ubyte.gz").astype(np.int64))
    xte = torch.from_numpy(idx(f"{data_dir}/t10k-images-idx3-ubyte.gz").astype(np.float32) / 255).unsqueeze(1)
    model = lenet5()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    perm = torch.randperm(xtr.shape[0])
    t0 = time.perf_counter()
    model.train()
    for b in range(0, xtr.shape[0], 64):
        idx_b = perm[b:b + 64]
        opt.zero_grad()
        loss = loss_fn(model(xtr[idx_b]), ytr[idx_b])
        loss.backward()
        opt.step()
    train_s = time.perf_counter() - t0
    model.eval()
    with torch.no_grad():
        model(xte[:1000])  # warm-up
        t0 = time.perf_counter()
        for b in range(0, xte.shape[0], 1000):
            model(xte[b:b + 1000])
        infer_s = time.perf_counter() - t0
    print(json.dumps({"train_epoch_s": train_s, "inference_10k_s": infer_s, "threads": threads,
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()
