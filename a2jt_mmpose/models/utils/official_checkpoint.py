# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Key mapping from the official A2J-Transformer checkpoint to this model.

The official ``snapshot_*.pth.tar`` holds ``{'epoch', 'network',
'optimizer'}``; ``network`` is the state dict of the model wrapped in
``nn.DataParallel`` (every key starts with ``module.``).
:func:`convert_official_checkpoint` writes an mmengine checkpoint from it;
``tools/model_converters/a2jt_official_to_mmpose.py`` is its command line.
"""
import os.path as osp
import re
from collections import OrderedDict
from typing import Dict, List, Tuple

import torch
from torch import Tensor

#: the paper-model config that converted official checkpoints are used with
PAPER_CONFIG = ('configs/hand_3d_keypoint/a2j_transformer/interhand3d/'
                'a2jt_res50-dc5_1xb12-42e_interhand3d-256x256.py')

# official sub-key -> ours, inside one encoder / decoder layer
_ENCODER_LAYER = {
    'self_attn.': 'self_attn.',
    'norm1.': 'norms.0.',
    'linear1.': 'ffn.layers.0.0.',
    'linear2.': 'ffn.layers.1.',
    'norm2.': 'norms.1.',
}
# official decoder order: self-attn -> norm2, cross-attn -> norm1, ffn -> norm3
_DECODER_LAYER = {
    'self_attn.in_proj_': 'self_attn.attn.in_proj_',
    'self_attn.out_proj.': 'self_attn.attn.out_proj.',
    'norm2.': 'norms.0.',
    'cross_attn.': 'cross_attn.',
    'norm1.': 'norms.1.',
    'linear1.': 'ffn.layers.0.0.',
    'linear2.': 'ffn.layers.1.',
    'norm3.': 'norms.2.',
}
# (pattern, replacement) on keys without the 'module.' prefix
_RULES: List[Tuple[str, str]] = [
    (r'^backbone\.0\.body\.', 'backbone.'),
    (r'^input_proj\.', 'neck.input_proj.'),
    (r'^transformer\.level_embed$', 'neck.level_embed'),
    (r'^transformer\.decoder\.query_scale\.', 'neck.query_scale.'),
    (r'^transformer\.decoder\.ref_point_head\.', 'neck.anchor_pos_head.'),
    (r'^tgt_embed\.weight$', 'neck.content_embed.weight'),
    (r'^refpoint_embed\.weight$', 'neck.anchors'),
    (r'^bbox_embed_keypoints\.', 'head.offset_branches.'),
    (r'^anchor_weights\.', 'head.weight_branches.'),
]
#: official parameters without a counterpart: the 6 box-refinement MLPs whose
#: output the official model discards (registered twice)
DROPPED = (r'^transformer\.decoder\.bbox_embed\.', r'^bbox_embed_anchor\.')


def map_official_key(key: str) -> str:
    """Our key for an official key, ``''`` for a dropped one.

    Raises:
        KeyError: for a key the official model does not have.
    """
    key = key[len('module.'):] if key.startswith('module.') else key
    if any(re.match(p, key) for p in DROPPED):
        return ''
    m = re.match(r'^transformer\.(encoder|decoder)\.layers\.(\d+)\.(.*)$',
                 key)
    if m:
        part, idx, rest = m.groups()
        table = _ENCODER_LAYER if part == 'encoder' else _DECODER_LAYER
        prefix = ('neck.encoder.layers.'
                  if part == 'encoder' else 'neck.decoder_layers.')
        for old, new in table.items():
            if rest.startswith(old):
                return f'{prefix}{idx}.{new}{rest[len(old):]}'
        raise KeyError(f'unknown official {part} layer key "{key}"')
    for pattern, repl in _RULES:
        if re.match(pattern, key):
            return re.sub(pattern, repl, key)
    raise KeyError(f'unknown official key "{key}": not an A2J-Transformer '
                   'checkpoint, or another version of it')


def convert_official_state_dict(
        official: Dict[str, Tensor],
        reference: Dict[str, Tensor]) -> 'OrderedDict[str, Tensor]':
    """Convert an official state dict to this project's keys.

    Args:
        official (dict): the official ``network`` state dict.
        reference (dict): the state dict of the target model (built from the
            InterHand2.6M config); gives the expected keys and shapes and the
            values of the buffers the official model does not have
            (``num_batches_tracked`` of the BatchNorm layers).

    Returns:
        OrderedDict: a state dict with exactly the keys of ``reference``.

    Raises:
        KeyError: unknown official keys, or keys of ours left unfilled.
        ValueError: shape mismatches (naming both keys).
    """
    out = OrderedDict()
    for key, value in official.items():
        ours = map_official_key(key)
        if not ours:
            continue
        if ours not in reference:
            raise KeyError(f'official "{key}" maps to "{ours}", which the '
                           'target model does not have')
        if tuple(value.shape) != tuple(reference[ours].shape):
            raise ValueError(
                f'official "{key}" {tuple(value.shape)} does not fit '
                f'"{ours}" {tuple(reference[ours].shape)}: check that the '
                'config matches the checkpoint (joints, anchors, widths)')
        out[ours] = value
    for key in reference:
        if key not in out and key.endswith('num_batches_tracked'):
            out[key] = reference[key].clone()
    missing = [k for k in reference if k not in out]
    if missing:
        raise KeyError(f'{len(missing)} keys of the model are not in the '
                       f'official checkpoint, e.g. {missing[:5]}')
    return OrderedDict((k, out[k]) for k in reference)


def convert_official_checkpoint(src: str, dst: str, config: str) -> dict:
    """Convert an official ``snapshot_*.pth.tar`` to an mmengine checkpoint.

    Every official key is mapped or dropped on purpose (the dead box MLPs,
    :data:`DROPPED`), every key of the model built from ``config`` is
    filled, shapes are checked, the (possibly trained) anchor table is
    carried over, and ``meta.dataset_meta`` is added, so the result works
    with ``mim test -C``, ``init_model`` and the inferencers. The snapshot
    is read with the package's safe loader (no code from the file runs).

    Args:
        src (str): the official snapshot.
        dst (str): the mmengine checkpoint to write.
        config (str): a paper-model config (no hand-type / root-depth
            heads: the official model has none), e.g. :data:`PAPER_CONFIG`.

    Returns:
        dict: the checkpoint's ``meta`` (``dataset_meta``,
        ``converted_from``, ``official_epoch``).
    """
    from mmengine.config import Config
    from mmpose.datasets.datasets.utils import parse_pose_metainfo
    from mmpose.registry import DATASETS, MODELS
    from mmpose.utils import register_all_modules

    from ...engine.checkpoint_loading import load_from_local
    register_all_modules()
    cfg = Config.fromfile(config)
    extra = [k for k in ('hand_type_head', 'root_depth_head')
             if cfg.model.head.get(k)]
    if extra:
        raise ValueError(
            f'{config} has model.head.{extra[0]}, which the official model '
            f'does not have: use the paper-model config '
            f'{osp.basename(PAPER_CONFIG)} (or a config without '
            f'model.head.hand_type_head and model.head.root_depth_head)')
    cfg.model.backbone.init_cfg = None
    model = MODELS.build(cfg.model)
    snapshot = load_from_local(src, map_location='cpu')
    if not isinstance(snapshot, dict) or 'network' not in snapshot:
        raise KeyError(f'"{src}" has no "network" entry: not an official '
                       'A2J-Transformer snapshot')
    state = convert_official_state_dict(snapshot['network'],
                                        model.state_dict())
    model.load_state_dict(state, strict=True)
    dataset_cls = DATASETS.get(cfg.dataset_type)
    meta = dict(
        dataset_meta=parse_pose_metainfo(dataset_cls.METAINFO),
        converted_from=osp.basename(src),
        official_epoch=snapshot.get('epoch'))
    torch.save(dict(meta=meta, state_dict=state), dst)
    return meta
