# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""A2J-Transformer as an mmpose 1.x plugin.

Importing the package registers every component into mmpose's registries
(``custom_imports = dict(imports=['a2jt_mmpose'])`` in a config does this)
and makes mmengine load checkpoints on torch >= 2.6 (see
:mod:`a2jt_mmpose.engine.checkpoint_loading`) and mmpose's 3D hand
inferencer name an input that does not decode (see
:mod:`a2jt_mmpose.apis.inferencer_guard`).
"""
from . import (apis, codecs, datasets, engine, evaluation,  # noqa: F401
               models, utils, visualization)
from .version import __version__

__all__ = ['__version__']
