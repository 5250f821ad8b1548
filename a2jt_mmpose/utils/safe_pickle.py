# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Unpickling that cannot run code chosen by the file.

A pickle is a program: ``REDUCE`` calls whatever callable the file named
with ``GLOBAL``. Two guards, both allowlists of *data constructors* (none of
which calls a function the file chooses):

- :func:`load_data_pickle` for annotation pickles (RHD's ``anno_*.pickle``):
  Python's unpickler whose ``find_class`` returns only the constructors of
  sets, bytes, complex numbers and numpy arrays / scalars / dtypes (dicts,
  lists, tuples, numbers and strings need no global).
- :func:`check_pickle_globals` for the ``data.pkl`` of a torch checkpoint,
  run before torch's own ``weights_only`` unpickler (see
  :mod:`a2jt_mmpose.engine.checkpoint_loading`): it refuses every global
  outside a list, e.g. ``builtins.getattr`` / ``exec`` and torch's
  ``_rebuild_from_type_v2`` (which calls a ``func`` the file chooses).

Refusals raise :class:`UnsafePickleError` naming the file and the global.
"""
import io
import pickle
import pickletools
from _compat_pickle import IMPORT_MAPPING, NAME_MAPPING
from typing import Any, Iterable, List

#: numpy's pickle constructors (numpy 2 ``numpy._core``, numpy 1
#: ``numpy.core``) and classes: they rebuild arrays, scalars and dtypes from
#: plain data
NUMPY_GLOBALS = {
    f'{core}.multiarray.{name}'
    for core in ('numpy._core', 'numpy.core')
    for name in ('_reconstruct', 'scalar')
} | {'numpy.ndarray', 'numpy.dtype'}

#: globals of annotation pickles
DATA_GLOBALS = NUMPY_GLOBALS | {
    'collections.OrderedDict',
    '_codecs.encode',  # protocol 2 writes bytes as encode(str, 'latin1')
    'builtins.bytes',
    'builtins.bytearray',
    'builtins.set',
    'builtins.frozenset',
    'builtins.complex',
}


class UnsafePickleError(pickle.UnpicklingError):
    """A pickle names a global outside the allowlist (nothing was run)."""


def full_name(module: str, name: str) -> str:
    """``module.name`` with Python 2 names mapped as the unpickler does
    (``__builtin__`` -> ``builtins``, ``copy_reg`` -> ``copyreg``)."""
    if (module, name) in NAME_MAPPING:
        module, name = NAME_MAPPING[(module, name)]
    elif module in IMPORT_MAPPING:
        module = IMPORT_MAPPING[module]
    return f'{module}.{name}'


def pickle_globals(data: bytes, where: str) -> List[str]:
    """Every global a pickle refers to, without running it.

    Args:
        data (bytes): the pickle.
        where (str): the file, for the messages.

    Returns:
        list[str]: ``module.name`` of each ``GLOBAL`` opcode, in order.

    Raises:
        UnsafePickleError: for opcodes whose global cannot be read without
            running the pickle (``STACK_GLOBAL``, ``INST``, ``OBJ``), or a
            pickle that cannot be parsed.
    """
    names = []
    try:
        for op, arg, _ in pickletools.genops(data):
            if op.name == 'GLOBAL':
                module, name = arg.split(' ', 1)
                names.append(full_name(module, name))
            elif op.name in ('STACK_GLOBAL', 'INST', 'OBJ'):
                raise UnsafePickleError(
                    f'{where}: the pickle uses the {op.name} opcode, which '
                    f'loads a global this loader cannot check; refused')
    except UnsafePickleError:
        raise
    except Exception as e:  # not a pickle, truncated
        raise pickle.UnpicklingError(
            f'{where} is not a readable pickle: {e}') from e
    return names


def check_pickle_globals(data: bytes, allowed: Iterable[str],
                         where: str) -> None:
    """Raise :class:`UnsafePickleError` if ``data`` names a global outside
    ``allowed`` (see :func:`pickle_globals`)."""
    allowed = set(allowed)
    for name in pickle_globals(data, where):
        if name not in allowed:
            raise UnsafePickleError(
                f'{where} refers to the global "{name}", which is not a data '
                f'type this package loads; refused without running it')


class _DataUnpickler(pickle.Unpickler):

    def __init__(self, file, where: str) -> None:
        super().__init__(file)
        self.where = where

    def find_class(self, module: str, name: str) -> Any:
        path = full_name(module, name)
        if path not in DATA_GLOBALS:
            raise UnsafePickleError(
                f'{self.where} refers to the global "{path}", which is not a '
                f'data type (dict, list, number, string, numpy array); '
                f'refused without running it')
        return super().find_class(module, name)


def load_data_pickle(path: str) -> Any:
    """Load a pickle of plain data (see the module docstring).

    Args:
        path (str): a local file.

    Returns:
        The unpickled object.

    Raises:
        UnsafePickleError: the file names another global.
        pickle.UnpicklingError: the file is no (complete) pickle.
    """
    where = f'pickle "{path}"'
    with open(path, 'rb') as f:
        data = f.read()
    try:
        # find_class sees every global (GLOBAL, STACK_GLOBAL, INST, OBJ)
        # before it can be called
        return _DataUnpickler(io.BytesIO(data), where).load()
    except UnsafePickleError:
        raise
    except Exception as e:
        raise pickle.UnpicklingError(
            f'{where} is not a readable pickle: {e!r}') from e
