# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from .interhand3d_dataset import CheckedInterHand3DDataset
from .rhd3d_dataset import Rhd3DDataset

__all__ = ['CheckedInterHand3DDataset', 'Rhd3DDataset']
