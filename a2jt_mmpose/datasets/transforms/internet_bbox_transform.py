# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
from mmcv.transforms.utils import cache_randomness
from mmpose.datasets.transforms import RandomBBoxTransform, TopdownAffine
from mmpose.registry import TRANSFORMS


@TRANSFORMS.register_module()
class InterNetBBoxTransform(RandomBBoxTransform):
    """Box augmentation with the distributions of InterNet / the official
    A2J-Transformer (mmpose's ``RandomBBoxTransform`` draws all three from a
    truncated standard normal instead):

    - shift: uniform in ``[-shift_factor, shift_factor]`` per axis, times
      the side of the box as the crop will see it: the padded box enlarged
      to the input's aspect ratio (official 0.15 of the squared box; the
      official code squares the box before it shifts it, mmpose's
      ``TopdownAffine`` squares it only after this transform);
    - scale: ``1 + scale_sigma * clip(N(0, 1), -1, 1)`` (0.75 - 1.25);
    - rotation: with probability ``rotate_prob``,
      ``rotate_sigma * clip(N(0, 1), -rotate_clip, rotate_clip)`` degrees
      (official 45 deg, clip 2, p 0.6: +-90 deg).

    Required / modified keys as ``RandomBBoxTransform``: ``bbox_center``,
    ``bbox_scale`` (pixels, ``(N, 2)``) and ``bbox_rotation`` (degrees,
    ``(N,)``). ``bbox_scale`` keeps its aspect ratio (``TopdownAffine``
    fixes it).

    Args:
        input_size (Sequence[int]): network input ``(w, h)``, for the aspect
            ratio of the crop. Default (256, 256).
        shift_factor (float): see above. Default 0.15.
        scale_sigma (float): see above. Default 0.25.
        rotate_sigma (float): see above, degrees. Default 45.
        rotate_clip (float): see above. Default 2.
        rotate_prob (float): see above. Default 0.6.
    """

    def __init__(self,
                 input_size: Sequence[int] = (256, 256),
                 shift_factor: float = 0.15,
                 scale_sigma: float = 0.25,
                 rotate_sigma: float = 45.,
                 rotate_clip: float = 2.,
                 rotate_prob: float = 0.6) -> None:
        super().__init__(
            shift_factor=shift_factor,
            shift_prob=1.,
            scale_factor=(1. - scale_sigma, 1. + scale_sigma),
            scale_prob=1.,
            rotate_factor=rotate_sigma * rotate_clip,
            rotate_prob=rotate_prob)
        w, h = input_size
        if not (w > 0 and h > 0):
            raise ValueError('InterNetBBoxTransform.input_size must be '
                             f'(w, h) > 0, got {input_size}')
        self.aspect_ratio = w / h
        self.scale_sigma = scale_sigma
        self.rotate_sigma = rotate_sigma
        self.rotate_clip = rotate_clip

    @cache_randomness
    def _get_transform_params(
            self, num_bboxes: int) -> Tuple[np.ndarray, np.ndarray,
                                            np.ndarray]:
        offset = np.random.uniform(
            -self.shift_factor, self.shift_factor,
            size=(num_bboxes, 2)).astype(np.float32)
        scale = 1. + self.scale_sigma * np.clip(
            np.random.randn(num_bboxes, 1), -1., 1.)
        rotate = self.rotate_sigma * np.clip(
            np.random.randn(num_bboxes), -self.rotate_clip, self.rotate_clip)
        rotate = np.where(
            np.random.rand(num_bboxes) < self.rotate_prob, rotate, 0.)
        return offset, scale.astype(np.float32), rotate.astype(np.float32)

    def transform(self, results: Dict) -> Optional[dict]:
        """Shift, scale and rotate the boxes; see the class docstring."""
        bbox_scale = results['bbox_scale']
        offset, scale, rotate = self._get_transform_params(len(bbox_scale))
        crop_scale = TopdownAffine._fix_aspect_ratio(bbox_scale,
                                                     self.aspect_ratio)
        results['bbox_center'] = results['bbox_center'] + offset * crop_scale
        results['bbox_scale'] = bbox_scale * scale
        results['bbox_rotation'] = rotate
        return results
