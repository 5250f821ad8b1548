# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from .datasets import *  # noqa: F401,F403
from .transforms import *  # noqa: F401,F403
