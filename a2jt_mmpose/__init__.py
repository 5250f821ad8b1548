# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""A2J-Transformer as an mmpose 1.x plugin.

Importing the package registers every component into mmpose's registries
(``custom_imports = dict(imports=['a2jt_mmpose'])`` in a config does this)
and makes mmengine load checkpoints on torch >= 2.6 (see
:mod:`a2jt_mmpose.engine.checkpoint_loading`).
"""
from . import (codecs, datasets, engine, evaluation, models, utils,  # noqa: F401
               visualization)
from .version import __version__

__all__ = ['__version__']
