# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from .cli import add_runner_args, apply_runner_args
from .cpu_distributed import setup_cpu_distributed
from .safe_pickle import (UnsafePickleError, check_pickle_globals,
                          load_data_pickle)

__all__ = [
    'add_runner_args', 'apply_runner_args', 'setup_cpu_distributed',
    'UnsafePickleError', 'check_pickle_globals', 'load_data_pickle'
]
