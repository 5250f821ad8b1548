# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""tools/lean_mmcv (the GPU check's lean mmcv) without compiling: the
``mmcv._ext`` stub passes mmcv's import-time checks and names an op that was
not built; the setup helpers choose a toolkit and a prebuilt extension.
Compiling the extension takes minutes and is left to
``tools/lean_mmcv/setup_env.py`` (docs/device_check.md)."""
import importlib.util
import json
import os
import os.path as osp
import shutil
import subprocess
import sys

import pytest

from conftest import REPO_ROOT

LEAN = osp.join(REPO_ROOT, 'tools', 'lean_mmcv')
FAKE_COMPILED = '''
def ms_deform_attn_forward(*args, **kwargs):
    return 'forward'


def ms_deform_attn_backward(*args, **kwargs):
    return 'backward'
'''


def load_setup_env():
    spec = importlib.util.spec_from_file_location(
        'lean_mmcv_setup_env', osp.join(LEAN, 'setup_env.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def stub(tmp_path, monkeypatch):
    """The stub as ``fakemmcv._ext`` beside a fake compiled module."""
    pkg = tmp_path / 'fakemmcv'
    pkg.mkdir()
    (pkg / '__init__.py').write_text('')
    (pkg / '_ext_msda.py').write_text(FAKE_COMPILED)
    shutil.copy(osp.join(LEAN, 'mmcv_ext_stub.py'), pkg / '_ext.py')
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module('fakemmcv._ext')
    for name in [m for m in sys.modules if m.startswith('fakemmcv')]:
        del sys.modules[name]


def test_stub_provides_the_compiled_ops(stub):
    assert stub.ms_deform_attn_forward() == 'forward'
    assert stub.ms_deform_attn_backward() == 'backward'
    assert stub.PROVIDED == ('ms_deform_attn_forward',
                             'ms_deform_attn_backward')


def test_stub_names_an_op_that_was_not_built(stub):
    # mmcv's ext_loader.load_ext asserts hasattr for each name
    assert hasattr(stub, 'nms') and hasattr(stub, 'roi_align_forward')
    with pytest.raises(stub.LeanMmcvOpError) as e:
        stub.nms('boxes', 'scores', 0.5, 0)
    msg = str(e.value)
    assert 'mmcv._ext.nms' in msg and 'ms_deform_attn_forward' in msg
    assert 'tools/install.sh' in msg
    assert isinstance(e.value, NotImplementedError)
    assert 'not built' in repr(stub.nms)
    # private and dunder names do not exist (importlib, inspect look them up)
    assert not hasattr(stub, '__path__')
    assert not hasattr(stub, '_private')


def test_import_mmcv_ops_with_the_stub(tmp_path):
    """The installed mmcv's Python package with the stub as its ``_ext``:
    every ``load_ext`` of ``import mmcv.ops`` passes, the deformable
    attention module gets the compiled functions, any other op raises."""
    import mmcv
    site = tmp_path / 'site'
    shutil.copytree(
        osp.dirname(mmcv.__file__),
        site / 'mmcv',
        ignore=shutil.ignore_patterns('_ext*', 'csrc', '__pycache__'))
    (site / 'mmcv' / '_ext_msda.py').write_text(FAKE_COMPILED)
    shutil.copy(osp.join(LEAN, 'mmcv_ext_stub.py'), site / 'mmcv' / '_ext.py')
    code = (
        'import importlib, mmcv, mmcv.ops\n'
        'm = importlib.import_module(\'mmcv.ops.multi_scale_deform_attn\')\n'
        'nms = importlib.import_module(\'mmcv.ops.nms\')\n'
        'assert mmcv.__file__.startswith(%r), mmcv.__file__\n'
        'print(m.ext_module.ms_deform_attn_forward())\n'
        'try:\n'
        '    nms.ext_module.nms(None, None, 0.5, 0)\n'
        'except NotImplementedError as e:\n'
        '    print(type(e).__name__)\n' % str(site))
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(site)] + [p for p in sys.path if p]))
    out = subprocess.run([sys.executable, '-c', code],
                         capture_output=True,
                         text=True,
                         env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ['forward', 'LeanMmcvOpError']


def test_find_cuda_home(tmp_path, monkeypatch):
    se = load_setup_env()
    monkeypatch.setenv('CUDA_HOME', '/opt/some/cuda')
    assert se.find_cuda_home() == '/opt/some/cuda'
    monkeypatch.delenv('CUDA_HOME')
    monkeypatch.delenv('CUDA_PATH', raising=False)
    if osp.isfile('/usr/local/cuda/bin/nvcc'):
        assert se.find_cuda_home() == '/usr/local/cuda'
        return
    # a wrapper script on the PATH pointing at the real compiler
    real = tmp_path / 'cuda-x' / 'bin'
    real.mkdir(parents=True)
    (real / 'nvcc').write_text('')
    wrapper = tmp_path / 'bin'
    wrapper.mkdir()
    (wrapper / 'nvcc').write_text(f'#!/bin/sh\nexec {real}/nvcc "$@"\n')
    (wrapper / 'nvcc').chmod(0o755)
    monkeypatch.setenv('PATH', str(wrapper))
    assert se.find_cuda_home() == str(tmp_path / 'cuda-x')
    monkeypatch.setenv('PATH', str(tmp_path / 'nothing'))
    assert se.find_cuda_home() is None


def test_find_prebuilt(tmp_path):
    se = load_setup_env()
    info = dict(
        torch='2.11.0+cu130',
        cuda='13.0',
        python='cp312',
        arch='9.0',
        mmcv='2.1.0',
        sources_sha256='ab')
    assert se.find_prebuilt(str(tmp_path), info) is None  # nothing there
    (tmp_path / '_ext_msda.so').write_bytes(b'')
    (tmp_path / 'build_info.json').write_text(json.dumps(info))
    assert se.find_prebuilt(str(tmp_path),
                            info) == str(tmp_path / '_ext_msda.so')
    assert se.find_prebuilt(str(tmp_path), dict(info, torch='2.14.1')) is None
    assert se.find_prebuilt(str(tmp_path), dict(info, arch='8.0')) is None


def test_install_if_missing_skips_present_modules(tmp_path):
    se = load_setup_env()
    (tmp_path / 'json').mkdir()  # importable: nothing is installed
    assert se.install_if_missing(str(tmp_path), str(tmp_path / 'site')) == {
        'json': 'present'
    }


def test_missing_carry_names_the_step(tmp_path):
    se = load_setup_env()
    with pytest.raises(se.StepError, match='^wheels: no wheel'):
        se.install_wheels(str(tmp_path), str(tmp_path / 'site'))
    with pytest.raises(se.StepError, match='^mmcv: no source archive'):
        se.unpack_mmcv(
            str(tmp_path / 'mmcv-2.1.0.tar.gz'), str(tmp_path / 'src'),
            str(tmp_path / 'site'))
