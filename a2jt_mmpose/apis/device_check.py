# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""GPU checks of the CUDA path against the CPU path (``tools/device_check.sh``
runs them on a GPU machine; ``docs/device_check.md`` has the bounds).

- :func:`check_msda`: mmcv's compiled ``MultiScaleDeformableAttnFunction``
  against the package's CPU path
  (:func:`~a2jt_mmpose.models.utils.ms_deform_attn.multi_scale_deformable_attn_gather`)
  and mmcv's ``multi_scale_deformable_attn_pytorch``, at the paper model's
  shapes, forward and the gradients w.r.t. value, sampling locations and
  attention weights.
- :func:`check_model`: the paper model with the same weights and inputs on
  the CPU and on the GPU (float32, TF32 off), every decoder layer's joints.
- :func:`probe_mmcv_cuda`: whether the importable mmcv runs its deformable
  attention kernel on CUDA tensors.

Every function returns plain numbers (json-ready dicts); errors are
``max|a - b| / max|b|`` (relative) or ``max|a - b|`` (joints, in px and
depth bins).
"""
import copy
import os.path as osp
import time
from typing import Callable, Dict, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import Tensor

#: the paper model's feature levels (h, w) at 256 x 256 px input
PAPER_LEVELS = ((32, 32), (16, 16), (16, 16), (8, 8))
#: deformable attention queries: encoder (all 1600 tokens), decoder (768
#: anchors: 16 x 16 in-plane x 3 depths)
PAPER_QUERIES = dict(encoder=1600, decoder=768)
#: pass bound of :func:`check_msda` (relative error)
MSDA_RTOL = 1e-4
#: pass bound of :func:`check_model` (joints, px / depth bins)
MODEL_ATOL = 1e-3
#: a sampling location's pixel coordinate keeps this far from the integer
#: grid, where the gradient w.r.t. the location jumps (see msda_inputs)
GRID_MARGIN = 0.05


def max_rel_error(a: Tensor, b: Tensor) -> float:
    """``max|a - b| / max|b|`` in float64 (``b`` is the reference); 0 when
    both are all zero, inf when only ``b`` is."""
    a = a.detach().double().cpu()
    b = b.detach().double().cpu()
    if a.shape != b.shape:
        raise ValueError(f'shapes differ: {tuple(a.shape)} vs '
                         f'{tuple(b.shape)}')
    num = (a - b).abs().max().item()
    den = b.abs().max().item()
    if den == 0:
        return 0.0 if num == 0 else float('inf')
    return num / den


def msda_inputs(batch_size: int,
                num_queries: int,
                levels: Sequence[Tuple[int, int]] = PAPER_LEVELS,
                num_heads: int = 8,
                head_dims: int = 32,
                num_points: int = 4,
                seed: int = 0,
                dtype: torch.dtype = torch.float32) -> Dict[str, Tensor]:
    """Random inputs of multi-scale deformable attention (CPU tensors).

    ``value`` and the output gradient are standard normal; the attention
    weights are a softmax over each query's ``L * P`` points (as in the
    model). Sampling locations: the pixel coordinate ``loc * size - 0.5``
    (``grid_sample``'s, ``align_corners=False``) is an integer in
    ``[-2, size]`` plus a fraction in ``[GRID_MARGIN, 1 - GRID_MARGIN]``,
    so that some points lie partly or wholly outside their map (zero
    padding) and none lies within ``GRID_MARGIN`` px of the integer grid:
    there the gradient w.r.t. the location jumps, and the implementations
    compute the pixel coordinate by different formulas (``loc * W - 0.5``
    in mmcv's kernel and the gather's forward, ``((g + 1) * W - 1) / 2``
    from ``g = 2 * loc - 1`` in ``grid_sample``), which can differ by an ulp
    and put a point on the other side.

    Returns:
        dict: ``value (B, N, heads, C)``, ``spatial_shapes (L, 2)``,
        ``level_start_index (L,)``, ``sampling_locations (B, Q, heads, L, P,
        2)``, ``attention_weights (B, Q, heads, L, P)``, ``grad_output (B, Q,
        heads * C)``.
    """
    g = torch.Generator().manual_seed(seed)
    num_levels = len(levels)
    shapes = torch.tensor(levels, dtype=torch.long)
    sizes = shapes.prod(1)
    start = torch.cat((sizes.new_zeros(1), sizes.cumsum(0)[:-1]))
    value = torch.randn(
        batch_size, int(sizes.sum()), num_heads, head_dims, generator=g)
    loc_shape = (batch_size, num_queries, num_heads, num_levels, num_points)
    # (x, y) per level: x scaled by W_l, y by H_l
    wh = shapes.flip(1).to(torch.float64).view(1, 1, 1, num_levels, 1, 2)
    cell = torch.floor(
        torch.rand(loc_shape + (2, ), generator=g, dtype=torch.float64) *
        (wh + 3)) - 2
    frac = GRID_MARGIN + (1 - 2 * GRID_MARGIN) * torch.rand(
        loc_shape + (2, ), generator=g, dtype=torch.float64)
    loc = (cell + frac + 0.5) / wh
    logits = torch.randn(
        batch_size,
        num_queries,
        num_heads,
        num_levels * num_points,
        generator=g)
    attn = logits.softmax(-1).view(loc_shape)
    grad_output = torch.randn(
        batch_size, num_queries, num_heads * head_dims, generator=g)
    return dict(
        value=value.to(dtype),
        spatial_shapes=shapes,
        level_start_index=start,
        sampling_locations=loc.to(dtype),
        attention_weights=attn.to(dtype),
        grad_output=grad_output.to(dtype))


def run_msda(fn: Callable,
             inputs: Dict[str, Tensor],
             device: str = 'cpu') -> Dict[str, Tensor]:
    """Output and gradients of one implementation.

    Args:
        fn: ``fn(value, spatial_shapes, level_start_index,
            sampling_locations, attention_weights) -> (B, Q, heads * C)``.
        inputs (dict): from :func:`msda_inputs`.
        device (str): where the inputs are moved first.

    Returns:
        dict: ``output``, ``grad_value``, ``grad_sampling_locations``,
        ``grad_attention_weights`` (CPU tensors).
    """
    # fresh leaves per call: on the CPU ``.to`` would return the inputs
    # themselves, and their gradients would add up across implementations
    leaves = {
        k: inputs[k].detach().to(device).clone().requires_grad_()
        for k in ('value', 'sampling_locations', 'attention_weights')
    }
    out = fn(leaves['value'], inputs['spatial_shapes'].to(device),
             inputs['level_start_index'].to(device),
             leaves['sampling_locations'], leaves['attention_weights'])
    out.backward(inputs['grad_output'].to(device))
    return dict(
        output=out.detach().cpu().clone(),
        **{
            f'grad_{k}': v.grad.detach().cpu().clone()
            for k, v in leaves.items()
        })


def compare_msda(results: Dict[str, Dict[str, Tensor]],
                 pairs: Sequence[Tuple[str, str]]) -> Dict[str, dict]:
    """Relative errors of each ``(tested, reference)`` pair of
    :func:`run_msda` results, per output / gradient, and their max."""
    report = {}
    for tested, ref in pairs:
        errs = {
            k: max_rel_error(results[tested][k], results[ref][k])
            for k in results[ref]
        }
        errs['max'] = max(errs.values())
        report[f'{tested}_vs_{ref}'] = errs
    return report


def msda_implementations(device: str = 'cuda') -> Dict[str, Callable]:
    """The implementations :func:`check_msda` compares, by name:
    ``kernel`` (mmcv's compiled function, on ``device``), ``gather`` (the
    package's CPU path) and ``mmcv_pytorch`` (mmcv's CPU path)."""
    from mmcv.ops.multi_scale_deform_attn import (
        MultiScaleDeformableAttnFunction, multi_scale_deformable_attn_pytorch)

    from a2jt_mmpose.models.utils.ms_deform_attn import \
        multi_scale_deformable_attn_gather

    def kernel(value, shapes, start, loc, attn):
        return MultiScaleDeformableAttnFunction.apply(value, shapes, start,
                                                      loc, attn, 64)

    def gather(value, shapes, start, loc, attn):
        return multi_scale_deformable_attn_gather(value, shapes, loc, attn)

    def mmcv_pytorch(value, shapes, start, loc, attn):
        return multi_scale_deformable_attn_pytorch(value, shapes, loc, attn)

    return dict(
        kernel=(kernel, device),
        gather=(gather, 'cpu'),
        mmcv_pytorch=(mmcv_pytorch, 'cpu'))


def check_msda(device: str = 'cuda',
               batch_sizes: Sequence[int] = (1, 8),
               queries: Optional[Dict[str, int]] = None,
               rtol: float = MSDA_RTOL,
               implementations: Optional[Dict[str, tuple]] = None) -> dict:
    """mmcv's compiled deformable attention on ``device`` against the two
    CPU paths, float32, at the paper model's shapes.

    Args:
        device (str): where the ``kernel`` implementation runs.
        batch_sizes (Sequence[int]): batch sizes.
        queries (dict): name -> number of queries (default
            :data:`PAPER_QUERIES`).
        rtol (float): pass bound of the relative errors of ``kernel``.
        implementations (dict): name -> ``(fn, device)`` (default
            :func:`msda_implementations`); must hold ``kernel``, ``gather``
            and ``mmcv_pytorch``.

    Returns:
        dict: ``passed``, ``rtol``, and per case (``encoder_b8``, ...) the
        relative errors of ``kernel_vs_gather``, ``kernel_vs_mmcv_pytorch``
        and, for context, ``gather_vs_mmcv_pytorch`` (the two CPU paths),
        per output / gradient.
    """
    impls = implementations or msda_implementations(device)
    queries = queries or PAPER_QUERIES
    pairs = (('kernel', 'gather'), ('kernel', 'mmcv_pytorch'),
             ('gather', 'mmcv_pytorch'))
    report = dict(rtol=rtol, cases={}, levels=[list(s) for s in PAPER_LEVELS])
    passed = True
    for name, nq in queries.items():
        for bs in batch_sizes:
            inputs = msda_inputs(bs, nq)
            t0 = time.perf_counter()
            results = {
                k: run_msda(fn, inputs, dev)
                for k, (fn, dev) in impls.items()
            }
            case = compare_msda(results, pairs)
            case['seconds'] = round(time.perf_counter() - t0, 3)
            ok = all(case[f'kernel_vs_{ref}']['max'] <= rtol
                     for ref in ('gather', 'mmcv_pytorch'))
            case['passed'] = ok
            passed &= ok
            report['cases'][f'{name}_b{bs}'] = case
    report['passed'] = passed
    return report


class KernelCallCounter:
    """Counts the calls of mmcv's compiled deformable attention forward
    (``mmcv.ops.multi_scale_deform_attn.ext_module``) in a ``with`` block,
    so that a check can tell the kernel ran (and no fallback)."""

    def __enter__(self):
        import mmcv.ops.multi_scale_deform_attn as msda
        self.module, self.ext, self.calls = msda, msda.ext_module, 0
        counter = self

        class Proxy:

            def __getattr__(self, name):
                return getattr(counter.ext, name)

            def ms_deform_attn_forward(self, *args, **kwargs):
                counter.calls += 1
                return counter.ext.ms_deform_attn_forward(*args, **kwargs)

        msda.ext_module = Proxy()
        return self

    def __exit__(self, *exc):
        self.module.ext_module = self.ext


def interhand_mini_images(size: Tuple[int, int] = (256, 256)) -> np.ndarray:
    """The 4 InterHand2.6M test images of ``tests/data/interhand2.6m_mini``
    resized to ``size`` (w, h): ``(4, h, w, 3)`` uint8 BGR."""
    import glob

    import cv2
    root = osp.join(
        osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'tests',
        'data', 'interhand2.6m_mini')
    paths = sorted(glob.glob(osp.join(root, '*.jpg')))
    if not paths:
        raise FileNotFoundError(f'no test images in {root}')
    return np.stack([
        cv2.resize(cv2.imread(p), size, interpolation=cv2.INTER_AREA)
        for p in paths
    ])


def model_inputs(model, images: np.ndarray) -> Tensor:
    """``images`` (N, h, w, 3) uint8 BGR through the model's data
    preprocessor (BGR to RGB, / 255): the float32 network input."""
    from mmpose.structures import PoseDataSample
    h, w = images.shape[1:3]
    batch = dict(
        inputs=[torch.from_numpy(img).permute(2, 0, 1) for img in images],
        data_samples=[
            PoseDataSample(metainfo=dict(input_size=(w, h))) for _ in images
        ])
    with torch.no_grad():
        return model.data_preprocessor(batch, False)['inputs']


def joints_per_layer(model, x: Tensor) -> Tensor:
    """Fused joints of every decoder layer ``(layers, N, K, 3)``."""
    with torch.no_grad():
        return model.head(model.neck(model.backbone(x)))


def joint_errors(tested: Tensor, reference: Tensor) -> dict:
    """Max |difference| of ``(layers, N, K, 3)`` joints: per layer, per
    axis (x px, y px, depth bins) and overall."""
    d = (tested.double().cpu() - reference.double().cpu()).abs()
    return dict(
        per_layer=d.flatten(1).max(1).values.tolist(),
        per_axis=d.flatten(0, 2).max(0).values.tolist(),
        max=d.max().item())


def check_model(config: str,
                device: str = 'cuda',
                atol: float = MODEL_ATOL,
                seed: int = 0,
                images: Optional[np.ndarray] = None,
                amp_bf16: bool = True) -> dict:
    """The model of ``config`` on the CPU and on ``device``: same seeded
    weights, same inputs (the InterHand2.6M test images by default),
    float32 with TF32 off; every decoder layer's joints.

    Args:
        config (str): config file (the paper model's for the check).
        device (str): the device compared with the CPU.
        atol (float): pass bound of the max joint difference (px, bins).
        seed (int): ``torch.manual_seed`` before the weights' init.
        images (np.ndarray): ``(N, h, w, 3)`` uint8 BGR at the config's
            input size (default :func:`interhand_mini_images`).
        amp_bf16 (bool): also run ``device`` under
            ``torch.autocast(device_type, torch.bfloat16)`` and report the
            difference to the float32 CPU joints (information, no bound),
            or the error it raised.

    Returns:
        dict: ``passed``, ``atol``, ``joints_fp32`` (errors of
        :func:`joint_errors`), ``kernel_calls`` (mmcv kernel forwards
        during the ``device`` pass; 0 on the CPU), ``amp_bf16``,
        ``joint_range`` (min / max of the CPU joints) and timings.
    """
    from .models import build_pose_model, config_input_size
    tf32 = (torch.backends.cuda.matmul.allow_tf32,
            torch.backends.cudnn.allow_tf32)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    try:
        torch.manual_seed(seed)
        model, cfg = build_pose_model(config, device='cpu')
        h, w = config_input_size(cfg)
        if images is None:
            images = interhand_mini_images((w, h))
        x = model_inputs(model, images)
        t0 = time.perf_counter()
        ref = joints_per_layer(model, x)
        t_cpu = time.perf_counter() - t0
        model_dev = copy.deepcopy(model).to(device)
        x_dev = x.to(device)
        joints_per_layer(model_dev, x_dev)  # warm-up (CUDA init, cuDNN)
        with KernelCallCounter() as counter:
            t0 = time.perf_counter()
            out = joints_per_layer(model_dev, x_dev)
            if device.startswith('cuda'):
                torch.cuda.synchronize()
            t_dev = time.perf_counter() - t0
        errors = joint_errors(out, ref)
        report = dict(
            config=osp.relpath(config),
            device=device,
            inputs=list(x.shape),
            seed=seed,
            atol=atol,
            tf32=False,
            joints_fp32=errors,
            joint_range=[ref.min().item(), ref.max().item()],
            kernel_calls=counter.calls,
            seconds=dict(cpu=round(t_cpu, 3), device=round(t_dev, 4)))
        # on CUDA the check only counts when mmcv's kernel ran
        report['passed'] = errors['max'] <= atol and (
            counter.calls > 0 or torch.device(device).type != 'cuda')
        if amp_bf16:
            dev_type = torch.device(device).type
            try:
                with torch.autocast(dev_type, dtype=torch.bfloat16):
                    amp = joints_per_layer(model_dev, x_dev)
                report['amp_bf16'] = joint_errors(amp.float(), ref)
            except Exception as e:  # noqa: BLE001 (reported, not raised)
                report['amp_bf16'] = dict(error=f'{type(e).__name__}: {e}')
        return report
    finally:
        (torch.backends.cuda.matmul.allow_tf32,
         torch.backends.cudnn.allow_tf32) = tf32


def probe_mmcv_cuda() -> Tuple[bool, str]:
    """Whether the importable mmcv has working CUDA deformable attention:
    ``(True, version)``, or ``(False, why)``."""
    try:
        import mmcv
        from mmcv.ops.multi_scale_deform_attn import \
            MultiScaleDeformableAttnFunction
    except Exception as e:  # noqa: BLE001
        return False, f'import mmcv.ops: {type(e).__name__}: {e}'
    if not torch.cuda.is_available():
        return False, 'torch.cuda.is_available() is False'
    try:
        inputs = msda_inputs(
            1,
            8,
            levels=((2, 2), (1, 1)),
            num_heads=1,
            head_dims=2,
            num_points=1)
        dev = {k: v.cuda() for k, v in inputs.items()}
        MultiScaleDeformableAttnFunction.apply(dev['value'],
                                               dev['spatial_shapes'],
                                               dev['level_start_index'],
                                               dev['sampling_locations'],
                                               dev['attention_weights'], 64)
        torch.cuda.synchronize()
    except Exception as e:  # noqa: BLE001
        return False, (f'mmcv {mmcv.__version__} deformable attention on '
                       f'CUDA: {type(e).__name__}: {e}')
    return True, f'mmcv {mmcv.__version__} ({mmcv.__file__})'
