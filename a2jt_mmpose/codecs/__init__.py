# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from .a2j_interhand_codec import A2JInterHandCodec

__all__ = ['A2JInterHandCodec']
