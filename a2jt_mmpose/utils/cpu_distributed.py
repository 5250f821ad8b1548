# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""``--launcher pytorch`` on machines without CUDA.

mmengine 0.10.7's ``init_dist('pytorch')`` always calls
``torch.cuda.set_device`` and wraps the model in DDP with
``device_ids=[LOCAL_RANK]``; both fail without a GPU. This helper, called by
``tools/train.py`` / ``tools/test.py`` before the Runner is built, starts the
process group itself (gloo; nccl needs CUDA) and wraps the model without
device ids. With CUDA it does nothing and mmengine proceeds as usual.
"""
import torch
import torch.distributed as dist
from mmengine.config import Config
from mmengine.logging import print_log


def setup_cpu_distributed(cfg: Config) -> bool:
    """Prepare a CPU-only distributed run of ``cfg`` (launcher pytorch).

    Returns:
        bool: whether the CPU setup was applied.
    """
    if cfg.get('launcher', 'none') != 'pytorch' or torch.cuda.is_available():
        return False
    backend = cfg.get('env_cfg', {}).get('dist_cfg', {}).get('backend', 'gloo')
    if backend != 'gloo':
        print_log(
            f'env_cfg.dist_cfg.backend={backend} needs CUDA; using gloo',
            logger='current')
    if not dist.is_initialized():
        dist.init_process_group(backend='gloo')
    if cfg.get('model_wrapper_cfg') is None:
        cfg.model_wrapper_cfg = dict(
            type='MMDistributedDataParallel',
            device_ids=None,
            broadcast_buffers=False,
            find_unused_parameters=cfg.get('find_unused_parameters', False))
    return True
