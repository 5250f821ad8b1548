# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""What the model says about the hands of a frame, beyond the keypoints."""
import numpy as np


def keep_data_samples(inferencer) -> list:
    """Keep the model's data samples of the latest frame.

    Their ``pred_instances`` hold ``hand_type``, ``hand_type_scores`` and
    ``rel_root_depth``, which mmpose's json predictions leave out.

    Args:
        inferencer: an mmpose inferencer (e.g. ``MMPoseInferencer(...)
            .inferencer``); its ``forward`` is wrapped.

    Returns:
        list: filled with the data samples of each forward pass.
    """
    samples = []
    forward = inferencer.forward

    def forward_and_keep(*args, **kwargs):
        samples[:] = forward(*args, **kwargs)
        return samples

    inferencer.forward = forward_and_keep
    return samples


def describe_hands(pred_instances) -> str:
    """One line per frame, e.g. ``right (p=0.97); left absent (p=0.02);
    left root +35 mm (depth vs right)``; instances are joined by ``|``.

    Args:
        pred_instances (InstanceData): with ``hand_type`` ``(N, 2)``,
            ``hand_type_scores`` ``(N, 2)``, ``rel_root_depth`` (mm) and
            the ``*_predicted`` flags the head sets.
    """
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
