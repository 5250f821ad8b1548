# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Build a config's pose estimator for the tools (export, benchmark,
statistics)."""
import copy
import logging
from typing import Optional, Sequence, Tuple, Union

import torch.nn as nn
from mmengine.config import Config


def build_pose_model(config: Union[str, Config],
                     checkpoint: Optional[str] = None,
                     cfg_options: Optional[dict] = None,
                     input_size: Optional[Sequence[int]] = None,
                     device: str = 'cpu') -> Tuple[nn.Module, Config]:
    """The pose estimator of ``config`` in eval mode, and its config.

    Args:
        config (str | Config): a config file or a loaded config (copied).
        checkpoint (str, optional): loaded with mmengine (the package's safe
            loader); without it the model has random weights (mmengine's
            per-parameter initialisation log is kept quiet).
        cfg_options (dict, optional): merged into the config first.
        input_size (Sequence[int], optional): ``(h, w)`` in pixels instead of
            the config's; rebuilds the anchor grid and the codec for it (a
            checkpoint may then not fit).
        device (str): e.g. ``'cpu'`` or ``'cuda:0'``.

    Returns:
        tuple: the model and the (merged) config. The backbone's pretrained
        ``init_cfg`` is dropped: nothing is downloaded. ``model.dataset_meta``
        is the checkpoint's, else the config's dataset metainfo (as mmpose's
        ``init_model`` sets it), and ``model.cfg`` the config.
    """
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
    cfg.model.backbone.init_cfg = None
    model = MODELS.build(cfg.model)
    from mmpose.apis.inference import dataset_meta_from_config
    dataset_meta = None
    if checkpoint:
        from mmengine.runner import load_checkpoint
        ckpt = load_checkpoint(model, checkpoint, map_location='cpu')
        dataset_meta = ckpt.get('meta', {}).get('dataset_meta')
    else:
        from mmengine.logging import MMLogger
        logger = MMLogger.get_current_instance()
        level = logger.level
        logger.setLevel(logging.WARNING)
        try:
            model.init_weights()
        finally:
            logger.setLevel(level)
    model.dataset_meta = dataset_meta or dataset_meta_from_config(
        cfg, dataset_mode='train')
    model.cfg = cfg
    return model.to(device).eval(), cfg


def config_input_size(cfg: Config) -> Tuple[int, int]:
    """``(h, w)`` of the network input in pixels (``model.neck.input_size``
    is ``(w, h)``)."""
    w, h = cfg.model.neck.input_size
    return int(h), int(w)
