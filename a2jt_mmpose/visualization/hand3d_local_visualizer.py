# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import numpy as np
from mmpose.registry import VISUALIZERS
from mmpose.visualization import Pose3dLocalVisualizer


@VISUALIZERS.register_module()
class Hand3DLocalVisualizer(Pose3dLocalVisualizer):
    """mmpose's ``Pose3dLocalVisualizer`` (2-D overlay + 3-D skeleton plot)
    that also runs with numpy 2.

    mmpose 1.3.2 draws each 2-D keypoint with ``radius=np.array([r])`` and
    its OpenCV backend converts it with ``int(radius)``, which numpy 2 refuses
    for 1-element arrays ("only 0-dimensional arrays can be converted").
    This class passes single radii on as scalars; everything else is the
    parent's (it still needs matplotlib < 3.10 for the 3-D plot).
    """

    def draw_circles(self, center, radius, *args, **kwargs):
        radius = np.asarray(radius)
        if radius.size == 1:
            radius = radius.reshape(()).item()
        return super().draw_circles(center, radius, *args, **kwargs)
