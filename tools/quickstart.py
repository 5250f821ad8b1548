# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Quickstart: train and evaluate a CPU-sized A2J-Transformer on synthetic
two-hand images written in the real InterHand2.6M layout.

    python tools/quickstart.py [--work-dir outputs/quickstart]

1. writes ``--data-root`` (train + held-out test split, skipped when it
   already holds a set made with the same settings): palms facing the
   camera (``--facing-camera-tilt``), one gesture per sequence and hand as
   InterHand2.6M is recorded (``--poses``);
2. trains the CPU-sized config (which inherits the full InterHand2.6M one),
   with bfloat16 autocast where the CPU supports it (``--amp``);
3. evaluates MPJPE (root-aligned, mm, official per-joint-first aggregation)
   on the held-out images and prints it beside the mean-pose baseline (the
   mean root-relative pose of the training set predicted for every image);
4. saves ``<work-dir>/predictions.png``: predictions (red) against ground
   truth (green) on test images, and ``<work-dir>/quickstart_result.json``.
"""
import argparse
import json
import os
import os.path as osp
import shutil
import sys
import time

import cv2
import numpy as np
import torch
from mmengine.config import Config, DictAction
from mmengine.runner import Runner

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEFAULT_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'hand_3d_keypoint', 'a2j_transformer',
    'interhand3d', 'a2jt_res18-tiny_1xb16-3e_synthetic-interhand3d-128x128.py')
#: epochs with bfloat16 autocast (0.88 s instead of 1.19 s per iteration of
#: 16 on 2 cores): 600 iterations in about the time of the config's 450
AMP_EPOCHS = 4


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--config', default=DEFAULT_CONFIG)
    parser.add_argument('--work-dir', default='outputs/quickstart')
    parser.add_argument('--data-root', default='data/synthetic_interhand')
    parser.add_argument('--num-train', type=int, default=2400)
    parser.add_argument('--num-test', type=int, default=300)
    parser.add_argument('--img-size', type=int, nargs=2, default=(256, 256))
    parser.add_argument(
        '--epochs',
        type=int,
        default=None,
        help='default: the config\'s (3), or 4 with bfloat16 mixed precision '
        '(--amp), whose cheaper iterations fit one more epoch in about the '
        'same time')
    parser.add_argument(
        '--facing-camera-tilt',
        type=float,
        default=30.,
        help='render the palm towards the camera, tilted by at most this '
        '(degrees); a negative value gives the full dome distribution')
    parser.add_argument(
        '--poses',
        choices=('gestures', 'free'),
        default='gestures',
        help='articulations: one gesture per sequence and hand, as '
        'InterHand2.6M is recorded (default), or a new free articulation '
        'in every frame')
    parser.add_argument(
        '--amp',
        choices=('auto', 'on', 'off'),
        default='auto',
        help='bfloat16 mixed precision on the CPU (CPUAmpOptimWrapper); '
        'auto: on when training on a CPU with native bfloat16 support')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, key=value')
    return parser.parse_args()


def make_data(args):
    """Write the synthetic set unless the same one is already there."""
    from a2jt_mmpose.datasets.synthetic import generate_interhand
    settings = dict(
        num_train=args.num_train,
        num_test=args.num_test,
        img_size=list(args.img_size),
        facing_camera_tilt=args.facing_camera_tilt,
        poses=args.poses,
        seed=args.seed,
        # bumped whenever the generator's distribution changes, so an old
        # set is rendered again instead of reused
        generator_version=3)
    marker = osp.join(args.data_root, 'quickstart_settings.json')
    if osp.isfile(marker):
        with open(marker) as f:
            if json.load(f) == settings:
                print(f'[quickstart] reusing the synthetic set in '
                      f'{args.data_root}')
                return
        # a set this script made with other settings: drop its images, so
        # that files of the old sequences do not pile up next to the new
        print(f'[quickstart] {args.data_root} holds a set made with other '
              'settings; rendering it again')
        os.remove(marker)
        for sub in ('images', 'annotations'):
            shutil.rmtree(osp.join(args.data_root, sub), ignore_errors=True)
    t0 = time.time()
    for split, num in (('train', args.num_train), ('test', args.num_test)):

        def progress(done, total, split=split):
            if done == total or done % 250 == 0:
                print(f'\r[quickstart] rendering {split}: {done}/{total}',
                      end='' if done < total else '\n', flush=True)

        generate_interhand(
            args.data_root,
            split=split,
            num_images=num,
            seed=args.seed + (0 if split == 'train' else 1),
            img_size=tuple(args.img_size),
            workers=2,
            facing_camera_tilt=(args.facing_camera_tilt
                                if args.facing_camera_tilt >= 0 else None),
            poses=args.poses,
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
        print('[quickstart] --amp on: this CPU has no native bfloat16, '
              'training will be slow')
    return mode == 'on' or supported


def build_cfg(args):
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.work_dir = args.work_dir
    cfg.randomness = dict(seed=args.seed)
    epochs = args.epochs
    if use_cpu_amp(args.amp):
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
        cfg[f'{split}_dataloader'].dataset.data_root = args.data_root
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


def root_relative(cam):
    """``(N, 42, 3)`` camera coordinates -> each hand relative to its root."""
    rel = cam.copy()
    rel[:, :21] -= cam[:, 20:21]
    rel[:, 21:] -= cam[:, 41:42]
    return rel


def mean_pose_baseline(train_ds, test_ds):
    """MPJPE of predicting the mean root-relative training pose."""
    from a2jt_mmpose.evaluation.metrics.interhand_mpjpe_metric import \
        per_joint_mean

    def collect(ds):
        cams, masks, inter = [], [], []
        for i in range(len(ds)):
            info = ds.get_data_info(i)
            cams.append(info['keypoints_cam'][0])
            masks.append(info['keypoints_visible'][0] > 0)
            inter.append(bool(np.asarray(info['hand_type']).all()))
        return (root_relative(np.stack(cams)), np.stack(masks),
                np.array(inter))

    train_rel, train_mask, _ = collect(train_ds)
    counts = np.maximum(train_mask.sum(0), 1)[:, None]
    mean_pose = np.where(train_mask[..., None], train_rel, 0).sum(0) / counts
    test_rel, test_mask, test_inter = collect(test_ds)
    error = np.linalg.norm(test_rel - mean_pose[None], axis=-1)
    return {
        'MPJPE_all': per_joint_mean(error, test_mask),
        'MPJPE_single': per_joint_mean(error, test_mask & ~test_inter[:, None]),
        'MPJPE_interacting': per_joint_mean(error,
                                            test_mask & test_inter[:, None]),
    }


SKELETON = [(20, 3), (3, 2), (2, 1), (1, 0), (20, 7), (7, 6), (6, 5), (5, 4),
            (20, 11), (11, 10), (10, 9), (9, 8), (20, 15), (15, 14),
            (14, 13), (13, 12), (20, 19), (19, 18), (18, 17), (17, 16)]


def draw(img, kpts, visible, colour):
    for offset in (0, 21):
        for a, b in SKELETON:
            a, b = a + offset, b + offset
            if visible[a] and visible[b]:
                cv2.line(img, tuple(int(v) for v in kpts[a, :2]),
                         tuple(int(v) for v in kpts[b, :2]), colour, 1,
                         cv2.LINE_AA)
        for j in range(offset, offset + 21):
            if visible[j]:
                cv2.circle(img, tuple(int(v) for v in kpts[j, :2]), 2, colour,
                           -1, cv2.LINE_AA)


def save_picture(results, test_ds, path, num=8):
    index = {
        test_ds.get_data_info(i)['img_path']: i
        for i in range(len(test_ds))
    }
    tiles = []
    for sample in results:
        if len(tiles) == num:
            break
        info = test_ds.get_data_info(index[sample.img_path])
        vis = info['keypoints_visible'][0] > 0
        if not vis.any():
            # no scored joint (e.g. the wrist, the root, cut by the image
            # border invalidates its whole hand): nothing to compare
            continue
        img = cv2.imread(sample.img_path)
        draw(img, info['keypoints'][0], vis, (0, 200, 0))
        pred = sample.pred_instances.keypoints[0]
        draw(img, pred, vis, (0, 0, 255))
        tiles.append(cv2.resize(img, (256, 256)))
    if not tiles:
        print('[quickstart] no test image with a scored joint to draw')
        return
    while len(tiles) % 4:
        tiles.append(np.zeros_like(tiles[0]))
    rows = [np.concatenate(tiles[i:i + 4], 1) for i in range(0, len(tiles), 4)]
    canvas = np.concatenate(rows, 0)
    cv2.putText(canvas, 'green: ground truth   red: A2J-Transformer',
                (8, canvas.shape[0] - 10), cv2.FONT_HERSHEY_SIMPLEX, 0.6,
                (255, 255, 255), 2, cv2.LINE_AA)
    cv2.imwrite(path, canvas)


def main():
    args = parse_args()
    t_start = time.time()
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    sys.path.insert(0, REPO_ROOT)
    import a2jt_mmpose  # noqa: F401  (registers the components)
    make_data(args)

    cfg = build_cfg(args)
    runner = Runner.from_cfg(cfg)
    t_train = time.time()
    runner.train()
    train_s = time.time() - t_train

    # held-out evaluation, keeping the predictions for the picture
    from a2jt_mmpose.evaluation.metrics import InterHandMPJPEMetric
    model = runner.model.eval()
    loader = runner.build_dataloader(cfg.test_dataloader)
    metric = InterHandMPJPEMetric()
    results = []
    with torch.no_grad():
        for batch in loader:
            outputs = model.test_step(batch)
            metric.process(batch, [o.to_dict() for o in outputs])
            results.extend(outputs)
    ours = metric.compute_metrics(metric.results)

    train_ds = runner.train_dataloader.dataset
    test_ds = loader.dataset
    baseline = mean_pose_baseline(train_ds, test_ds)

    os.makedirs(args.work_dir, exist_ok=True)
    picture = osp.join(args.work_dir, 'predictions.png')
    save_picture(results, test_ds, picture)
    total_s = time.time() - t_start

    print('\n[quickstart] held-out synthetic test set: '
          f'{len(test_ds)} images, MPJPE in mm (root-aligned)')
    print(f'{"":24s}{"all":>10s}{"single":>10s}{"interacting":>13s}')
    for name, res in (('A2J-Transformer (tiny)', ours),
                      ('mean-pose baseline', baseline)):
        print(f'{name:24s}{res["MPJPE_all"]:10.2f}{res["MPJPE_single"]:10.2f}'
              f'{res["MPJPE_interacting"]:13.2f}')
    ratio = ours['MPJPE_all'] / baseline['MPJPE_all']
    print(f'ratio to the baseline: {ratio:.3f} (target <= 0.3); training '
          f'{train_s / 60:.1f} min, total {total_s / 60:.1f} min')
    print(f'picture: {picture}')
    with open(osp.join(args.work_dir, 'quickstart_result.json'), 'w') as f:
        json.dump(
            dict(
                model={k: float(v) for k, v in ours.items()},
                mean_pose_baseline=baseline,
                ratio=ratio,
                train_seconds=train_s,
                total_seconds=total_s,
                config=args.config,
                epochs=cfg.train_cfg.max_epochs,
                optim_wrapper=cfg.optim_wrapper.get('type', 'OptimWrapper'),
                poses=args.poses,
                num_train=args.num_train,
                num_test=args.num_test),
            f,
            indent=2)


if __name__ == '__main__':
    main()
