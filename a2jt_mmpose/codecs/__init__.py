# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from .a2j_interhand_codec import A2JInterHandCodec
from .a2j_depth_codec import A2JDepthCodec

__all__ = ['A2JInterHandCodec', 'A2JDepthCodec']
