# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger
from mmpose.registry import METRICS

from .depth_hand_mpjpe_metric import depth_prediction_to_xyz


@METRICS.register_module()
class Hands2017ResultExporter(BaseMetric):
    """Write predictions in the HANDS 2017 challenge text format.

    The test labels are not public; the challenge server takes one line per
    frame: the frame name, then the 21 joints' camera ``x, y, z`` in mm (63
    numbers, BigHand joint order, the same frame as
    ``Training_Annotation.txt``), separated by tabs; values are written with
    4 decimals. Lines follow the dataset order (``img_id``) whatever the
    evaluation order.

    Reports ``num_exported`` (the number of frames written).

    Args:
        outfile_path (str): the text file to write (folders are created).
        collect_device (str): 'cpu' or 'gpu'.
        prefix (str, optional): prefix of the metric names.
    """

    default_prefix: Optional[str] = None

    def __init__(self, outfile_path: str = 'hands2017_results.txt',
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.outfile_path = outfile_path

    def process(self, data_batch: Sequence[dict],
                data_samples: Sequence[dict]) -> None:
        for data_sample in data_samples:
            xyz = depth_prediction_to_xyz(data_sample)[0]
            name = data_sample.get('frame_name') or osp.basename(
                data_sample['img_path'])
            self.results.append(
                dict(img_id=int(data_sample['img_id']), name=name, xyz=xyz))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        results = sorted(results, key=lambda r: r['img_id'])
        write_hands2017_results(self.outfile_path,
                                [r['name'] for r in results],
                                np.stack([r['xyz'] for r in results]))
        MMLogger.get_current_instance().info(
            f'wrote {len(results)} HANDS 2017 predictions to '
            f'{self.outfile_path}')
        return dict(num_exported=len(results))


def write_hands2017_results(path: str, names: Sequence[str],
                            xyz: np.ndarray) -> None:
    """Write ``(N, 21, 3)`` camera mm as ``name\\tx\\ty\\tz...`` lines."""
    xyz = np.asarray(xyz, dtype=np.float64).reshape(len(names), -1)
    if xyz.shape[1] != 63:
        raise ValueError(f'HANDS 2017 needs 21 x 3 values, got {xyz.shape}')
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    with open(path, 'w') as f:
        for name, row in zip(names, xyz):
            f.write(name + '\t' + '\t'.join(f'{v:.4f}' for v in row) + '\n')
