# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from .version import __version__

__all__ = ['__version__']
