# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from .backbones import *  # noqa: F401,F403
from .heads import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .necks import *  # noqa: F401,F403
from .pose_estimators import *  # noqa: F401,F403
from .utils import generate_anchors  # noqa: F401
