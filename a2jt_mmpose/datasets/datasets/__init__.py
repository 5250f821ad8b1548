# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from .hand3d import *  # noqa: F401,F403
