# Copyright (c) a2jt_mmpose contributors. All rights reserved.
__version__ = '0.1.0'
