#!/usr/bin/python3
"""PyTorch reference for three SGD steps on a tiny network (used by make_onnx_models.py;
runnable alone: /usr/bin/python3 sgd_reference.py OUT_DIR).

Writes sgd.onnx (the initial weights), sgd.x.f32 (batch, float32 NCHW), sgd.labels.u8
(class labels) and sgd.w.f32 (the weights after 3 steps: conv weight, conv bias, linear
weight, linear bias, concatenated in PyTorch layout). Training: CrossEntropyLoss (mean),
torch.optim.SGD(lr 0.1, momentum 0.9, weight decay 1e-4 on the weights; biases in a
group without decay, the convention of xbarsim's Param::decay), the same batch at each
step.
"""
import io
import os
import sys

import numpy as np
import torch
import torch.nn as nn

STEPS, LR, MOMENTUM, DECAY = 3, 0.1, 0.9, 1e-4


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 3, 3, padding=1)
        self.fc = nn.Linear(3 * 6 * 6, 5)

    def forward(self, x):
        return self.fc(torch.flatten(torch.relu(self.conv(x)), 1))


def write(out):
    g = torch.Generator().manual_seed(7)
    net = Tiny()
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.rand(p.shape, generator=g) - 0.5)
    x = torch.randn(4, 2, 6, 6, generator=g)
    labels = torch.tensor([0, 3, 1, 4])

    f = io.BytesIO()
    torch.onnx.export(net.eval(), x, f, opset_version=13, input_names=["x"], output_names=["y"])
    with open(os.path.join(out, "sgd.onnx"), "wb") as fh:
        fh.write(f.getvalue())

    net.train()
    opt = torch.optim.SGD([{"params": [net.conv.weight, net.fc.weight], "weight_decay": DECAY},
                           {"params": [net.conv.bias, net.fc.bias], "weight_decay": 0.0}],
                          lr=LR, momentum=MOMENTUM)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(STEPS):
        opt.zero_grad()
        loss_fn(net(x), labels).backward()
        opt.step()

    x.numpy().astype("<f4").tofile(os.path.join(out, "sgd.x.f32"))
    labels.numpy().astype(np.uint8).tofile(os.path.join(out, "sgd.labels.u8"))
    w = torch.cat([p.detach().flatten() for p in (net.conv.weight, net.conv.bias, net.fc.weight, net.fc.bias)])
    w.numpy().astype("<f4").tofile(os.path.join(out, "sgd.w.f32"))
    return "sgd sgd %d %d %d %d %d" % (4, 2, 6, 6, 5)


if __name__ == "__main__":
    os.makedirs(sys.argv[1], exist_ok=True)
    print(write(sys.argv[1]))
