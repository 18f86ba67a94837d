#!/usr/bin/python3
"""Writes the PyTorch reference cases of the ONNX importer into a scratch directory.

Usage: /usr/bin/python3 make_onnx_models.py OUT_DIR

For every model NAME:  NAME.onnx, NAME.x.f32 (the input batch) and NAME.y.f32 (PyTorch's
output for it), raw little-endian float32 in NCHW order; one line per model in
manifest.txt: "model NAME N C H W K" (H = W = 1 for 2-D inputs). Also the error cases
unsupported_op.onnx and bad_gemm.onnx, and the SGD case of sgd_reference.py. Everything
comes from one process because importing torch takes seconds.

Models carry random weights (torch.manual_seed) so that every operator's arithmetic
matters; BatchNorm gets random running statistics. The references are PyTorch's own
eval-mode outputs (models 'a' to 'c', exported by torch.onnx) or PyTorch functional ops
mirroring a hand-built ONNX graph (model 'd', for attributes torch.onnx never emits:
auto_pad SAME_*, count_include_pad, LRN, Gemm transB = 0 with alpha/beta).
"""
import io
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import helper, numpy_helper, TensorProto

import sgd_reference

OPSET = 13


def save(out, name, x, y, model_proto, manifest):
    onnx.checker.check_model(model_proto)
    onnx.save(model_proto, os.path.join(out, name + ".onnx"))
    x = x.detach().numpy().astype("<f4")
    y = y.detach().numpy().astype("<f4")
    x.tofile(os.path.join(out, name + ".x.f32"))
    y.tofile(os.path.join(out, name + ".y.f32"))
    dims = list(x.shape) + [1] * (4 - x.ndim)
    manifest.append("model %s %d %d %d %d %d" % (name, dims[0], dims[1], dims[2], dims[3], y.shape[1]))


def export(module, x, opset=OPSET):
    # PRESERVE (with the module in eval mode) keeps BatchNormalization as a node instead
    # of folding it into the preceding Conv, so the importer's BN is what gets tested.
    f = io.BytesIO()
    torch.onnx.export(module, x, f, opset_version=opset, input_names=["x"], output_names=["y"],
                      training=torch.onnx.TrainingMode.PRESERVE)
    return onnx.load_from_string(f.getvalue())


def prune(model):
    """Drops nodes the output does not depend on (left by the pad rewrite below)."""
    g = model.graph
    needed = {o.name for o in g.output}
    keep = []
    for n in reversed(list(g.node)):
        if any(o in needed for o in n.output):
            keep.append(n)
            needed.update(n.input)
    keep.reverse()
    del g.node[:]
    g.node.extend(keep)
    used = {i for n in g.node for i in n.input}
    inits = [t for t in g.initializer if t.name in used]
    del g.initializer[:]
    g.initializer.extend(inits)


def insert_after(model, producer_output, node_factory):
    """Inserts a one-input node on the edge leaving `producer_output`."""
    g = model.graph
    new_out = producer_output + "_inserted"
    for n in g.node:
        for k, i in enumerate(n.input):
            if i == producer_output:
                n.input[k] = new_out
    for o in g.output:
        if o.name == producer_output:
            o.name = new_out
    node = node_factory(producer_output, new_out)
    idx = next(k for k, n in enumerate(g.node) if producer_output in n.output)
    g.node.insert(idx + 1, node)


def randomise_bn(bn):
    with torch.no_grad():
        bn.weight.uniform_(0.5, 1.5)
        bn.bias.uniform_(-0.5, 0.5)
        bn.running_mean.uniform_(-0.5, 0.5)
        bn.running_var.uniform_(0.5, 2.0)


# ---------------------------------------------------------------- model a
class ModelA(nn.Module):
    """Pad (asymmetric, value) + grouped dilated Conv + BN + LeakyReLU + MaxPool(ceil) +
    AvgPool(count_include_pad, exported as Pad + AveragePool) + Flatten + Gemm + PReLU
    (+ Dropout inserted) + Softmax."""

    def __init__(self):
        super().__init__()
        self.pad = nn.ConstantPad2d((1, 2, 0, 1), 0.25)  # left, right, top, bottom
        self.conv = nn.Conv2d(4, 6, 3, groups=2, dilation=2, padding=1)
        self.bn = nn.BatchNorm2d(6)
        self.act = nn.LeakyReLU(0.2)
        self.mp = nn.MaxPool2d(3, 2, padding=1, ceil_mode=True)
        self.ap = nn.AvgPool2d(2, 1, padding=1, count_include_pad=True)
        self.fc = nn.Linear(378, 10)  # 6 x 7 x 9 after the pools
        self.prelu = nn.PReLU(10)
        self.drop = nn.Dropout(0.3)
        randomise_bn(self.bn)
        with torch.no_grad():
            self.prelu.weight.uniform_(0.05, 0.5)

    def forward(self, x):
        x = self.ap(self.mp(self.act(self.bn(self.conv(self.pad(x))))))
        x = self.drop(self.prelu(self.fc(torch.flatten(x, 1))))
        return F.softmax(x, dim=1)


def model_a(out, manifest, opset=OPSET, name="a"):
    m = ModelA().eval()
    x = torch.randn(2, 4, 11, 13)
    y = m(x)
    p = export(m, x, opset)
    # torch.onnx computes ConstantPad2d's pads with Slice/Transpose arithmetic it cannot
    # fold; replace it by the constant it evaluates to (ONNX order: begins of N, C, H, W,
    # then ends) so the graph holds a plain Pad.
    pad = next(n for n in p.graph.node if n.op_type == "Pad" and "/pad/" in n.name)
    p.graph.initializer.append(numpy_helper.from_array(np.array([0, 0, 0, 1, 0, 0, 1, 2], np.int64), "pad_pads"))
    pad.input[1] = "pad_pads"
    # Eval-mode export removes Dropout; put one back (identity at inference, ratio 0.3).
    prelu = next(n for n in p.graph.node if n.op_type == "PRelu")
    if opset >= 12:
        p.graph.initializer.append(numpy_helper.from_array(np.array(0.3, np.float32), "drop_ratio"))
        make = lambda i, o: helper.make_node("Dropout", [i, "drop_ratio"], [o], name="dropout")
    else:  # ratio was an attribute before opset 12
        make = lambda i, o: helper.make_node("Dropout", [i], [o], name="dropout", ratio=0.3)
    insert_after(p, prelu.output[0], make)
    prune(p)
    save(out, name, x, y, p, manifest)


# ---------------------------------------------------------------- model b
class ModelB(nn.Module):
    """Residual Add, ELU, Sigmoid/Tanh branches + Concat, per-sample Reshape,
    GlobalAveragePool, Reshape to N x -1, MatMul + bias Add, Mul by a constant
    (+ Identity inserted)."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(4, 8, 3, padding=1)
        self.b1 = nn.Conv2d(8, 8, 3, padding=1)
        self.elu = nn.ELU(0.7)
        self.c2 = nn.Conv2d(8, 4, 1)
        self.c3 = nn.Conv2d(8, 4, 1)
        self.W = nn.Parameter(torch.randn(8, 6) * 0.5)
        self.b = nn.Parameter(torch.randn(6) * 0.5)

    def forward(self, x):
        x = self.stem(x)
        y = x + self.elu(self.b1(x))
        z = torch.cat([torch.sigmoid(self.c2(y)), torch.tanh(self.c3(y))], 1)
        z = z.reshape(-1, 8, 16, 4)
        g = F.adaptive_avg_pool2d(z, 1).reshape(-1, 8)
        return (g @ self.W + self.b) * 0.5


def model_b(out, manifest, opset=OPSET, name="b"):
    m = ModelB().eval()
    x = torch.randn(2, 4, 8, 8)
    y = m(x)
    p = export(m, x, opset)
    mul = next(n for n in p.graph.node if n.op_type == "Mul")
    insert_after(p, mul.input[0], lambda i, o: helper.make_node("Identity", [i], [o], name="identity"))
    save(out, name, x, y, p, manifest)


# ---------------------------------------------------------------- model c
class ModelC(nn.Module):
    """Depthwise Conv (stride 2) + pointwise Conv without bias + ReLU + AvgPool(ceil,
    count_include_pad = 0) + Flatten + Linear without bias (MatMul)."""

    def __init__(self):
        super().__init__()
        self.dw = nn.Conv2d(6, 6, 3, stride=2, padding=1, groups=6)
        self.pw = nn.Conv2d(6, 12, 1, bias=False)
        self.ap = nn.AvgPool2d(3, 2, padding=1, ceil_mode=True, count_include_pad=False)
        self.fc = nn.Linear(12 * 3 * 3, 7, bias=False)

    def forward(self, x):
        x = self.ap(F.relu(self.pw(self.dw(x))))
        return self.fc(torch.flatten(x, 1))


def model_c(out, manifest):
    m = ModelC().eval()
    x = torch.randn(2, 6, 9, 9)
    y = m(x)
    save(out, "c", x, y, export(m, x), manifest)


# ---------------------------------------------------------------- model d (hand-built)
def model_d(out, manifest):
    x = torch.randn(2, 3, 10, 10)
    w1, b1 = torch.randn(4, 3, 3, 3) * 0.4, torch.randn(4) * 0.2
    w2 = torch.randn(4, 4, 2, 2) * 0.4
    B, C = torch.randn(36, 5) * 0.3, torch.randn(5) * 0.3
    alpha, beta = 0.7, 1.3
    # Reference with PyTorch functional ops, one per ONNX node.
    h = F.conv2d(F.pad(x, (0, 1, 0, 1)), w1, b1, stride=2)  # SAME_UPPER: extra pad at the end
    h = F.relu(h)
    h = F.local_response_norm(h, 3, alpha=0.5, beta=0.75, k=2.0)
    h = F.conv2d(F.pad(h, (1, 0, 1, 0)), w2)  # SAME_LOWER: extra pad at the beginning
    h = F.avg_pool2d(h, 3, 2, 1, count_include_pad=True)
    h = h * 1.5
    h = h.reshape(2, -1)
    y = F.softmax(alpha * h @ B + beta * C, dim=-1)

    init = [numpy_helper.from_array(t.numpy(), n) for t, n in
            [(w1, "w1"), (b1, "b1"), (w2, "w2"), (B, "B"), (C, "C")]]
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["h1"], name="conv_same_upper", auto_pad="SAME_UPPER",
                         strides=[2, 2], kernel_shape=[3, 3]),
        helper.make_node("Relu", ["h1"], ["h2"]),  # unnamed: exercised by index labels
        helper.make_node("LRN", ["h2"], ["h3"], name="lrn", size=3, alpha=0.5, beta=0.75, bias=2.0),
        helper.make_node("Conv", ["h3", "w2"], ["h4"], name="conv_same_lower", auto_pad="SAME_LOWER"),
        helper.make_node("AveragePool", ["h4"], ["h5"], name="avgpool_incl", kernel_shape=[3, 3], strides=[2, 2],
                         pads=[1, 1, 1, 1], count_include_pad=1),
        helper.make_node("Constant", [], ["k"], name="k15",
                         value=numpy_helper.from_array(np.array(1.5, np.float32))),
        helper.make_node("Mul", ["k", "h5"], ["h6"], name="scale"),
        helper.make_node("Constant", [], ["shape"], name="shape", value_ints=[0, -1]),
        helper.make_node("Reshape", ["h6", "shape"], ["h7"], name="reshape"),
        helper.make_node("Gemm", ["h7", "B", "C"], ["h8"], name="gemm_t0", alpha=alpha, beta=beta, transB=0),
        helper.make_node("Softmax", ["h8"], ["y"], name="softmax"),
    ]
    g = helper.make_graph(nodes, "d", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 10, 10])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 5])], init)
    p = helper.make_model(g, opset_imports=[helper.make_opsetid("", OPSET)])
    save(out, "d", x, y, p, manifest)


# ---------------------------------------------------------------- error cases
def error_cases(out):
    w = numpy_helper.from_array(np.ones((3, 4), np.float32), "w")
    # An unsupported operator on the live path.
    g = helper.make_graph(
        [helper.make_node("Gemm", ["x", "w"], ["h"], name="fc", transB=1),
         helper.make_node("Erf", ["h"], ["y"], name="my_erf")],
        "erf", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3])], [w])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", OPSET)]),
              os.path.join(out, "unsupported_op.onnx"))
    # A Gemm whose weight does not fit its input (5 features expected, 4 given); the
    # node is unnamed, so the error must name it by index.
    w5 = numpy_helper.from_array(np.ones((3, 5), np.float32), "w5")
    g = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["r"], name="relu"),
         helper.make_node("Gemm", ["r", "w5"], ["y"], transB=1)],
        "bad_gemm", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3])], [w5])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", OPSET)]),
              os.path.join(out, "bad_gemm.onnx"))
    # An unsupported attribute value: Pad in reflect mode.
    pads = numpy_helper.from_array(np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64), "pads")
    g = helper.make_graph(
        [helper.make_node("Pad", ["x", "pads"], ["y"], name="pad_reflect", mode="reflect")],
        "pad_reflect", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 3, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2, 5, 5])], [pads])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", OPSET)]),
              os.path.join(out, "pad_reflect.onnx"))
    # An opset outside 11-17.
    g = helper.make_graph([helper.make_node("Relu", ["x"], ["y"], name="relu")], "old",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 9)]), os.path.join(out, "opset9.onnx"))
    # A constant added after a Relu cannot be folded into a bias.
    bias = numpy_helper.from_array(np.ones((3,), np.float32), "bias")
    g = helper.make_graph(
        [helper.make_node("Gemm", ["x", "w"], ["h"], name="fc", transB=1),
         helper.make_node("Relu", ["h"], ["r"], name="relu"),
         helper.make_node("Add", ["r", "bias"], ["y"], name="late_bias")],
        "late_bias", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3])], [w, bias])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", OPSET)]),
              os.path.join(out, "late_bias.onnx"))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(20260426)
    torch.set_num_threads(1)
    manifest = []
    for make in (model_a, model_b, model_c, model_d):
        make(out, manifest)
    # The ends of the supported opset range (Softmax and Dropout changed in between).
    model_a(out, manifest, 11, "a_opset11")
    model_b(out, manifest, 17, "b_opset17")
    error_cases(out)
    manifest.append(sgd_reference.write(out))
    with open(os.path.join(out, "manifest.txt"), "w") as f:
        f.write("\n".join(manifest) + "\n")


if __name__ == "__main__":
    main()
