# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Inference precision of the pose estimator (``model.test_cfg.precision``).

- ``'fp32'``: float32 everywhere (the reference).
- ``'bf16'``: the backbone, the transformer and the head's MLPs run under
  ``torch.autocast(dtype=torch.bfloat16)``: convolutions and linear layers in
  bfloat16 (oneDNN's AVX-512 BF16 / AMX kernels on the CPU, tensor cores on
  CUDA), norms and softmaxes as autocast decides. The deformable attention's
  sampling locations and sampling and the head's anchor-to-joint fusion stay
  in float32 (see :class:`GatherMultiScaleDeformableAttention` and
  :meth:`A2JHead.fuse`), so the joints are float32.
"""
import contextlib

import torch

#: the values of ``model.test_cfg.precision``
INFERENCE_PRECISIONS = ('fp32', 'bf16')


def check_precision(precision: str,
                    key: str = 'model.test_cfg.precision') -> str:
    """Return ``precision`` if it is one of :data:`INFERENCE_PRECISIONS`,
    else raise a ``ValueError`` naming ``key``."""
    if precision not in INFERENCE_PRECISIONS:
        raise ValueError(f'{key} must be one of {INFERENCE_PRECISIONS}, got '
                         f'{precision!r}')
    return precision


def precision_context(precision: str, device_type: str):
    """The context that runs a forward pass at ``precision`` on a device of
    type ``device_type`` (``'cpu'``, ``'cuda'``)."""
    check_precision(precision)
    if precision == 'fp32':
        return contextlib.nullcontext()
    return torch.autocast(device_type, dtype=torch.bfloat16)
