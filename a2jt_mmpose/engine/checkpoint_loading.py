# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Checkpoint loading that never runs code from the file.

mmengine 0.10.7 calls ``torch.load(filename, map_location)``. Since torch 2.6
that means ``weights_only=True``, and mmengine's own checkpoints (numpy
arrays in ``meta``, ``HistoryBuffer`` in ``message_hub``) are refused, which
breaks ``resume``, ``load_from``, ``init_model`` and the inferencers.

Importing ``a2jt_mmpose`` (every config of this project does so through
``custom_imports``) registers :func:`load_from_local` as mmengine's loader for
local paths (``mim test -C``, ``--resume``, ``load_from``, ``init_model``,
the inferencers). It loads torch's zip checkpoints in two guarded steps:

1. every global named by the archive's pickle is checked against
   :data:`CHECKPOINT_GLOBALS` *before* anything is unpickled: torch's tensor
   and storage types and rebuild functions, numpy arrays / scalars / dtypes,
   ``OrderedDict``, ``bytes`` and mmengine's ``HistoryBuffer``. Refused, with
   the file and the global named: ``builtins`` callables such as ``exec``,
   ``eval`` or ``getattr`` used on anything but ``HistoryBuffer``'s
   statistics methods (``getattr(getattr, '__self__')`` reaches
   ``builtins``), torch's ``_rebuild_from_type_v2`` (it calls a ``func``
   the file chooses), and any other module's global;
2. torch's ``weights_only`` unpickler, with the same allowlist, builds the
   objects; ``getattr`` is replaced by :func:`_history_buffer_getattr`.

A file that is no torch zip archive (random bytes, a truncated download,
torch's pre-1.6 format) gets its own message. ``A2JT_TRUST_CHECKPOINTS=1`` in
the environment loads fully trusted files with ``weights_only=False``
instead (it runs the file's code: only for files you made yourself).
"""
import os
import os.path as osp
import pickle
import threading
import zipfile

import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader
from torch._weights_only_unpickler import _get_allowed_globals

from ..utils.safe_pickle import (NUMPY_GLOBALS, UnsafePickleError,
                                 check_pickle_globals)

TRUST_ENV = 'A2JT_TRUST_CHECKPOINTS'
# torch's safe_globals() edits one process-wide set: two threads loading at
# once would remove each other's entries
_LOAD_LOCK = threading.Lock()

#: torch's own weights_only globals, less the one that calls a function the
#: file chooses
_TORCH_GLOBALS = set(_get_allowed_globals()) - {
    'torch._tensor._rebuild_from_type_v2'
}
_HISTORY_BUFFER = f'{HistoryBuffer.__module__}.{HistoryBuffer.__name__}'
#: every global a checkpoint may name
CHECKPOINT_GLOBALS = frozenset(_TORCH_GLOBALS | NUMPY_GLOBALS | {
    'builtins.bytes', 'builtins.getattr', _HISTORY_BUFFER
})


def _history_buffer_getattr(obj, name):
    """The only ``getattr`` a checkpoint may call: a ``HistoryBuffer``
    pickles its statistics methods as ``getattr(HistoryBuffer, 'mean')``."""
    # HistoryBuffer's own statistics (registered in _statistics_methods only
    # once a buffer has been made) and any registered since
    methods = {'min', 'max', 'current', 'mean'} | set(
        HistoryBuffer._statistics_methods)
    if obj is HistoryBuffer and isinstance(name, str) and name in methods:
        return getattr(obj, name)
    raise UnsafePickleError(
        f'the global "builtins.getattr" is allowed only as getattr('
        f'HistoryBuffer, <statistics method>), not as getattr(<'
        f'{type(obj).__name__} object>, {name!r})')


def _safe_globals() -> list:
    """Globals torch's unpickler does not allow itself."""
    import numpy as np
    try:
        from numpy._core.multiarray import _reconstruct, scalar
    except ImportError:  # numpy < 2
        from numpy.core.multiarray import _reconstruct, scalar
    found = [(f, f'{m}.{n}') for m in ('numpy._core.multiarray',
                                       'numpy.core.multiarray')
             for n, f in (('_reconstruct', _reconstruct), ('scalar', scalar))]
    # the dtype classes (numpy.dtypes.Float64DType, ...) receive BUILD
    # (their state), they are never named as globals
    dtype_classes = [type(np.dtype(t)) for t in (
        np.float16, np.float32, np.float64, np.int8, np.int16, np.int32,
        np.int64, np.uint8, np.uint16, np.uint32, np.uint64, np.bool_,
        np.str_, np.bytes_, np.complex64, np.complex128)]
    return found + dtype_classes + [
        (np.ndarray, 'numpy.ndarray'), (np.dtype, 'numpy.dtype'),
        (bytes, 'builtins.bytes'), (HistoryBuffer, _HISTORY_BUFFER),
        (_history_buffer_getattr, 'builtins.getattr')]


def check_checkpoint_file(filename: str) -> None:
    """Refuse a file that is no torch zip checkpoint, or whose pickle names
    a global outside :data:`CHECKPOINT_GLOBALS`; nothing is unpickled.

    Raises:
        RuntimeError: not a (complete) torch zip archive.
        UnsafePickleError: a refused global (named in the message).
    """
    size = osp.getsize(filename)
    if not zipfile.is_zipfile(filename):
        raise RuntimeError(
            f'checkpoint "{filename}" ({size} bytes) is not a complete '
            f'PyTorch checkpoint: no zip archive (truncated, corrupt, not a '
            f'checkpoint, or torch\'s pre-1.6 format)')
    try:
        with zipfile.ZipFile(filename) as archive:
            pickles = [n for n in archive.namelist() if n.endswith('.pkl')]
            if not pickles:
                raise RuntimeError(f'checkpoint "{filename}" ({size} bytes) '
                                   f'is a zip archive without a pickle: not '
                                   f'a PyTorch checkpoint')
            for name in pickles:
                check_pickle_globals(archive.read(name), CHECKPOINT_GLOBALS,
                                     f'checkpoint "{filename}" ({name})')
    except (zipfile.BadZipFile, EOFError, OSError) as e:
        raise RuntimeError(f'checkpoint "{filename}" ({size} bytes) is '
                           f'truncated or corrupt: {e}') from e


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
    if os.environ.get(TRUST_ENV, '0') not in ('', '0', 'false'):
        return torch.load(
            filename, map_location=map_location, weights_only=False)
    try:
        check_checkpoint_file(filename)
    except UnsafePickleError as e:
        raise UnsafePickleError(
            f'{e}. If you made the file yourself and trust it, set '
            f'{TRUST_ENV}=1 to load it fully.') from None
    try:
        with _LOAD_LOCK, torch.serialization.safe_globals(_safe_globals()):
            return torch.load(
                filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as e:
        # torch wraps the reason in a long text: keep the reason
        lines = str(e).splitlines()
        marker = [i for i, line in enumerate(lines)
                  if 'WeightsUnpickler error' in line]
        reason = next((line for line in lines[marker[0] + 1:] if line.strip()),
                      lines[0]) if marker else lines[0]
        raise UnsafePickleError(
            f'checkpoint "{filename}" holds objects outside the data types '
            f'this package loads: {reason.strip()}. If you made the file '
            f'yourself and trust it, set {TRUST_ENV}=1 to load it '
            f'fully.') from e
    except (RuntimeError, EOFError, ValueError) as e:
        raise RuntimeError(
            f'checkpoint "{filename}" ({os.path.getsize(filename)} bytes) is '
            f'truncated or corrupt: {e}') from e


def register_checkpoint_loader() -> None:
    """Make :func:`load_from_local` mmengine's loader for local paths."""
    CheckpointLoader.register_scheme(prefixes='', force=True)(load_from_local)
