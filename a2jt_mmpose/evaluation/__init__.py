# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from .metrics import *  # noqa: F401,F403
