"""TensorFlow.js graph model -> ONNX, with numpy and onnx only (no TensorFlow).

A TF.js graph model is a JSON file (``modelTopology``: a TensorFlow GraphDef as JSON, and
``weightsManifest``: where each constant's bytes lie in the ``.bin`` shards, possibly
quantised) plus the shards. The converter

- decodes the weights (float32 / int32, float16- or affine uint8/uint16-quantised);
- keeps the graph's NHWC layout: every convolution is wrapped in two transposes (NHWC ->
  NCHW -> NHWC), which onnxruntime's transpose optimiser cancels between layers;
- keeps only the nodes the requested outputs need;
- is deterministic: the same inputs give the same bytes (no time stamps, fixed producer,
  node order = graph order), so the converted file's sha256 can be pinned.

Supported ops: Placeholder, Const, Identity, Conv2D, _FusedConv2D,
DepthwiseConv2dNative, FusedDepthwiseConv2dNative, MatMul, _FusedMatMul, BiasAdd, Add,
AddV2, Sub, Mul, RealDiv, Minimum, Maximum, Relu, Relu6, Prelu, Sigmoid, Tanh, Softmax,
Mean, Reshape, MaxPool, Pad, ConcatV2. Anything else raises ``ConversionError`` naming the op.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from kyc.errors import ErrorCode, SystemFault

OPSET = 13  # ReduceMean takes its axes as an attribute up to opset 17
IR_VERSION = 7  # the lowest IR version of opset 13: readable by older runtimes too
PRODUCER = "kyc.modelconv.tfjs"
PRODUCER_VERSION = "1"

Array = npt.NDArray[Any]


class ConversionError(SystemFault):
    """The TF.js model uses something this converter does not handle."""

    def __init__(self, detail: str) -> None:
        super().__init__(ErrorCode.MODEL_CORRUPT, f"TF.js -> ONNX: {detail}")


# --- weights ---------------------------------------------------------------------------

_DTYPES: dict[str, npt.DTypeLike] = {
    "float32": np.float32,
    "int32": np.int32,
    "bool": np.bool_,
    "float16": np.float16,
    "uint8": np.uint8,
    "uint16": np.uint16,
}


def decode_weights(
    manifest: Sequence[Mapping[str, Any]], shards: Sequence[bytes]
) -> dict[str, Array]:
    """The constants of a ``weightsManifest`` (a list of groups, each with ``paths`` and
    ``weights``) from the shard bytes, in the manifest's order of paths. Quantised
    weights come back in their original dtype (float16 exactly widened; uint8/uint16 as
    ``q * scale + min``)."""
    data = b"".join(shards)
    out: dict[str, Array] = {}
    offset = 0
    for group in manifest:
        for w in group["weights"]:
            shape = [int(s) for s in w["shape"]]
            count = int(np.prod(shape, dtype=np.int64)) if shape else 1
            quant = w.get("quantization")
            stored = quant["dtype"] if quant else w["dtype"]
            if stored not in _DTYPES:
                raise ConversionError(f"weight {w['name']!r} has unsupported dtype {stored!r}")
            dtype = np.dtype(_DTYPES[stored])
            size = count * dtype.itemsize
            if offset + size > len(data):
                raise ConversionError(f"weights end before {w['name']!r} (truncated .bin)")
            raw = np.frombuffer(data, dtype=dtype.newbyteorder("<"), count=count, offset=offset)
            offset += size
            target = np.dtype(_DTYPES.get(w["dtype"], np.float32))
            if quant and stored in ("uint8", "uint16"):
                value = raw.astype(np.float32) * np.float32(quant["scale"]) + np.float32(
                    quant["min"]
                )
            else:
                value = raw
            out[w["name"]] = np.ascontiguousarray(value.astype(target).reshape(shape))
    if offset != len(data):
        raise ConversionError(f"{len(data) - offset} bytes of weights left over")
    return out


# --- graph -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TfNode:
    name: str
    op: str
    inputs: tuple[str, ...]
    attr: Mapping[str, Any]


def parse_nodes(graph: Mapping[str, Any]) -> list[TfNode]:
    """The nodes of a TF.js graph-model JSON (``modelTopology.node``), control inputs
    (``^name``) dropped."""
    nodes = []
    for n in graph["modelTopology"]["node"]:
        inputs = tuple(i for i in n.get("input", []) if not i.startswith("^"))
        nodes.append(TfNode(n["name"], n["op"], inputs, n.get("attr", {})))
    return nodes


def _tensor_name(ref: str) -> str:
    """A TF input reference ``node`` / ``node:0`` / ``node:k`` -> the ONNX tensor name."""
    name, _, index = ref.partition(":")
    return name if index in ("", "0") else f"{name}:{index}"


def _attr_ints(node: TfNode, key: str, default: Sequence[int]) -> list[int]:
    a = node.attr.get(key)
    if a is None:
        return list(default)
    return [int(v) for v in a.get("list", {}).get("i", default)]


def _attr_str(node: TfNode, key: str, default: str = "") -> str:
    a = node.attr.get(key)
    if a is None or "s" not in a:
        return default
    return base64.b64decode(a["s"]).decode()


def _attr_strs(node: TfNode, key: str) -> list[str]:
    a = node.attr.get(key)
    if a is None:
        return []
    return [base64.b64decode(s).decode() for s in a.get("list", {}).get("s", [])]


def _attr_bool(node: TfNode, key: str, default: bool = False) -> bool:
    a = node.attr.get(key)
    return default if a is None else bool(a.get("b", default))


def _attr_float(node: TfNode, key: str, default: float) -> float:
    a = node.attr.get(key)
    return default if a is None else float(a.get("f", default))


def _placeholder_shape(node: TfNode) -> list[int | str]:
    dims = node.attr.get("shape", {}).get("shape", {}).get("dim", [])
    return [int(d["size"]) if int(d["size"]) >= 0 else "N" for d in dims]


@dataclass
class _Builder:
    """Accumulates ONNX nodes and initialisers in graph order."""

    consts: dict[str, Array]
    nodes: list[Any] = field(default_factory=list)
    inits: dict[str, Array] = field(default_factory=dict)
    counter: int = 0

    def add(self, op: str, inputs: Sequence[str], output: str, **attrs: Any) -> str:
        from onnx import helper

        self.nodes.append(helper.make_node(op, list(inputs), [output], name=output, **attrs))
        return output

    def tmp(self, base: str, suffix: str) -> str:
        self.counter += 1
        return f"{base}/__{suffix}"

    def init(self, name: str, value: Array) -> str:
        self.inits[name] = value
        return name

    def const(self, ref: str) -> Array:
        name = _tensor_name(ref)
        if name not in self.consts:
            raise ConversionError(f"{ref!r} must be a constant here")
        return self.consts[name]


def _to_nchw(b: _Builder, x: str, base: str) -> str:
    return b.add("Transpose", [x], b.tmp(base, "nchw"), perm=[0, 3, 1, 2])


def _to_nhwc(b: _Builder, x: str, out: str) -> str:
    return b.add("Transpose", [x], out, perm=[0, 2, 3, 1])


def _conv_attrs(node: TfNode, kernel_hw: tuple[int, int]) -> dict[str, Any]:
    fmt = _attr_str(node, "data_format", "NHWC")
    if fmt != "NHWC":
        raise ConversionError(f"{node.name}: data_format {fmt} (only NHWC)")
    strides = _attr_ints(node, "strides", [1, 1, 1, 1])
    dilations = _attr_ints(node, "dilations", [1, 1, 1, 1])
    padding = _attr_str(node, "padding", "VALID")
    attrs: dict[str, Any] = {
        "kernel_shape": list(kernel_hw),
        "strides": strides[1:3],
        "dilations": dilations[1:3],
    }
    if padding == "SAME":
        attrs["auto_pad"] = "SAME_UPPER"  # TF puts the odd pixel at the end, as SAME_UPPER
    elif padding == "VALID":
        attrs["pads"] = [0, 0, 0, 0]
    elif padding == "EXPLICIT":
        p = _attr_ints(node, "explicit_paddings", [])  # NHWC pairs
        attrs["pads"] = [p[2], p[4], p[3], p[5]]
    else:
        raise ConversionError(f"{node.name}: padding {padding!r}")
    return attrs


def _activation(b: _Builder, kind: str, x: str, out: str, node: TfNode, extra: list[str]) -> str:
    if kind == "Relu":
        return b.add("Relu", [x], out)
    if kind == "Relu6":
        lo = b.init(b.tmp(node.name, "zero"), np.array(0.0, np.float32))
        hi = b.init(b.tmp(node.name, "six"), np.array(6.0, np.float32))
        return b.add("Clip", [x, lo, hi], out)
    if kind == "Sigmoid":
        return b.add("Sigmoid", [x], out)
    if kind == "Tanh":
        return b.add("Tanh", [x], out)
    if kind == "Elu":
        return b.add("Elu", [x], out)
    if kind == "LeakyRelu":
        return b.add("LeakyRelu", [x], out, alpha=_attr_float(node, "leakyrelu_alpha", 0.2))
    if kind == "Prelu":
        if not extra:
            raise ConversionError(f"{node.name}: Prelu without its alpha argument")
        return b.add("PRelu", [x, _tensor_name(extra[0])], out)
    raise ConversionError(f"{node.name}: fused activation {kind!r}")


def _fused_tail(b: _Builder, node: TfNode, y: str, layout: str, out: str) -> str:
    """BiasAdd (+ activation) of a fused op; ``y`` is in ``layout`` (NCHW for convs, as
    ONNX computes them; plain for MatMul). Returns the output name (NHWC / plain)."""
    fused = _attr_strs(node, "fused_ops")
    args = list(node.inputs[2:])
    if not fused:
        return _to_nhwc(b, y, out) if layout == "NCHW" else b.add("Identity", [y], out)
    if fused[0] not in ("BiasAdd", "Add"):
        raise ConversionError(f"{node.name}: fused ops {fused} (expected BiasAdd first)")
    if not args:
        raise ConversionError(f"{node.name}: BiasAdd without a bias")
    bias = _tensor_name(args.pop(0))
    if layout == "NCHW":
        y = _to_nhwc(b, y, b.tmp(node.name, "nhwc"))
    if len(fused) == 1:
        return b.add("Add", [y, bias], out)
    if len(fused) != 2:
        raise ConversionError(f"{node.name}: fused ops {fused}")
    y = b.add("Add", [y, bias], b.tmp(node.name, "biased"))
    return _activation(b, fused[1], y, out, node, args)


def _conv(b: _Builder, node: TfNode, depthwise: bool) -> None:
    x, w_ref = node.inputs[0], node.inputs[1]
    w = b.const(w_ref)  # TF: (kh, kw, in, out) or depthwise (kh, kw, in, multiplier)
    kh, kw, cin, cm = w.shape
    attrs = _conv_attrs(node, (kh, kw))
    if depthwise:
        weight = np.ascontiguousarray(w.reshape(kh, kw, 1, cin * cm).transpose(3, 2, 0, 1))
        attrs["group"] = int(cin)
    else:
        weight = np.ascontiguousarray(w.transpose(3, 2, 0, 1))
    wname = b.init(b.tmp(node.name, "weight"), weight)
    xin = _to_nchw(b, _tensor_name(x), node.name)
    y = b.add("Conv", [xin, wname], b.tmp(node.name, "conv"), **attrs)
    fused = node.op.startswith("_Fused") or node.op.startswith("Fused")
    if fused:
        _fused_tail(b, node, y, "NCHW", node.name)
    else:
        _to_nhwc(b, y, node.name)


def _matmul(b: _Builder, node: TfNode) -> None:
    a, w = _tensor_name(node.inputs[0]), _tensor_name(node.inputs[1])
    if _attr_bool(node, "transpose_a"):
        a = b.add("Transpose", [a], b.tmp(node.name, "at"), perm=[1, 0])
    if _attr_bool(node, "transpose_b"):
        if w in b.consts:
            w = b.init(b.tmp(node.name, "wt"), np.ascontiguousarray(b.consts[w].T))
        else:
            w = b.add("Transpose", [w], b.tmp(node.name, "bt"), perm=[1, 0])
    if node.op == "MatMul":
        b.add("MatMul", [a, w], node.name)
        return
    y = b.add("MatMul", [a, w], b.tmp(node.name, "mm"))
    _fused_tail(b, node, y, "plain", node.name)


def _max_pool(b: _Builder, node: TfNode) -> None:
    ksize = _attr_ints(node, "ksize", [1, 1, 1, 1])
    attrs = _conv_attrs(node, (ksize[1], ksize[2]))
    del attrs["dilations"]
    xin = _to_nchw(b, _tensor_name(node.inputs[0]), node.name)
    y = b.add("MaxPool", [xin], b.tmp(node.name, "pool"), **attrs)
    _to_nhwc(b, y, node.name)


_BINARY = {
    "Add": "Add",
    "AddV2": "Add",
    "BiasAdd": "Add",
    "Sub": "Sub",
    "Mul": "Mul",
    "RealDiv": "Div",
    "Minimum": "Min",
    "Maximum": "Max",
}
_UNARY = {"Relu": "Relu", "Sigmoid": "Sigmoid", "Tanh": "Tanh", "Identity": "Identity"}


def _convert_node(b: _Builder, node: TfNode) -> None:
    ins = [_tensor_name(i) for i in node.inputs]
    if node.op in ("Conv2D", "_FusedConv2D"):
        _conv(b, node, depthwise=False)
    elif node.op in ("DepthwiseConv2dNative", "FusedDepthwiseConv2dNative"):
        _conv(b, node, depthwise=True)
    elif node.op in ("MatMul", "_FusedMatMul"):
        _matmul(b, node)
    elif node.op in _BINARY:
        if _attr_str(node, "data_format", "NHWC") != "NHWC":
            raise ConversionError(f"{node.name}: {node.op} in NCHW")
        b.add(_BINARY[node.op], ins[:2], node.name)
    elif node.op in _UNARY:
        b.add(_UNARY[node.op], ins[:1], node.name)
    elif node.op == "Relu6":
        _activation(b, "Relu6", ins[0], node.name, node, [])
    elif node.op == "Softmax":
        b.add("Softmax", ins[:1], node.name, axis=-1)
    elif node.op == "Mean":
        axes = [int(a) for a in np.atleast_1d(b.const(node.inputs[1]))]
        keep = 1 if _attr_bool(node, "keep_dims") else 0
        b.add("ReduceMean", ins[:1], node.name, axes=axes, keepdims=keep)
    elif node.op == "Prelu":
        b.add("PRelu", ins[:2], node.name)
    elif node.op == "MaxPool":
        _max_pool(b, node)
    elif node.op == "Pad":
        pads = b.const(node.inputs[1]).astype(np.int64)  # (rank, 2): before, after
        pname = b.init(b.tmp(node.name, "pads"), np.concatenate([pads[:, 0], pads[:, 1]]))
        b.add("Pad", [ins[0], pname], node.name, mode="constant")
    elif node.op == "ConcatV2":
        axis = int(b.const(node.inputs[-1]).reshape(()))
        b.add("Concat", ins[:-1], node.name, axis=axis)
    elif node.op == "Reshape":
        shape = b.const(node.inputs[1]).astype(np.int64)
        sname = b.init(b.tmp(node.name, "shape"), shape)
        b.add("Reshape", [ins[0], sname], node.name)
    else:
        raise ConversionError(f"op {node.op!r} (node {node.name!r}) is not supported")


def _scalar(inits: Mapping[str, Array], name: str) -> float | None:
    value = inits.get(name)
    if value is None or value.size != 1 or value.dtype.kind != "f":
        return None
    return float(value.reshape(()))


def _as_clamp(node: Any, inits: Mapping[str, Array]) -> tuple[str, float, float] | None:
    """(input, lo, hi) if ``node`` clamps its input to [lo, hi] (Relu, Clip with constant
    bounds, Min / Max with a scalar constant), else None."""
    if node.op_type == "Relu":
        return node.input[0], 0.0, math.inf
    if node.op_type in ("Min", "Max") and len(node.input) == 2:
        for x, c in (node.input, node.input[::-1]):
            v = _scalar(inits, c)
            if v is not None and c not in ("", x):
                return (x, -math.inf, v) if node.op_type == "Min" else (x, v, math.inf)
        return None
    if node.op_type == "Clip":
        lo = _scalar(inits, node.input[1]) if len(node.input) > 1 and node.input[1] else -math.inf
        hi = _scalar(inits, node.input[2]) if len(node.input) > 2 and node.input[2] else math.inf
        if lo is None or hi is None:
            return None
        return node.input[0], lo, hi
    return None


def merge_clamps(nodes: list[Any], inits: dict[str, Array], keep: set[str]) -> list[Any]:
    """Fuse chains of clamps (Relu -> Minimum(6) -> Maximum(0), TF's ReLU6 as Keras
    exported it) into one Clip: clamp(clamp(x, a, b), c, d) = clamp(x, clamp(a, c, d),
    clamp(b, c, d)). onnxruntime fuses a Conv with one following Clip, not with a chain,
    so this is what makes the converted MobileNet run at full speed (measured: 26 -> see
    docs/face_match.md). Adds the bounds to ``inits``; returns the new node list."""
    from onnx import helper

    consumers: dict[str, int] = {}
    for n in nodes:
        for i in n.input:
            consumers[i] = consumers.get(i, 0) + 1
    clamps = {n.output[0]: c for n in nodes if (c := _as_clamp(n, inits)) is not None}
    out: list[Any] = []
    for n in nodes:
        name = n.output[0]
        if name not in clamps:
            out.append(n)
            continue
        # skip a clamp whose only consumer is another clamp: the consumer absorbs it
        nxt = [m for m in nodes if name in m.input]
        if name not in keep and consumers.get(name, 0) == 1 and nxt and nxt[0].output[0] in clamps:
            continue
        x, lo, hi = clamps[name]
        while x in clamps and consumers.get(x, 0) == 1 and x not in keep:
            x, a, b = clamps[x]
            lo, hi = min(max(a, lo), hi), min(max(b, lo), hi)
        bounds = [x]
        for tag, v in (("lo", lo), ("hi", hi)):
            if math.isinf(v):
                bounds.append("")
            else:
                bounds.append(f"{name}/__clip_{tag}")
                inits[bounds[-1]] = np.array(v, np.float32)
        while bounds[-1] == "":
            bounds.pop()
        out.append(helper.make_node("Clip", bounds, [name], name=name))
    return out


def _needed(nodes: Sequence[TfNode], outputs: Sequence[str]) -> set[str]:
    by_name = {n.name: n for n in nodes}
    seen: set[str] = set()
    stack = [_tensor_name(o).partition(":")[0] for o in outputs]
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        if name not in by_name:
            raise ConversionError(f"output or input {name!r} is not a node of the graph")
        seen.add(name)
        stack.extend(i.partition(":")[0] for i in by_name[name].inputs)
    return seen


def convert(
    graph: Mapping[str, Any],
    weights: Mapping[str, Array],
    outputs: Sequence[str],
    doc: str = "",
) -> Any:
    """An ``onnx.ModelProto`` computing ``outputs`` (TF node names) of the TF.js graph
    ``graph`` (the parsed model JSON) with constants ``weights`` (``decode_weights``).
    Graph inputs are the Placeholders the outputs depend on, with their TF names."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes = parse_nodes(graph)
    keep = _needed(nodes, outputs)
    consts: dict[str, Array] = {}
    for n in nodes:
        if n.op == "Const" and n.name in keep:
            if n.name not in weights:
                raise ConversionError(f"constant {n.name!r} has no weights")
            consts[n.name] = np.asarray(weights[n.name])
    b = _Builder(consts)
    inputs = []
    for n in nodes:
        if n.name not in keep:
            continue
        if n.op == "Placeholder":
            inputs.append(
                helper.make_tensor_value_info(n.name, TensorProto.FLOAT, _placeholder_shape(n))
            )
        elif n.op != "Const":
            _convert_node(b, n)
    merged = consts | b.inits
    b.nodes = merge_clamps(b.nodes, merged, {_tensor_name(o) for o in outputs})
    b.inits = {k: v for k, v in merged.items() if k not in consts}
    used = {i for node in b.nodes for i in node.input}
    initializers = []
    for name, value in [*consts.items(), *b.inits.items()]:
        if name in used:
            arr = value.astype(np.float32) if value.dtype == np.float16 else value
            initializers.append(numpy_helper.from_array(np.ascontiguousarray(arr), name))

    def build(outs: list[Any]) -> Any:
        g = helper.make_graph(b.nodes, "tfjs", inputs, outs, initializers, doc_string=doc)
        model = helper.make_model(
            g,
            producer_name=PRODUCER,
            producer_version=PRODUCER_VERSION,
            opset_imports=[helper.make_opsetid("", OPSET)],
        )
        model.ir_version = IR_VERSION
        return model

    # the outputs' shapes come from ONNX's own shape inference of the converted graph
    names = [_tensor_name(o) for o in outputs]
    inferred = onnx.shape_inference.infer_shapes(
        build([helper.make_empty_tensor_value_info(n) for n in names])
    )
    known = {v.name: v for v in inferred.graph.value_info}
    if missing := [n for n in names if n not in known]:
        raise ConversionError(f"cannot infer the shape of {missing}")
    model = build([known[n] for n in names])
    onnx.checker.check_model(model)
    return model


def serialise(model: Any) -> bytes:
    """Deterministic bytes of a model (protobuf's deterministic serialisation)."""
    data: bytes = model.SerializeToString(deterministic=True)
    return data


Loader = Callable[[str], bytes]


def convert_files(read: Loader, model_json: str, outputs: Sequence[str], doc: str = "") -> bytes:
    """Convert the TF.js model whose JSON is ``read(model_json)``; shards are read with
    ``read(path)`` relative to the JSON's folder. Returns the ONNX bytes."""
    import json

    graph = json.loads(read(model_json))
    folder = model_json.rpartition("/")[0]
    prefix = f"{folder}/" if folder else ""
    manifest = graph["weightsManifest"]
    shards = [read(prefix + p) for group in manifest for p in group["paths"]]
    weights = decode_weights(manifest, shards)
    return serialise(convert(graph, weights, outputs, doc))
