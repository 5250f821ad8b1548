# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""3D two-hand pose on images, folders or videos through mmpose's
``MMPoseInferencer`` (``tools/demo.py`` is the command line)."""
import os.path as osp
import sys
from typing import List, Optional, Sequence, Tuple

from ..models.utils.precision import check_precision
from .hand_report import describe_hands, keep_data_samples
from .inputs import SameBoxForEveryInput, readable_inputs
from .precision import set_inference_precision


def run_demo(inputs: str,
             config: str,
             checkpoint: Optional[str] = None,
             out_dir: str = 'outputs/demo',
             device: str = 'cpu',
             bboxes: Optional[Sequence[float]] = None,
             show_progress: bool = True,
             precision: str = 'fp32') -> Tuple[int, List[str]]:
    """Run the inferencer on every readable input and save its pictures and
    json predictions under ``out_dir``; print one line per frame saying
    which hands are present (with the hand-type head).

    Args:
        inputs (str): an image, a folder of images or a video.
        config (str): a config whose name holds ``hand3d`` (mmpose picks
            its 3D hand inferencer by that).
        checkpoint (str, optional): weights; random without.
        out_dir (str): ``visualizations/`` and ``predictions/`` go there.
        device (str): e.g. ``'cpu'``.
        bboxes (Sequence[float], optional): one hand box ``(x1, y1, x2,
            y2)`` px for every input (default: the whole image).
        show_progress (bool): mmpose's progress bar.
        precision (str): ``'fp32'`` or ``'bf16'`` (the model's
            ``test_cfg.precision``, :func:`set_inference_precision`).

    Returns:
        tuple: the number of results (frames) and one message per input
        that could not be read (reported on stderr and skipped).

    Raises:
        FileNotFoundError: ``inputs`` does not exist.
        ValueError: an unknown precision, the config name has no
            ``hand3d``, or nothing in ``inputs`` can be read (checked
            before the model is built).
    """
    check_precision(precision, 'precision')
    if not osp.exists(inputs):
        raise FileNotFoundError(f'input "{inputs}" does not exist')
    if 'hand3d' not in osp.basename(config):
        raise ValueError('MMPoseInferencer picks its 3D hand inferencer by '
                         f'"hand3d" in the config name; "{config}" has none')
    readable, failed = readable_inputs(inputs)
    for reason in failed:
        print(f'skipped {reason}', file=sys.stderr)
    if not readable:
        raise ValueError(f'no readable image or video in "{inputs}": ' +
                         ('; '.join(failed) or 'none found'))
    from mmpose.apis import MMPoseInferencer
    inferencer = MMPoseInferencer(
        pose3d=config,
        pose3d_weights=checkpoint,
        device=device,
        show_progress=show_progress)
    set_inference_precision(inferencer, precision)
    call_args = dict(out_dir=out_dir)
    if bboxes is not None:
        call_args['bboxes'] = SameBoxForEveryInput(bboxes)
    samples = keep_data_samples(inferencer.inferencer)
    count = 0
    for path in readable:
        for _ in inferencer(path, **call_args):
            count += 1
            for sample in samples:
                print(f'frame {count}: '
                      f'{describe_hands(sample.pred_instances)}')
    print(f'{count} result(s) in {out_dir}/visualizations and '
          f'{out_dir}/predictions')
    return count, failed
