# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""``mmcv._ext`` of a lean mmcv: the multi-scale deformable attention ops
only (installed by ``tools/lean_mmcv/setup_env.py`` as ``mmcv/_ext.py``).

mmcv loads its compiled ops with ``ext_loader.load_ext('_ext', names)``,
which imports ``mmcv._ext`` and asserts ``hasattr`` for every name, and
``import mmcv.ops`` does so for every op of mmcv. This module gives the
real ``ms_deform_attn_forward`` / ``ms_deform_attn_backward`` from the
compiled sibling module ``mmcv._ext_msda`` (mmcv's own CUDA sources), and for
every other public name a callable that raises :class:`LeanMmcvOpError`
naming the op, so that ``import mmcv.ops`` works and a call of an op that
was not built fails with a clear message instead of a missing symbol.
"""
import importlib

#: the ops this lean build compiles
PROVIDED = ('ms_deform_attn_forward', 'ms_deform_attn_backward')
#: the compiled module that holds them (a sibling of this module)
COMPILED = '_ext_msda'

_compiled = importlib.import_module(
    __name__.rpartition('.')[0] + '.' +
    COMPILED if '.' in __name__ else COMPILED)
ms_deform_attn_forward = _compiled.ms_deform_attn_forward
ms_deform_attn_backward = _compiled.ms_deform_attn_backward


class LeanMmcvOpError(NotImplementedError):
    """An mmcv op that the lean ``mmcv._ext`` does not provide was called."""


class MissingOp:
    """Stands for an mmcv op that was not compiled; calling it raises."""

    def __init__(self, name: str) -> None:
        self.__name__ = self.name = name

    def __call__(self, *args, **kwargs):
        raise LeanMmcvOpError(
            f'mmcv._ext.{self.name}: this mmcv._ext is the lean build of '
            f'tools/lean_mmcv (only {", ".join(PROVIDED)} are compiled, '
            f'from mmcv\'s CUDA sources); {self.name} needs mmcv built with '
            f'all its ops (tools/install.sh)')

    def __repr__(self) -> str:
        return f'<mmcv._ext.{self.name}: not built (lean mmcv._ext)>'


def __getattr__(name: str):
    # private and dunder names (__path__, __wrapped__, ...) are looked up by
    # importlib and inspect: they do not exist here
    if name.startswith('_'):
        raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
    return MissingOp(name)
