# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import numpy as np
from mmcv.transforms import BaseTransform
from mmpose.registry import TRANSFORMS


@TRANSFORMS.register_module()
class DepthToChannels(BaseTransform):
    """Replicate the one depth channel: ``(h, w)`` -> ``(h, w, C)`` float32
    (officially C = 3 so that the ImageNet ResNet is unchanged).

    Args:
        num_channels (int): Default 3.
    """

    def __init__(self, num_channels: int = 3) -> None:
        self.num_channels = int(num_channels)

    def transform(self, results: dict) -> dict:
        img = np.asarray(results['img'], np.float32)
        if img.ndim == 3:
            img = img[..., 0]
        results['img'] = np.ascontiguousarray(
            np.repeat(img[..., None], self.num_channels, axis=2))
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(num_channels={self.num_channels})'
