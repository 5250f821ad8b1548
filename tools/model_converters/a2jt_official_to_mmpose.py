# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Convert an official A2J-Transformer InterHand2.6M snapshot to an mmengine
checkpoint for this project's InterHand2.6M paper-model config
(``..._interhand3d-256x256_official-heads.py``: the InterHand config without
the hand-type / root-depth extension heads, which have no official weights;
test and infer with that config).

    python tools/model_converters/a2jt_official_to_mmpose.py \
        snapshot_0.pth.tar a2jt_interhand3d_official.pth [--config CONFIG]

Every official key is mapped or dropped on purpose (the 6 dead box MLPs),
every key of ours is filled, shapes are checked, the (possibly moved) anchor
table is carried over and ``meta.dataset_meta`` is added, so the result works
with ``mim test -C``, ``init_model`` and the inferencers.
"""
import argparse
import os.path as osp

import torch
from mmengine.config import Config

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEFAULT_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'hand_3d_keypoint', 'a2j_transformer',
    'interhand3d',
    'a2jt_res50-dc5_1xb12-42e_interhand3d-256x256_official-heads.py')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('src', help='official snapshot_*.pth.tar')
    parser.add_argument('dst', help='output .pth')
    parser.add_argument('--config', default=DEFAULT_CONFIG)
    return parser.parse_args()


def convert(src: str, dst: str, config: str) -> dict:
    from mmpose.datasets.datasets.utils import parse_pose_metainfo
    from mmpose.registry import DATASETS, MODELS
    from mmpose.utils import register_all_modules

    from a2jt_mmpose.engine.checkpoint_loading import load_from_local
    from a2jt_mmpose.models.utils.official_checkpoint import \
        convert_official_state_dict
    register_all_modules()
    cfg = Config.fromfile(config)
    extra = [k for k in ('hand_type_head', 'root_depth_head')
             if cfg.model.head.get(k)]
    if extra:
        raise ValueError(
            f'{config} has model.head.{extra[0]}, which the official model '
            'does not have: use the paper-model config '
            f'{osp.basename(DEFAULT_CONFIG)} (or a config that sets '
            'model.head.hand_type_head=None, model.head.root_depth_head=None)')
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


def main():
    args = parse_args()
    meta = convert(args.src, args.dst, args.config)
    print(f'wrote {args.dst} (official epoch {meta["official_epoch"]}, '
          f'{meta["dataset_meta"]["num_keypoints"]} keypoints)')


if __name__ == '__main__':
    main()
