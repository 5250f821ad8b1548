# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Export the inference graph of an A2J-Transformer config to ONNX.

    python tools/deployment/pytorch2onnx.py CONFIG [CHECKPOINT]
        [--out model.onnx] [--input-size H W] [--opset 17] [--batch-size 1]
        [--static-batch] [--decode] [--verify] [--atol 1e-4] [--rtol 1e-4]
        [--latency] [--threads N]

Graph: backbone -> neck -> head, the last decoder layer's fused joints.

- input ``input`` ``(B, 3, H, W)`` float32: the image **after** the data
  preprocessor, i.e. ``(rgb - mean) / std`` with the config's
  ``model.data_preprocessor`` (A2J-Transformer: ``rgb / 255``). The values are
  stored in the model's metadata (``mean``, ``std``, ``bgr_to_rgb``).
- output ``joints`` ``(B, K, 3)`` float32 (K = 42 for InterHand2.6M): by
  default in the codec's target space (``x, y`` pixels of the network input,
  ``z`` depth bins); with ``--decode``, ``z`` is converted to root-relative
  depth in mm in the graph (the codec's ``bins_to_mm``), ``x, y`` unchanged.
  Mapping ``x, y`` back to the original image (the inverse of the top-down
  affine transform) stays outside the graph, as in mmpose.
- when the config turns on the head's optional extra heads, they are extra
  outputs: ``hand_type_logits`` ``(B, 2)`` (right, left; apply a sigmoid) and
  ``root_depth`` ``(B,)`` (relative root depth in the codec's root bins).
- The batch axis is dynamic (``batch``) unless ``--static-batch``; the
  spatial size is fixed at export (the deformable attention splits its
  memory by the feature-map sizes, which tracing records as constants).

Exporter: the TorchScript exporter (``torch.onnx.export(..., dynamo=False)``).
torch >= 2.9 defaults to the dynamo exporter, which needs ``onnxscript`` and
``torch.export``'s full graph capture; the TorchScript exporter traces the
eager model as it runs on the CPU, so mmcv's ``MultiScaleDeformableAttention``
takes ``multi_scale_deformable_attn_pytorch`` (``F.grid_sample`` -> ONNX
``GridSample``, opset >= 16) rather than the compiled CUDA op (which has no
ONNX form). The export is always done on the CPU; the script checks that the
graph holds only standard ONNX operators.

``--verify`` runs the exported file with onnxruntime (CPU) on random inputs
at batch 1 and 2 and compares with PyTorch: the export passes when
``max |ort - torch| <= atol + rtol * max |torch|``, and prints both the
maximum absolute and the relative error (``max |ort - torch| / max |torch|``).
"""
import argparse
import copy
import json
import logging
import os
import os.path as osp
import time
import warnings

import numpy as np
import torch
import torch.nn as nn
from mmengine.config import Config, DictAction

# ONNX's GridSample (used by the deformable attention) exists from opset 16
MIN_OPSET = 16


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Export an A2J-Transformer config to ONNX')
    parser.add_argument('config', help='config file')
    parser.add_argument(
        'checkpoint', nargs='?', help='checkpoint (random weights if absent)')
    parser.add_argument('--out', default='model.onnx', help='output file')
    parser.add_argument(
        '--input-size',
        type=int,
        nargs=2,
        metavar=('H', 'W'),
        help='input height and width (default: the config\'s '
        'model.neck.input_size). Another size rebuilds the anchor grid and '
        'the codec for it (a checkpoint may then not fit)')
    parser.add_argument('--opset', type=int, default=17)
    parser.add_argument(
        '--batch-size',
        type=int,
        default=1,
        help='batch size of the traced example input')
    parser.add_argument(
        '--static-batch',
        action='store_true',
        help='fix the batch axis to --batch-size (default: dynamic)')
    parser.add_argument(
        '--decode',
        action='store_true',
        help='output z as root-relative depth in mm instead of depth bins')
    parser.add_argument(
        '--verify',
        action='store_true',
        help='compare onnxruntime with PyTorch on random inputs')
    parser.add_argument(
        '--latency',
        action='store_true',
        help='median CPU latency of PyTorch and onnxruntime at batch 1 '
        '(10 runs after 3 warm-up runs)')
    parser.add_argument(
        '--threads', type=int, help='CPU threads of PyTorch and onnxruntime')
    parser.add_argument('--atol', type=float, default=1e-4)
    parser.add_argument('--rtol', type=float, default=1e-4)
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, as in tools/train.py')
    args = parser.parse_args(argv)
    if args.opset < MIN_OPSET:
        parser.error(f'--opset must be >= {MIN_OPSET} (ONNX GridSample, used '
                     f'by the deformable attention), got {args.opset}')
    return args


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


def build_model(config, checkpoint=None, cfg_options=None, input_size=None):
    """Build the pose estimator of ``config`` on the CPU in eval mode;
    ``input_size`` ``(h, w)`` overrides the config's. ``config`` is a file
    or a :class:`Config`."""
    from mmpose.registry import MODELS
    from mmpose.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(config) if isinstance(config, str) else \
        copy.deepcopy(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if input_size is not None:
        h, w = input_size
        cfg.model.neck.input_size = (w, h)
        if cfg.model.head.get('decoder', None):
            cfg.model.head.decoder.input_size = (w, h)
    cfg.model.backbone.init_cfg = None  # no download
    model = MODELS.build(cfg.model)
    if checkpoint:
        from mmengine.runner import load_checkpoint
        load_checkpoint(model, checkpoint, map_location='cpu')
    else:
        # random weights; keep mmengine's per-parameter init log quiet
        from mmengine.logging import MMLogger
        logger = MMLogger.get_current_instance()
        level = logger.level
        logger.setLevel(logging.WARNING)
        try:
            model.init_weights()
        finally:
            logger.setLevel(level)
    return model.cpu().eval(), cfg


def config_input_size(cfg):
    """``(h, w)`` of the network input from the config."""
    w, h = (cfg.model.get('neck', {}).get('input_size', None)
            or cfg.codec.input_size)
    return int(h), int(w)


def depth_to_mm(cfg):
    """``(scale, shift)`` of the codec's ``bins_to_mm``."""
    codec = cfg.model.head.decoder
    size, bound = codec.get('depth_size', 256), codec.get('depth_bound', 400.)
    return (float(bound) / size, -float(bound) / 2)


def wrap(model, cfg, decode=False):
    return A2JTOnnxModel(model, depth_to_mm(cfg) if decode else None).eval()


def export(wrapped, out, input_size, opset=17, batch_size=1,
           dynamic_batch=True, metadata=None):
    """Export ``wrapped`` to ``out``; returns the export time in s."""
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


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    model, cfg = build_model(args.config, args.checkpoint, args.cfg_options,
                             args.input_size)
    input_size = config_input_size(cfg)
    wrapped = wrap(model, cfg, args.decode)
    pre = cfg.model.get('data_preprocessor', {})
    metadata = dict(
        config=osp.basename(args.config),
        checkpoint=osp.basename(args.checkpoint or '') or 'none (random)',
        input='(B, 3, H, W) float32 = (rgb - mean) / std',
        input_size_hw=list(input_size),
        mean=list(pre.get('mean', [0., 0., 0.])),
        std=list(pre.get('std', [1., 1., 1.])),
        bgr_to_rgb=bool(pre.get('bgr_to_rgb', False)),
        output=('joints (B, K, 3): x, y input pixels, z root-relative mm'
                if args.decode else
                'joints (B, K, 3): x, y input pixels, z depth bins'),
        outputs=','.join(wrapped.output_names),
        depth_to_mm=json.dumps(depth_to_mm(cfg)),
        dynamic_batch=not args.static_batch)
    seconds = export(wrapped, args.out, input_size, args.opset,
                     args.batch_size, not args.static_batch, metadata)
    print(f'exported {args.out} in {seconds:.1f} s (opset {args.opset}, '
          f'input {input_size[0]}x{input_size[1]}, batch '
          f'{"dynamic" if not args.static_batch else args.batch_size}, '
          f'output {"decoded (mm)" if args.decode else "codec space (bins)"}'
          f', {osp.getsize(args.out) / 2**20:.1f} MiB)')
    if args.verify:
        sizes = (args.batch_size, ) if args.static_batch else (1, 2)
        report = verify(wrapped, args.out, input_size, sizes, args.atol,
                        args.rtol)
        for bs, r in report.items():
            print(f'verify batch {bs}: max abs error {r["max_abs"]:.3g}, '
                  f'relative {r["max_rel"]:.3g} -> '
                  f'{"OK" if r["ok"] else "FAILED"} (atol {args.atol}, '
                  f'rtol {args.rtol})')
        if not all(r['ok'] for r in report.values()):
            raise SystemExit(1)
    if args.latency:
        t = latency(wrapped, args.out, input_size, batch_size=1)
        print(f'latency batch 1, {torch.get_num_threads()} threads, median '
              f'of 10: PyTorch {t["torch_s"] * 1e3:.1f} ms, onnxruntime '
              f'{t["onnxruntime_s"] * 1e3:.1f} ms')


if __name__ == '__main__':
    main()
