# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Every config under configs/ builds its model, which runs one forward and
backward pass on the CPU with its own input size and anchor setting."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.structures import InstanceData
from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample

from conftest import REPO_ROOT

CONFIGS = sorted(
    glob.glob(osp.join(REPO_ROOT, 'configs', '**', '*.py'), recursive=True))
CONFIGS = [c for c in CONFIGS if '_base_' not in c]


def test_config_names_are_unique():
    # mim finds configs by basename inside the package
    names = [osp.basename(c) for c in CONFIGS]
    assert len(names) == len(set(names))


def test_every_config_is_in_its_dataset_page():
    """Each dataset folder has its ``a2jt_<dataset>.md`` (mmpose's
    ``{algorithm}_{dataset}.md``) with a link to every config below it."""
    root = osp.join(REPO_ROOT, 'configs', 'hand_3d_keypoint',
                    'a2j_transformer')
    folders = sorted(d for d in glob.glob(osp.join(root, '*'))
                     if osp.isdir(d))
    assert [osp.basename(d) for d in folders] == [
        'hands2017', 'interhand3d', 'nyu', 'rhd3d'
    ]
    for folder in folders:
        page = osp.join(folder, f'a2jt_{osp.basename(folder)}.md')
        with open(page) as f:
            text = f.read()
        configs = glob.glob(osp.join(folder, '**', '*.py'), recursive=True)
        assert configs
        for config in configs:
            link = f'(./{osp.relpath(config, folder)})'
            assert link in text, f'{page} has no link {link}'


@pytest.mark.slow
@pytest.mark.parametrize(
    'config', CONFIGS, ids=[osp.basename(c)[:-3] for c in CONFIGS])
def test_forward_backward(config):
    cfg = Config.fromfile(config)
    cfg.model.backbone.init_cfg = None
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    w, h = cfg.model.neck.input_size
    k = cfg.model.head.num_keypoints
    sample = PoseDataSample()
    sample.gt_instance_labels = InstanceData(
        keypoint_labels=torch.rand(1, k, 3) * w,
        keypoint_weights=torch.ones(1, k))
    losses = model.loss(torch.rand(1, 3, h, w), [sample])
    loss = sum(losses.values())
    assert torch.isfinite(loss)
    loss.backward()
    head_grads = [
        p.grad for p in model.head.parameters() if p.requires_grad
    ]
    assert all(g is not None and torch.isfinite(g).all() for g in head_grads)
    anchors = cfg.model.neck.anchor_cfg
    n = anchors.num_in_plane
    n = n * n if isinstance(n, int) else n[0] * n[1]
    num_depths = len(anchors.depths) if anchors.get('depths') else \
        anchors.get('num_depths', 3)
    assert model.neck.anchors.shape == (n * num_depths, 3)
