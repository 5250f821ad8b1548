# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from .interhand3d_dataset import CheckedInterHand3DDataset
from .rhd3d_dataset import Rhd3DDataset
from .hands2017_dataset import Hands2017Dataset
from .nyu_hand_dataset import NYUHandDataset

__all__ = [
    'CheckedInterHand3DDataset', 'Rhd3DDataset', 'Hands2017Dataset',
    'NYUHandDataset'
]
