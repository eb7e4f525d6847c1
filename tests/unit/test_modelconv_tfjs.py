"""The TF.js -> ONNX converter on small graphs built here, against numpy references of
the TensorFlow ops (NHWC convolutions with SAME/VALID padding, depthwise, fused ops,
clamps, mean), and its weight decoding and determinism."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
import pytest

from kyc.modelconv.tfjs import ConversionError, convert, decode_weights, serialise

RNG = np.random.default_rng(3)


def _s(text: str) -> dict[str, str]:
    return {"s": base64.b64encode(text.encode()).decode()}


def _conv_attr(stride: int, padding: str) -> dict[str, Any]:
    return {
        "strides": {"list": {"i": ["1", str(stride), str(stride), "1"]}},
        "dilations": {"list": {"i": ["1", "1", "1", "1"]}},
        "padding": _s(padding),
        "data_format": _s("NHWC"),
    }


def _graph(
    nodes: list[dict[str, Any]], consts: dict[str, np.ndarray], shape: list[int]
) -> dict[str, Any]:
    dims = [{"size": str(s)} for s in shape]
    head = [{"name": "x", "op": "Placeholder", "attr": {"shape": {"shape": {"dim": dims}}}}]
    const_nodes = [{"name": k, "op": "Const", "attr": {}} for k in consts]
    return {"modelTopology": {"node": head + const_nodes + nodes}, "weightsManifest": []}


def _run(
    graph: dict[str, Any], consts: dict[str, np.ndarray], x: np.ndarray, out: str
) -> np.ndarray:
    import onnxruntime as ort

    data = serialise(convert(graph, consts, [out]))
    sess = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    return np.asarray(sess.run(None, {"x": x})[0])


def _pad_same(x: np.ndarray, k: int, stride: int) -> np.ndarray:
    h = x.shape[1]
    out = -(-h // stride)
    total = max((out - 1) * stride + k - h, 0)
    before = total // 2
    return np.pad(x, ((0, 0), (before, total - before), (before, total - before), (0, 0)))


def _conv_ref(x: np.ndarray, w: np.ndarray, stride: int, padding: str) -> np.ndarray:
    """NHWC convolution as TensorFlow defines it (HWIO kernel)."""
    k = w.shape[0]
    xp = _pad_same(x, k, stride) if padding == "SAME" else x
    n, h, wd, _ = xp.shape
    oh, ow = (h - k) // stride + 1, (wd - k) // stride + 1
    out = np.zeros((n, oh, ow, w.shape[3]), np.float64)
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, i * stride : i * stride + k, j * stride : j * stride + k, :]
            out[:, i, j, :] = np.einsum("nhwc,hwco->no", patch, w)
    return out


def _depthwise_ref(x: np.ndarray, w: np.ndarray, stride: int) -> np.ndarray:
    k, c, m = w.shape[0], w.shape[2], w.shape[3]
    xp = _pad_same(x, k, stride)
    n, h, wd, _ = xp.shape
    oh, ow = (h - k) // stride + 1, (wd - k) // stride + 1
    out = np.zeros((n, oh, ow, c * m), np.float64)
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, i * stride : i * stride + k, j * stride : j * stride + k, :]
            out[:, i, j, :] = np.einsum("nhwc,hwcm->ncm", patch, w).reshape(n, c * m)
    return out


@pytest.mark.parametrize(("stride", "padding"), [(1, "SAME"), (2, "SAME"), (2, "VALID")])
def test_conv2d_matches_tensorflow_semantics(stride: int, padding: str) -> None:
    x = RNG.normal(size=(2, 9, 9, 3)).astype(np.float32)
    w = RNG.normal(size=(3, 3, 3, 4)).astype(np.float32)
    nodes = [
        {"name": "y", "op": "Conv2D", "input": ["x", "w"], "attr": _conv_attr(stride, padding)}
    ]
    got = _run(_graph(nodes, {"w": w}, [-1, 9, 9, 3]), {"w": w}, x, "y")
    np.testing.assert_allclose(got, _conv_ref(x, w, stride, padding), rtol=1e-4, atol=1e-4)


def test_depthwise_then_batchnorm_and_relu6_as_keras_exports_it() -> None:
    """DepthwiseConv2dNative -> Mul -> Add -> Relu -> Minimum(6) -> Maximum(0): the
    MobileNet block of the faceres graph; the clamp chain becomes one Clip."""
    x = (3 * RNG.normal(size=(1, 8, 8, 4))).astype(np.float32)
    w = RNG.normal(size=(3, 3, 4, 1)).astype(np.float32)
    scale = RNG.normal(size=(4,)).astype(np.float32)
    shift = RNG.normal(size=(4,)).astype(np.float32)
    consts = {
        "w": w,
        "scale": scale,
        "shift": shift,
        "six": np.array(6.0, np.float32),
        "zero": np.array(0.0, np.float32),
    }
    nodes: list[dict[str, Any]] = [
        {
            "name": "dw",
            "op": "DepthwiseConv2dNative",
            "input": ["x", "w"],
            "attr": _conv_attr(2, "SAME"),
        },
        {"name": "mul", "op": "Mul", "input": ["dw", "scale"]},
        {"name": "add", "op": "Add", "input": ["mul", "shift"]},
        {"name": "relu", "op": "Relu", "input": ["add"]},
        {"name": "min", "op": "Minimum", "input": ["relu", "six"]},
        {"name": "y", "op": "Maximum", "input": ["min", "zero"]},
    ]
    graph = _graph(nodes, consts, [1, 8, 8, 4])
    model = convert(graph, consts, ["y"])
    assert [n.op_type for n in model.graph.node].count("Clip") == 1
    assert not {"Relu", "Min", "Max"} & {n.op_type for n in model.graph.node}
    got = _run(graph, consts, x, "y")
    ref = np.clip(_depthwise_ref(x, w, 2) * scale + shift, 0.0, 6.0)
    np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-4)


def test_fused_conv_and_fused_matmul_and_mean() -> None:
    x = RNG.normal(size=(2, 6, 6, 3)).astype(np.float32)
    w = RNG.normal(size=(3, 3, 3, 5)).astype(np.float32)
    b = RNG.normal(size=(5,)).astype(np.float32)
    k = RNG.normal(size=(5, 4)).astype(np.float32)
    kb = RNG.normal(size=(4,)).astype(np.float32)
    axes = np.array([1, 2], np.int32)
    consts = {"w": w, "b": b, "axes": axes, "k": k, "kb": kb}
    fused_conv = _conv_attr(1, "SAME") | {
        "fused_ops": {"list": {"s": [_s("BiasAdd")["s"], _s("Relu6")["s"]]}},
        "num_args": {"i": "1"},
    }
    fused_mm = {
        "fused_ops": {"list": {"s": [_s("BiasAdd")["s"], _s("Relu")["s"]]}},
        "transpose_a": {"b": False},
        "transpose_b": {"b": False},
    }
    nodes = [
        {"name": "c", "op": "_FusedConv2D", "input": ["x", "w", "b"], "attr": fused_conv},
        {"name": "m", "op": "Mean", "input": ["c", "axes"], "attr": {"keep_dims": {"b": False}}},
        {"name": "y", "op": "_FusedMatMul", "input": ["m", "k", "kb"], "attr": fused_mm},
    ]
    got = _run(_graph(nodes, consts, [-1, 6, 6, 3]), consts, x, "y")
    conv = np.clip(_conv_ref(x, w, 1, "SAME") + b, 0, 6)
    ref = np.maximum(conv.mean(axis=(1, 2)) @ k + kb, 0)
    np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-4)


def test_only_the_requested_outputs_are_kept() -> None:
    x = RNG.normal(size=(1, 4, 4, 2)).astype(np.float32)
    consts = {"a": np.ones(2, np.float32), "unused": np.ones(3, np.float32)}
    nodes = [
        {"name": "y", "op": "Add", "input": ["x", "a"]},
        {"name": "z", "op": "Softmax", "input": ["y"]},
        {"name": "other", "op": "Mul", "input": ["x", "unused"]},
    ]
    model = convert(_graph(nodes, consts, [1, 4, 4, 2]), consts, ["y"])
    assert [n.name for n in model.graph.node] == ["y"]
    assert [i.name for i in model.graph.initializer] == ["a"]
    np.testing.assert_allclose(_run(_graph(nodes, consts, [1, 4, 4, 2]), consts, x, "y"), x + 1)


def test_unsupported_op_is_named() -> None:
    nodes = [{"name": "y", "op": "ResizeBilinear", "input": ["x"]}]
    with pytest.raises(ConversionError, match="ResizeBilinear"):
        convert(_graph(nodes, {}, [1, 4, 4, 2]), {}, ["y"])


def test_conversion_is_byte_deterministic() -> None:
    w = RNG.normal(size=(3, 3, 2, 2)).astype(np.float32)
    nodes = [{"name": "y", "op": "Conv2D", "input": ["x", "w"], "attr": _conv_attr(1, "SAME")}]
    graph = _graph(nodes, {"w": w}, [1, 5, 5, 2])
    assert serialise(convert(graph, {"w": w}, ["y"])) == serialise(convert(graph, {"w": w}, ["y"]))


def test_decode_weights_float16_and_affine_uint8() -> None:
    half = np.array([[0.5, -1.25], [3.0, 65504.0]], np.float16)
    q = np.array([0, 10, 255], np.uint8)
    ints = np.array([7, -2], np.int32)
    manifest = [
        {
            "paths": ["a.bin", "b.bin"],
            "weights": [
                {
                    "name": "h",
                    "shape": [2, 2],
                    "dtype": "float32",
                    "quantization": {"dtype": "float16", "original_dtype": "float32"},
                },
                {
                    "name": "q",
                    "shape": [3],
                    "dtype": "float32",
                    "quantization": {"dtype": "uint8", "scale": 0.5, "min": -1.0},
                },
                {"name": "i", "shape": [2], "dtype": "int32"},
            ],
        }
    ]
    data = half.tobytes() + q.tobytes() + ints.tobytes()
    out = decode_weights(manifest, [data[:5], data[5:]])  # shards split anywhere
    assert out["h"].dtype == np.float32
    np.testing.assert_array_equal(out["h"], half.astype(np.float32))
    np.testing.assert_allclose(out["q"], [-1.0, 4.0, 126.5])
    np.testing.assert_array_equal(out["i"], ints)
    with pytest.raises(ConversionError, match="truncated"):
        decode_weights(manifest, [data[:-1]])
    with pytest.raises(ConversionError, match="left over"):
        decode_weights(manifest, [data + b"\0"])


def test_prelu_maxpool_pad_and_concat_as_the_face_mesh_uses_them() -> None:
    """The ops of MediaPipe's FaceMesh and Iris graphs beyond faceres's: a standalone
    Prelu (alpha per channel), MaxPool (2x2, stride 2, SAME), Pad (channel padding,
    as the mesh's residual blocks widen) and ConcatV2 on the channel axis."""
    x = RNG.normal(size=(1, 5, 5, 2)).astype(np.float32)
    consts = {
        "alpha": np.array([0.25, -0.5], np.float32),
        "pads": np.array([[0, 0], [0, 0], [0, 0], [0, 3]], np.int32),
        "axis": np.array(3, np.int32),
    }
    pool = {
        "ksize": {"list": {"i": ["1", "2", "2", "1"]}},
        "strides": {"list": {"i": ["1", "2", "2", "1"]}},
        "padding": _s("SAME"),
        "data_format": _s("NHWC"),
    }
    nodes: list[dict[str, Any]] = [
        {"name": "p", "op": "Prelu", "input": ["x", "alpha"]},
        {"name": "m", "op": "MaxPool", "input": ["p"], "attr": pool},
        {"name": "z", "op": "Pad", "input": ["m", "pads"]},
        {"name": "y", "op": "ConcatV2", "input": ["z", "m", "axis"]},
    ]
    got = _run(_graph(nodes, consts, [1, 5, 5, 2]), consts, x, "y")
    p = np.where(x > 0, x, x * consts["alpha"])
    padded = np.pad(p, ((0, 0), (0, 1), (0, 1), (0, 0)), constant_values=-np.inf)
    m = padded.reshape(1, 3, 2, 3, 2, 2).max(axis=(2, 4))  # SAME: the odd pixel at the end
    want = np.concatenate([np.pad(m, ((0, 0), (0, 0), (0, 0), (0, 3))), m], axis=3)
    assert got.shape == (1, 3, 3, 7)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
