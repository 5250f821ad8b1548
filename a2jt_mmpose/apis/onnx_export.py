# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""ONNX export of an A2J-Transformer config's inference graph.

Graph: backbone -> neck -> head, the last decoder layer's fused joints;
``tools/deployment/pytorch2onnx.py`` is the command line (its docstring
describes the inputs, outputs and the exporter).
"""
import os
import os.path as osp
import time
import warnings
from typing import Optional, Tuple

import numpy as np
import torch
import torch.nn as nn
from mmengine.config import Config

#: ONNX's GridSample (used by the deformable attention) exists from opset 16
MIN_OPSET = 16
#: precisions of the exported graph: float32, or int8 weights of the matrix
#: products (onnxruntime's dynamic quantization)
ONNX_PRECISIONS = ('fp32', 'int8')


class A2JTOnnxModel(nn.Module):
    """Backbone + neck + head of a ``TopdownPoseEstimator``, returning the
    last decoder layer's joints ``(B, K, 3)``, followed by the outputs of the
    head's optional extra heads when the config turns them on
    (``hand_type_logits`` ``(B, 2)``, ``root_depth`` ``(B,)`` in bins).

    Args:
        model (nn.Module): the built pose estimator (eval mode, CPU).
        depth_to_mm (tuple[float, float], optional): ``(scale, shift)`` so
            that ``mm = bins * scale + shift`` for the joints' z; None keeps
            depth bins.
    """

    def __init__(self, model, depth_to_mm=None):
        super().__init__()
        self.backbone = model.backbone
        self.neck = model.neck
        self.head = model.head
        self.depth_to_mm = depth_to_mm
        self.output_names = ['joints']
        for name, attr in (('hand_type_logits', 'hand_type_head'),
                           ('root_depth', 'root_depth_head')):
            if getattr(self.head, attr, None) is not None:
                self.output_names.append(name)

    def forward(self, inputs):
        feats = self.neck(self.backbone(inputs))
        out = self.head(feats)
        if isinstance(out, (tuple, list)):
            out = out[0]
        joints = out[-1] if out.dim() == 4 else out  # (L, B, K, 3) -> last
        if self.depth_to_mm is not None:
            scale, shift = self.depth_to_mm
            joints = torch.cat(
                [joints[..., :2], joints[..., 2:] * scale + shift], dim=-1)
        if len(self.output_names) == 1:
            return joints
        extras = self.head.forward_extras(feats)
        return (joints, ) + tuple(extras[n] for n in self.output_names[1:])

    def outputs(self, inputs):
        """All outputs as a tuple, in ``output_names`` order."""
        out = self(inputs)
        return out if isinstance(out, tuple) else (out, )


def depth_to_mm(cfg: Config) -> Optional[Tuple[float, float]]:
    """``(scale, shift)`` with ``mm = z * scale + shift``: the codec's
    ``bins_to_mm`` (an affine map) read off the codec itself; ``None`` for a
    codec whose z is already in mm (the depth codec).

    Args:
        cfg (Config): the config; its codec is ``model.head.decoder``.
    """
    from mmpose.registry import KEYPOINT_CODECS
    codec = KEYPOINT_CODECS.build(cfg.model.head.decoder)
    if not hasattr(codec, 'bins_to_mm'):
        return None
    shift = float(codec.bins_to_mm(np.float64(0.)))
    return float(codec.bins_to_mm(np.float64(1.))) - shift, shift


def wrap(model: nn.Module, cfg: Config, decode: bool = False) -> nn.Module:
    """:class:`A2JTOnnxModel` of ``model``; ``decode`` converts z to mm."""
    return A2JTOnnxModel(model, depth_to_mm(cfg) if decode else None).eval()


def export(wrapped, out, input_size, opset=17, batch_size=1,
           dynamic_batch=True, metadata=None):
    """Export ``wrapped`` to ``out`` with the TorchScript exporter and check
    that the graph holds only standard ONNX operators.

    Args:
        wrapped (A2JTOnnxModel): the graph.
        out (str): the ``.onnx`` file.
        input_size (tuple): ``(h, w)`` in pixels.
        opset (int): >= :data:`MIN_OPSET`.
        batch_size (int): batch of the traced example input.
        dynamic_batch (bool): a dynamic batch axis (``batch``).
        metadata (dict, optional): written into the model's metadata.

    Returns:
        float: the export time in s.
    """
    if opset < MIN_OPSET:
        raise ValueError(f'opset must be >= {MIN_OPSET} (ONNX GridSample, '
                         f'used by the deformable attention), got {opset}')
    h, w = input_size
    example = torch.rand(batch_size, 3, h, w)
    dirname = osp.dirname(osp.abspath(out))
    os.makedirs(dirname, exist_ok=True)
    t0 = time.perf_counter()
    with torch.no_grad(), warnings.catch_warnings():
        # shape arithmetic traced as constants (fixed input size)
        warnings.simplefilter('ignore', torch.jit.TracerWarning)
        warnings.simplefilter('ignore', DeprecationWarning)
        warnings.simplefilter('ignore', FutureWarning)
        warnings.filterwarnings('ignore', 'Constant folding')
        warnings.filterwarnings('ignore', 'torch.meshgrid')
        torch.onnx.export(
            wrapped, (example, ),
            out,
            dynamo=False,
            opset_version=opset,
            input_names=['input'],
            output_names=wrapped.output_names,
            dynamic_axes=({
                name: {
                    0: 'batch'
                }
                for name in ['input'] + wrapped.output_names
            } if dynamic_batch else None),
            do_constant_folding=True)
    seconds = time.perf_counter() - t0
    import onnx
    proto = onnx.load(out)
    onnx.checker.check_model(proto)
    custom = sorted({
        f'{n.domain}::{n.op_type}'
        for n in proto.graph.node if n.domain not in ('', 'ai.onnx')
    })
    if custom:
        raise RuntimeError(
            f'the exported graph holds non-standard operators {custom}: the '
            'export must run on the CPU (mmcv deformable attention through '
            'multi_scale_deformable_attn_pytorch)')
    if metadata:
        for key, value in metadata.items():
            entry = proto.metadata_props.add()
            entry.key, entry.value = key, str(value)
        onnx.save(proto, out)
    return seconds


def quantize_int8(src: str, dst: str) -> None:
    """Write ``dst``: the graph ``src`` with int8 weights for its matrix
    products (``MatMul`` / ``Gemm``: the linear layers of the transformer
    and the head; convolutions stay float32), per output channel, and
    activations quantized at run time (onnxruntime's
    ``quantize_dynamic``, ``QUInt8`` weights: closer to float32 than
    ``QInt8`` on the paper model). onnxruntime runs it with its integer
    matrix kernels (AVX-512 VNNI / AMX where the CPU has them)."""
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic
    level = logging.getLogger().level
    logging.getLogger().setLevel(logging.ERROR)  # "run pre-processing"
    try:
        quantize_dynamic(
            src,
            dst,
            weight_type=QuantType.QUInt8,
            per_channel=True,
            op_types_to_quantize=['MatMul', 'Gemm'])
    finally:
        logging.getLogger().setLevel(level)


def op_types(path):
    import onnx
    return sorted({n.op_type for n in onnx.load(path).graph.node})


def verify(wrapped, path, input_size, batch_sizes=(1, 2), atol=1e-4,
           rtol=1e-4, seed=0):
    """Compare onnxruntime (CPU) with PyTorch on random inputs.

    Returns:
        dict: per batch size, ``max_abs``, ``max_rel`` (max abs error / max
        abs PyTorch output) and ``ok``, the worst over all outputs.
    """
    import onnxruntime as ort
    sess = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
    h, w = input_size
    g = torch.Generator().manual_seed(seed)
    report = {}
    for bs in batch_sizes:
        x = torch.rand(bs, 3, h, w, generator=g)
        with torch.no_grad():
            refs = [r.numpy() for r in wrapped.outputs(x)]
        gots = sess.run(wrapped.output_names, {'input': x.numpy()})
        worst = dict(max_abs=0., max_rel=0., ok=True)
        for name, got, ref in zip(wrapped.output_names, gots, refs):
            if got.shape != ref.shape:
                raise AssertionError(f'batch {bs}, {name}: onnxruntime gives '
                                     f'{got.shape}, PyTorch {ref.shape}')
            err = float(np.abs(got - ref).max())
            scale = float(np.abs(ref).max())
            worst['max_abs'] = max(worst['max_abs'], err)
            worst['max_rel'] = max(worst['max_rel'],
                                   err / max(scale, 1e-12))
            worst['ok'] &= bool(err <= atol + rtol * scale)
        report[bs] = worst
    return report


def latency(wrapped, path, input_size, batch_size=1, runs=10, warmup=3):
    """Median seconds per forward of PyTorch and onnxruntime (CPU)."""
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = torch.get_num_threads()
    sess = ort.InferenceSession(
        path, opts, providers=['CPUExecutionProvider'])
    h, w = input_size
    x = torch.rand(batch_size, 3, h, w)
    xn = x.numpy()

    def median(fn):
        times = []
        for i in range(warmup + runs):
            t0 = time.perf_counter()
            fn()
            if i >= warmup:
                times.append(time.perf_counter() - t0)
        return float(np.median(times))

    with torch.inference_mode():
        t_torch = median(lambda: wrapped(x))
    t_ort = median(lambda: sess.run(None, {'input': xn}))
    return dict(torch_s=t_torch, onnxruntime_s=t_ort)


