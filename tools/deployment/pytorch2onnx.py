# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Export the inference graph of an A2J-Transformer config to ONNX.

    python tools/deployment/pytorch2onnx.py CONFIG [CHECKPOINT]
        [--out model.onnx] [--input-size H W] [--opset 17] [--batch-size 1]
        [--static-batch] [--decode] [--precision fp32|int8] [--verify]
        [--atol 1e-4] [--rtol 1e-4] [--latency] [--threads N]

Graph: backbone -> neck -> head, the last decoder layer's fused joints.

- input ``input`` ``(B, 3, H, W)`` float32: the image **after** the data
  preprocessor, i.e. ``(rgb - mean) / std`` with the config's
  ``model.data_preprocessor`` (A2J-Transformer: ``rgb / 255``). The values are
  stored in the model's metadata (``mean``, ``std``, ``bgr_to_rgb``).
- output ``joints`` ``(B, K, 3)`` float32 (K = 42 for InterHand2.6M): by
  default in the codec's target space (``x, y`` pixels of the network input,
  ``z`` depth bins); with ``--decode``, ``z`` is converted to root-relative
  depth in mm in the graph (the codec's ``bins_to_mm``; the depth codec's z
  is mm already), ``x, y`` unchanged.
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

``--precision int8`` writes the graph with int8 weights for its matrix
products (onnxruntime's dynamic quantization, ``MatMul``/``Gemm``, per
channel; convolutions and GridSample stay float32). ``--verify`` then
compares it with the float32 PyTorch model with the tolerances given
(``docs/onnx.md`` gives its measured error and speed).

``--verify`` runs the exported file with onnxruntime (CPU) on random inputs
at batch 1 and 2 and compares with PyTorch: the export passes when
``max |ort - torch| <= atol + rtol * max |torch|``, and prints both the
maximum absolute and the relative error (``max |ort - torch| / max |torch|``).
"""
import argparse
import json
import os.path as osp
import time

import torch
from mmengine.config import DictAction

from a2jt_mmpose.apis.models import build_pose_model, config_input_size
from a2jt_mmpose.apis.onnx_export import (MIN_OPSET, ONNX_PRECISIONS,
                                          depth_to_mm, export, latency,
                                          quantize_int8, verify, wrap)


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
        '--precision',
        default='fp32',
        choices=ONNX_PRECISIONS,
        help='int8: int8 weights of the matrix products (onnxruntime '
        'dynamic quantization)')
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


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    model, cfg = build_pose_model(args.config, args.checkpoint,
                                  args.cfg_options, args.input_size)
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
        precision=args.precision,
        depth_to_mm=json.dumps(depth_to_mm(cfg)),
        dynamic_batch=not args.static_batch)
    seconds = export(wrapped, args.out, input_size, args.opset,
                     args.batch_size, not args.static_batch, metadata)
    if args.precision == 'int8':
        t0 = time.perf_counter()
        quantize_int8(args.out, args.out)
        seconds += time.perf_counter() - t0
    print(f'exported {args.out} in {seconds:.1f} s (opset {args.opset}, '
          f'input {input_size[0]}x{input_size[1]}, batch '
          f'{"dynamic" if not args.static_batch else args.batch_size}, '
          f'output {"decoded (mm)" if args.decode else "codec space (bins)"}'
          f', {args.precision}, {osp.getsize(args.out) / 2**20:.1f} MiB)')
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
