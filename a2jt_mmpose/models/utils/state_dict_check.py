# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Strict checkpoint checks for A2J-Transformer modules.

mmengine loads checkpoints with ``strict=False`` and only *warns* about
missing keys and shape mismatches, so a checkpoint of another architecture or
another anchor setting would load silently into a half-random model. The neck
and the head register :func:`check_state_dict` as a load pre-hook instead.
"""
import torch.nn as nn


def check_state_dict(module: nn.Module, state_dict: dict, prefix: str,
                     what: str) -> None:
    """Raise if ``state_dict`` lacks a key of ``module`` or has another shape.

    Args:
        module (nn.Module): the module being loaded.
        state_dict (dict): the full state dict handed to ``load_state_dict``.
        prefix (str): the module's key prefix in ``state_dict``.
        what (str): a human readable name used in the message (e.g. the
            config key of the module, ``'model.neck'``).
    """
    missing, mismatched = [], []
    for name, value in module.state_dict(keep_vars=True).items():
        key = prefix + name
        if key not in state_dict:
            missing.append(key)
        elif tuple(state_dict[key].shape) != tuple(value.shape):
            mismatched.append(f'{key}: checkpoint {tuple(state_dict[key].shape)}'
                              f' vs model {tuple(value.shape)}')
    if not (missing or mismatched):
        return
    lines = []
    if missing:
        lines.append(f'{len(missing)} keys missing, e.g. {missing[:3]}')
    if mismatched:
        lines.append(f'{len(mismatched)} shapes differ, e.g. {mismatched[:3]}')
    raise ValueError(
        f'checkpoint does not fit {what} ({module.__class__.__name__}): '
        + '; '.join(lines) + '. It belongs to another architecture or '
        'another anchor/keypoint setting (official A2J-Transformer snapshots '
        'must be converted first).')
