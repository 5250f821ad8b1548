# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""3D two-hand pose with A2J-Transformer on images, folders or videos.

    python tools/demo.py INPUT [--config CONFIG] [--checkpoint CKPT]
        [--out-dir outputs/demo] [--device cpu] [--bboxes x1 y1 x2 y2]

``INPUT`` is an image, a folder of images or a video. Through mmpose's
``MMPoseInferencer`` (-> ``Hand3DInferencer``) every frame gets 42 x 3
keypoints; ``<out-dir>/visualizations`` holds the 2-D overlay + 3-D skeleton
pictures (videos for video input) and ``<out-dir>/predictions`` one json per
image. Without ``--checkpoint`` the model has random weights (a smoke run).
An input that does not decode (an empty or non-image file, a broken video)
is reported by name and skipped; the others are processed, and the exit
status is then non-zero.
The whole image is the hand box unless ``--bboxes`` gives one.

With the hand-type head (the InterHand config) every frame also prints which
hands are present with their probabilities; the joints of an absent hand get
score 0 in the json and are not drawn. Without it (``..._official-heads.py``,
the paper model) both hands are reported and the left root is placed at the
right root's depth.
"""
import argparse
import os
import os.path as osp
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEFAULT_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'hand_3d_keypoint', 'a2j_transformer',
    'interhand3d', 'a2jt_res50-dc5_1xb12-42e_interhand3d-256x256.py')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('input', help='image, folder of images or video')
    parser.add_argument('--config', default=DEFAULT_CONFIG)
    parser.add_argument('--checkpoint', default=None)
    parser.add_argument('--out-dir', default='outputs/demo')
    parser.add_argument('--device', default='cpu')
    parser.add_argument(
        '--bboxes',
        type=float,
        nargs=4,
        default=None,
        metavar=('X1', 'Y1', 'X2', 'Y2'),
        help='hand box in pixels (default: the whole image)')
    parser.add_argument(
        '--no-progress', action='store_true', help='no progress bar')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if not osp.exists(args.input):
        sys.exit(f'input "{args.input}" does not exist')
    if 'hand3d' not in osp.basename(args.config):
        sys.exit('MMPoseInferencer picks its 3D hand inferencer by "hand3d" '
                 f'in the config name; "{args.config}" has none')
    inputs, failed = readable_inputs(args.input)
    if not inputs:
        sys.exit(f'no readable image or video in "{args.input}": ' +
                 ('; '.join(failed) or 'none found'))
    from mmpose.apis import MMPoseInferencer
    inferencer = MMPoseInferencer(
        pose3d=args.config,
        pose3d_weights=args.checkpoint,
        device=args.device,
        show_progress=not args.no_progress)
    call_args = dict(out_dir=args.out_dir)
    if args.bboxes is not None:
        call_args['bboxes'] = SameBoxForEveryInput(args.bboxes)
    samples = keep_data_samples(inferencer.inferencer)
    count = 0
    for path in inputs:
        for _ in inferencer(path, **call_args):
            count += 1
            for sample in samples:
                print(f'frame {count}: '
                      f'{describe_hands(sample.pred_instances)}')
    print(f'{count} result(s) in {args.out_dir}/visualizations and '
          f'{args.out_dir}/predictions')
    if failed:
        sys.exit(f'{len(failed)} input(s) could not be read and were '
                 f'skipped: ' + '; '.join(failed))


def readable_inputs(path: str):
    """The images / videos of ``path`` (a file or a folder, in name order,
    as mmpose's inferencer lists them) that decode, and a message for each
    one that does not (an empty file, a text file named .jpg, a broken
    video): those are reported, not passed to mmpose, whose error would not
    name them and would drop the files after them."""
    import mimetypes

    import cv2
    names = sorted(os.listdir(path)) if osp.isdir(path) else [path]
    files = [osp.join(path, n) if osp.isdir(path) else n for n in names]
    inputs, failed = [], []
    for file in files:
        kind = (mimetypes.guess_type(file)[0] or '').split('/')[0]
        if kind not in ('image', 'video'):
            if not osp.isdir(path):
                failed.append(f'"{file}": neither an image nor a video')
            continue
        if kind == 'image':
            ok = osp.getsize(file) > 0 and cv2.imread(file) is not None
        else:
            cap = cv2.VideoCapture(file)
            ok = cap.isOpened() and cap.read()[0]
            cap.release()
        if ok:
            inputs.append(file)
        else:
            failed.append(f'"{file}": cannot be decoded as {kind}')
            print(f'skipped {file}: cannot be decoded as {kind}',
                  file=sys.stderr)
    return inputs, failed


class SameBoxForEveryInput:
    """``bboxes`` for mmpose's inferencers: one hand box for every image of
    a folder or frame of a video.

    mmpose indexes ``bboxes`` by the input's position (``bboxes[i]``) and
    its 3D hand inferencer reads each box as ``(x1, y1, x2, y2, score)``
    rows of an array, so a plain ``[[x1, y1, x2, y2]]`` fails (a list has no
    ``[None, :4]``) and would cover the first input only.

    Args:
        box (Sequence[float]): ``(x1, y1, x2, y2)`` in pixels.
    """

    def __init__(self, box) -> None:
        import numpy as np
        box = np.asarray(box, np.float32).reshape(-1)
        if box.shape != (4, ) or not np.isfinite(box).all() or \
                box[2] <= box[0] or box[3] <= box[1]:
            raise ValueError(f'--bboxes needs x1 y1 x2 y2 with x2 > x1 and '
                             f'y2 > y1, got {box.tolist()}')
        self.rows = np.concatenate([box, [1.]])[None].astype(np.float32)

    def __bool__(self) -> bool:
        return True

    def __getitem__(self, index: int):
        return self.rows


def keep_data_samples(inferencer) -> list:
    """Keep the model's data samples of the latest frame (their
    ``pred_instances`` hold ``hand_type``, ``hand_type_scores`` and
    ``rel_root_depth``, which the json predictions leave out)."""
    samples = []
    forward = inferencer.forward

    def forward_and_keep(*args, **kwargs):
        samples[:] = forward(*args, **kwargs)
        return samples

    inferencer.forward = forward_and_keep
    return samples


def describe_hands(pred_instances) -> str:
    """E.g. ``right (p=0.97); left absent (p=0.02); left root +35 mm``."""
    import numpy as np
    parts = []
    for i in range(len(pred_instances)):
        flag = pred_instances.get('hand_type_predicted')
        if flag is None or not flag[i]:
            text = 'right, left (hand type not predicted: both assumed)'
        else:
            text = '; '.join(
                f'{name}{"" if present else " absent"} (p={prob:.2f})'
                for name, present, prob in zip(
                    ('right', 'left'), pred_instances.hand_type[i],
                    pred_instances.hand_type_scores[i]))
        flag = pred_instances.get('rel_root_depth_predicted')
        if flag is not None and flag[i]:
            depth = np.asarray(pred_instances.rel_root_depth).reshape(-1)[i]
            text += f'; left root {float(depth):+.0f} mm (depth vs right)'
        parts.append(text)
    return ' | '.join(parts)


if __name__ == '__main__':
    main()
