# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from contextlib import contextmanager

import torch
import torch.nn as nn
from mmengine.optim import OptimWrapper
from mmpose.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class CPUAmpOptimWrapper(OptimWrapper):
    """Mixed-precision training on the CPU.

    mmengine's ``AmpOptimWrapper`` refuses to start without a GPU (it is
    built on ``torch.cuda.amp``). This wrapper runs every forward pass of
    ``train_step`` under ``torch.autocast('cpu', dtype=bfloat16)``: matrix
    products and convolutions take bfloat16 inputs (oneDNN's AVX-512 BF16
    kernels where the CPU has them), while the parameters, the gradients,
    the optimizer state, softmax, normalisation layers and the losses stay
    float32 (autocast's own op lists). bfloat16 has float32's exponent
    range, so no loss scaling is needed (float16 would need it, and is
    therefore refused). Validation and testing are not affected (they run
    outside ``optim_context``).

    ``tools/analysis_tools/benchmark.py CONFIG --train`` measures it against
    float32 (path ``bf16``; ``docs/benchmark.md`` gives the numbers).

    Args:
        dtype (str | torch.dtype): the autocast type; only ``'bfloat16'``
            (the default).
        **kwargs: the arguments of :class:`mmengine.optim.OptimWrapper`
            (``optimizer``, ``clip_grad``, ``accumulative_counts``).
    """

    valid_dtypes = ('bfloat16', )

    def __init__(self, dtype='bfloat16', **kwargs) -> None:
        if isinstance(dtype, torch.dtype):
            dtype = str(dtype).replace('torch.', '')
        if dtype not in self.valid_dtypes:
            raise ValueError(
                f'optim_wrapper.dtype must be one of {self.valid_dtypes} '
                f'for CPUAmpOptimWrapper, got {dtype!r}')
        super().__init__(**kwargs)
        self.cast_dtype = getattr(torch, dtype)

    @contextmanager
    def optim_context(self, model: nn.Module):
        """Gradient accumulation context of the parent, plus CPU autocast."""
        param = next(model.parameters(), None)
        if param is not None and param.device.type != 'cpu':
            raise RuntimeError(
                'CPUAmpOptimWrapper autocasts CPU operations only, but the '
                f'model is on {param.device}; use mmengine\'s '
                'AmpOptimWrapper (optim_wrapper.type="AmpOptimWrapper") on '
                'a GPU')
        with super().optim_context(model), torch.autocast(
                device_type='cpu', dtype=self.cast_dtype):
            yield
