# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""The quickstart: train and evaluate a CPU-sized A2J-Transformer on
synthetic two-hand images written in the real InterHand2.6M layout
(:func:`run_quickstart`; ``tools/quickstart.py`` is its command line).
"""
import json
import os
import os.path as osp
import shutil
import time
from typing import Optional, Sequence

import numpy as np
import torch
from mmengine.config import Config

#: epochs with bfloat16 autocast: 900 iterations of 16, about 10 minutes on
#: 2 cores (docs/quickstart.md), where float32 runs the config's 3 epochs
AMP_EPOCHS = 6


def make_quickstart_data(data_root: str,
                         num_train: int = 2400,
                         num_test: int = 300,
                         img_size: Sequence[int] = (256, 256),
                         facing_camera_tilt: float = 30.,
                         poses: str = 'gestures',
                         seed: int = 0) -> None:
    """Render the quickstart's train and held-out test split (synthetic
    InterHand2.6M layout) into ``data_root``, unless a set made with the
    same settings is there already (a set made with other settings is
    removed first).

    Args:
        data_root (str): output folder.
        num_train (int): training images.
        num_test (int): held-out test images.
        img_size (Sequence[int]): ``(w, h)`` of the rendered images (px).
        facing_camera_tilt (float): palms towards the camera within this
            many degrees; negative: the full dome of orientations.
        poses (str): ``'gestures'`` or ``'free'``.
        seed (int): the training split's seed (the test split uses
            ``seed + 1``).
    """
    from a2jt_mmpose.datasets.synthetic import generate_interhand
    settings = dict(
        num_train=num_train,
        num_test=num_test,
        img_size=list(img_size),
        facing_camera_tilt=facing_camera_tilt,
        poses=poses,
        seed=seed,
        # bumped whenever the generator's distribution changes, so an old
        # set is rendered again instead of reused
        generator_version=3)
    marker = osp.join(data_root, 'quickstart_settings.json')
    if osp.isfile(marker):
        with open(marker) as f:
            if json.load(f) == settings:
                print(f'[quickstart] reusing the synthetic set in '
                      f'{data_root}')
                return
        # a set this script made with other settings: drop its images, so
        # that files of the old sequences do not pile up next to the new
        print(f'[quickstart] {data_root} holds a set made with other '
              'settings; rendering it again')
        os.remove(marker)
        for sub in ('images', 'annotations'):
            shutil.rmtree(osp.join(data_root, sub), ignore_errors=True)
    t0 = time.time()
    for split, num in (('train', num_train), ('test', num_test)):

        def progress(done, total, split=split):
            if done == total or done % 250 == 0:
                print(f'\r[quickstart] rendering {split}: {done}/{total}',
                      end='' if done < total else '\n', flush=True)

        generate_interhand(
            data_root,
            split=split,
            num_images=num,
            seed=seed + (0 if split == 'train' else 1),
            img_size=tuple(img_size),
            workers=2,
            facing_camera_tilt=(facing_camera_tilt
                                if facing_camera_tilt >= 0 else None),
            poses=poses,
            progress=progress)
    with open(marker, 'w') as f:
        json.dump(settings, f)
    print(f'[quickstart] synthetic set written in {time.time() - t0:.0f} s')


def use_cpu_amp(mode: str) -> bool:
    """Whether to train with bfloat16 autocast on the CPU."""
    if mode == 'off' or torch.cuda.is_available():
        return False
    try:  # oneDNN's check for native bfloat16 (AVX-512 BF16 / AMX)
        supported = bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        supported = False
    if mode == 'on' and not supported:
        print('[quickstart] amp on: this CPU has no native bfloat16, '
              'training will be slow')
    return mode == 'on' or supported


def quickstart_config(config: str,
                      work_dir: str,
                      data_root: str,
                      seed: int = 0,
                      epochs: Optional[int] = None,
                      amp: str = 'auto',
                      cfg_options: Optional[dict] = None) -> Config:
    """The tiny config set up for the quickstart: its data root, the
    rendered ``test`` split as the held-out test set (no validation during
    training), the seed, bfloat16 autocast on the CPU (``amp``: ``'auto'``,
    ``'on'``, ``'off'``) and ``epochs`` (default: the config's, or
    :data:`AMP_EPOCHS` with bfloat16), the schedule stretched to them."""
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    cfg.work_dir = work_dir
    cfg.randomness = dict(seed=seed)
    if use_cpu_amp(amp):
        cfg.optim_wrapper.type = 'CPUAmpOptimWrapper'
        cfg.optim_wrapper.dtype = 'bfloat16'
        if epochs is None:
            epochs = AMP_EPOCHS
    if epochs is not None:
        cfg.train_cfg.max_epochs = epochs
        cfg.train_cfg.val_interval = epochs
        for sched in cfg.param_scheduler:
            if sched.get('by_epoch', True) and sched.get('end', 0) > 1:
                sched.end = epochs
        cfg.default_hooks.checkpoint.interval = epochs
    for split in ('train', 'val', 'test'):
        cfg[f'{split}_dataloader'].dataset.data_root = data_root
    # the held-out split is the rendered 'test' split
    for split in ('val', 'test'):
        ds = cfg[f'{split}_dataloader'].dataset
        ds.ann_file = 'annotations/test/InterHand2.6M_test_data.json'
        ds.camera_param_file = 'annotations/test/InterHand2.6M_test_camera.json'
        ds.joint_file = 'annotations/test/InterHand2.6M_test_joint_3d.json'
        ds.data_prefix = dict(img='images/test/')
    cfg.val_dataloader = None
    cfg.val_cfg = None
    cfg.val_evaluator = None
    return cfg


def dataset_joints(dataset) -> dict:
    """Camera-space joints ``(N, K, 3)`` (mm), their validity ``(N, K)``
    and which samples show two hands ``(N,)`` of a 3D hand dataset."""
    cams, valid, interacting = [], [], []
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        cams.append(info['keypoints_cam'][0])
        valid.append(info['keypoints_visible'][0] > 0)
        interacting.append(bool(np.asarray(info['hand_type']).all()))
    return dict(
        cam=np.stack(cams), valid=np.stack(valid),
        interacting=np.array(interacting))


def save_prediction_picture(model, dataloader, path: str,
                            num: int = 8) -> int:
    """Draw predictions (red) over ground truth (green) on the first
    ``num`` test images that have a scored joint, with the dataset's
    skeleton: the 2-D drawing of mmpose's ``PoseLocalVisualizer`` on a
    :class:`Hand3DLocalVisualizer` (numpy-2-safe circles) given the
    dataset's metainfo, 4 per row.

    Returns:
        int: the number of images drawn.
    """
    import cv2
    from mmengine.structures import InstanceData

    from mmpose.visualization import PoseLocalVisualizer

    from ..visualization import Hand3DLocalVisualizer
    vis = Hand3DLocalVisualizer(name='a2jt_quickstart_picture', radius=2,
                                line_width=1)
    vis.set_dataset_meta(dataloader.dataset.metainfo)
    dataset = dataloader.dataset
    index = {
        dataset.get_data_info(i)['img_path']: i
        for i in range(len(dataset))
    }
    tiles = []
    with torch.no_grad():
        for batch in dataloader:
            for sample in model.test_step(batch):
                info = dataset.get_data_info(index[sample.img_path])
                visible = info['keypoints_visible'][:1] > 0
                if not visible.any():
                    continue  # e.g. both hands cut by the image border
                img = cv2.imread(sample.img_path)[..., ::-1]
                for keypoints, colour in (
                        (info['keypoints'][:1, :, :2], 'green'),
                        (sample.pred_instances.keypoints[:1, :, :2], 'red')):
                    vis.kpt_color = vis.link_color = colour
                    img = PoseLocalVisualizer._draw_instances_kpts(
                        vis,
                        img,
                        InstanceData(keypoints=keypoints,
                                     keypoints_visible=visible.astype(
                                         np.float32)),
                        kpt_thr=0.5)
                tiles.append(cv2.resize(img[..., ::-1], (256, 256)))
                if len(tiles) == num:
                    break
            if len(tiles) == num:
                break
    if not tiles:
        return 0
    count = len(tiles)
    while len(tiles) % 4:
        tiles.append(np.zeros_like(tiles[0]))
    rows = [np.concatenate(tiles[i:i + 4], 1) for i in range(0, len(tiles), 4)]
    canvas = np.concatenate(rows, 0)
    cv2.putText(canvas, 'green: ground truth   red: A2J-Transformer',
                (8, canvas.shape[0] - 10), cv2.FONT_HERSHEY_SIMPLEX, 0.6,
                (255, 255, 255), 2, cv2.LINE_AA)
    cv2.imwrite(path, canvas)
    return count


def run_quickstart(config: str,
                   work_dir: str = 'outputs/quickstart',
                   data_root: str = 'data/synthetic_interhand',
                   num_train: int = 2400,
                   num_test: int = 300,
                   img_size: Sequence[int] = (256, 256),
                   facing_camera_tilt: float = 30.,
                   poses: str = 'gestures',
                   amp: str = 'auto',
                   epochs: Optional[int] = None,
                   seed: int = 0,
                   cfg_options: Optional[dict] = None) -> dict:
    """Render the data, train, test with the config's evaluator
    (``runner.test``), compare with the mean-pose baseline, save
    ``<work_dir>/predictions.png`` and ``<work_dir>/quickstart_result.json``.

    Returns:
        dict: the result saved in the json (MPJPE in mm of the model and of
        the baseline, their ratio, seconds).
    """
    from mmengine.runner import Runner

    from ..evaluation.functional import mean_pose_baseline
    t_start = time.time()
    make_quickstart_data(data_root, num_train, num_test, img_size,
                         facing_camera_tilt, poses, seed)
    cfg = quickstart_config(config, work_dir, data_root, seed, epochs, amp,
                            cfg_options)
    runner = Runner.from_cfg(cfg)
    t_train = time.time()
    runner.train()
    train_s = time.time() - t_train
    ours = runner.test()

    test_loader = runner.test_dataloader
    root_indices = runner.model.head.decoder.root_indices
    train, test = (dataset_joints(runner.train_dataloader.dataset),
                   dataset_joints(test_loader.dataset))
    baseline = mean_pose_baseline(train['cam'], train['valid'], test['cam'],
                                  test['valid'], test['interacting'],
                                  root_indices)
    os.makedirs(work_dir, exist_ok=True)
    picture = osp.join(work_dir, 'predictions.png')
    drawn = save_prediction_picture(runner.model.eval(), test_loader,
                                    picture)
    total_s = time.time() - t_start

    print('\n[quickstart] held-out synthetic test set: '
          f'{len(test_loader.dataset)} images, MPJPE in mm (root-aligned)')
    print(f'{"":24s}{"all":>10s}{"single":>10s}{"interacting":>13s}')
    for name, res in (('A2J-Transformer (tiny)', ours),
                      ('mean-pose baseline', baseline)):
        print(f'{name:24s}{res["MPJPE_all"]:10.2f}{res["MPJPE_single"]:10.2f}'
              f'{res["MPJPE_interacting"]:13.2f}')
    ratio = ours['MPJPE_all'] / baseline['MPJPE_all']
    print(f'ratio to the baseline: {ratio:.3f}; training '
          f'{train_s / 60:.1f} min, total {total_s / 60:.1f} min')
    print(f'picture: {picture} ({drawn} test images)' if drawn else
          '[quickstart] no test image with a scored joint to draw')
    result = dict(
        model={k: float(v) for k, v in ours.items()},
        mean_pose_baseline=baseline,
        ratio=ratio,
        train_seconds=train_s,
        total_seconds=total_s,
        config=config,
        epochs=cfg.train_cfg.max_epochs,
        optim_wrapper=cfg.optim_wrapper.get('type', 'OptimWrapper'),
        poses=poses,
        num_train=num_train,
        num_test=num_test)
    with open(osp.join(work_dir, 'quickstart_result.json'), 'w') as f:
        json.dump(result, f, indent=2)
    return result
