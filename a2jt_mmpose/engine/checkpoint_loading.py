# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Checkpoint loading for mmengine 0.10.7 on torch >= 2.6.

mmengine 0.10.7 calls ``torch.load(filename, map_location)``. Since torch 2.6
that means ``weights_only=True``, and mmengine's own checkpoints (numpy
arrays in ``meta``, ``HistoryBuffer`` in ``message_hub``) are refused, which
breaks ``resume``, ``load_from``, ``init_model`` and the inferencers.

Importing ``a2jt_mmpose`` (every config of this project does so through
``custom_imports``) registers :func:`load_from_local` as mmengine's loader for
local paths. It keeps torch's safe loader and allows exactly the types that
mmengine / mmpose checkpoints contain; anything else is still refused, with a
message that names the file. ``A2JT_TRUST_CHECKPOINTS=1`` in the environment
loads fully trusted files with ``weights_only=False`` instead. Missing and
truncated files get a clear error.
"""
import collections
import os
import os.path as osp
import pickle

import numpy as np
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader

TRUST_ENV = 'A2JT_TRUST_CHECKPOINTS'


def _safe_globals() -> list:
    """Types found in mmengine checkpoints, besides tensors and builtins."""
    types = [HistoryBuffer, collections.OrderedDict, collections.defaultdict,
             np.ndarray, np.dtype, np.bool_]
    types += [type(np.dtype(t)) for t in (
        np.float16, np.float32, np.float64, np.int8, np.int16, np.int32,
        np.int64, np.uint8, np.uint16, np.uint32, np.uint64, np.bool_,
        np.str_, np.object_)]
    types += [np.float16, np.float32, np.float64, np.int8, np.int16,
              np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]
    try:
        from numpy._core.multiarray import _reconstruct, scalar
    except ImportError:  # numpy < 2
        from numpy.core.multiarray import _reconstruct, scalar
    # numpy scalars pickle through bytes and getattr; the safe unpickler still
    # only calls allow-listed functions, so getattr cannot reach e.g. os.system
    types += [_reconstruct, scalar, bytes, getattr]
    return types


def load_from_local(filename: str, map_location=None) -> dict:
    """Load a local checkpoint; see the module docstring.

    Args:
        filename (str): path of the checkpoint (``~`` is expanded).
        map_location: as for ``torch.load``.

    Returns:
        dict | OrderedDict: the loaded object.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint "{filename}" does not exist')
    trusted = os.environ.get(TRUST_ENV, '0') not in ('', '0', 'false')
    try:
        if trusted:
            return torch.load(
                filename, map_location=map_location, weights_only=False)
        with torch.serialization.safe_globals(_safe_globals()):
            return torch.load(
                filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as e:
        raise pickle.UnpicklingError(
            f'checkpoint "{filename}" holds objects outside the safe set '
            f'of mmengine checkpoints ({str(e).splitlines()[0]}). If you '
            f'trust the file, set {TRUST_ENV}=1 to load it fully.') from e
    except (RuntimeError, EOFError, ValueError) as e:
        msg = str(e)
        if isinstance(e, EOFError) or any(
                s in msg for s in ('PytorchStreamReader', 'zip archive',
                                   'central directory', 'Ran out of input',
                                   'invalid header')):
            raise RuntimeError(
                f'checkpoint "{filename}" is truncated or corrupt '
                f'({os.path.getsize(filename)} bytes): {msg}') from e
        raise


def register_checkpoint_loader() -> None:
    """Make :func:`load_from_local` mmengine's loader for local paths."""
    CheckpointLoader.register_scheme(prefixes='', force=True)(load_from_local)
