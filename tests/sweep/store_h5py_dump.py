"""Dumps xbarsim sweep result files with h5py only (no xbarsim code): the independent
reader of tests/sweep/test_store.cpp. One `key=value` line per fact; floats as Python
repr (shortest exact form, `nan` for NaN); newlines in strings written as \\n.

usage: /usr/bin/python3 store_h5py_dump.py R1.h5 [R2.h5 ...]   (a `== path` line per file)
"""
import sys

import h5py
import numpy as np


def text(v):
    if isinstance(v, bytes):
        v = v.decode()
    if isinstance(v, np.ndarray):
        return "[" + ",".join(text(x) for x in v.ravel()) + "]"
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    if isinstance(v, np.integer):
        return str(int(v))
    return str(v).replace("\\", "\\\\").replace("\n", "\\n")


def dump(path):
    print("== " + path)
    with h5py.File(path, "r") as f:
        for k in sorted(f.attrs):
            print(f"root.{k}={text(f.attrs[k])}")
        print("points=" + ",".join(f["points"].keys()))
        summary = f["summary"]
        names = summary.dtype.names
        print("summary.fields=" + ",".join(names))
        print("summary.dtypes=" + ",".join(summary.dtype[n].str.lstrip("<>|=") for n in names))
        print("summary.units=" + text(summary.attrs["units"]))
        print("summary.description=" + text(summary.attrs["description"]))
        for i, row in enumerate(summary[()]):
            print(f"summary.row.{i}=" + ",".join(text(row[n]) for n in names))
        for name, g in f["points"].items():
            for k in sorted(g.attrs):
                print(f"point.{name}.attr.{k}={text(g.attrs[k])}")
            for k, d in g.items():
                print(f"point.{name}.data.{k}.shape=" + "x".join(str(n) for n in d.shape))
                print(f"point.{name}.data.{k}.dtype=" + d.dtype.str.lstrip("<>|="))
                print(f"point.{name}.data.{k}.units={text(d.attrs['units'])}")
                print(f"point.{name}.data.{k}.description={text(d.attrs['description'])}")
                print(f"point.{name}.data.{k}.values={text(np.asarray(d[()]))}")


for p in sys.argv[1:]:
    dump(p)
