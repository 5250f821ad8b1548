# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import os
import os.path as osp
import sys

import pytest

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
TEST_DATA = osp.join(REPO_ROOT, 'tests', 'data')
#: 4 real InterHand2.6M frames with their annotation, camera and joint files
INTERHAND_MINI = osp.join(TEST_DATA, 'interhand2.6m_mini')
#: 3 real RHD images with mmpose's converted annotation json
RHD_MINI = osp.join(TEST_DATA, 'rhd_mini')
#: key, shape and dtype of every entry of an official checkpoint
OFFICIAL_KEYS = osp.join(TEST_DATA, 'official_checkpoint_keys.txt')
#: the output-parity fixture (official outputs), beside the checkout when
#: the team's shared folder is there; tests that need it skip otherwise
PARITY_DIR = osp.join(
    osp.dirname(REPO_ROOT), 'shared', 'reference', 'parity')
CONFIG_DIR = osp.join(REPO_ROOT, 'configs', 'hand_3d_keypoint',
                      'a2j_transformer', 'interhand3d')
#: the paper model on InterHand2.6M
PAPER_CONFIG = osp.join(CONFIG_DIR,
                        'a2jt_res50-dc5_1xb12-42e_interhand3d-256x256.py')
#: the paper model + hand-type and relative-root-depth heads
EXTENSION_CONFIG = PAPER_CONFIG.replace('.py', '_hand-type-root-depth.py')
TINY_CONFIG = osp.join(
    CONFIG_DIR, 'a2jt_res18-tiny_1xb16-3e_synthetic-interhand3d-128x128.py')

if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)


def tiny_neck_cfg():
    """The tiny model's neck config (``AnchorRefinementNeck``: 128
    channels, 4 heads, 2 encoder / 3 decoder layers, 8 x 8 x 3 anchors at
    128 x 128), a fresh copy: the layer settings of the neck tests."""
    from mmengine.config import Config
    return Config.fromfile(TINY_CONFIG).model.neck


def official_checkpoint_shapes():
    """``{key: shape}`` of an official checkpoint, in its order."""
    shapes = {}
    with open(OFFICIAL_KEYS) as f:
        for line in f:
            if line.startswith('#'):
                continue
            key, shape, _ = line.split()
            shapes[key] = tuple(int(s) for s in shape.split(',') if s)
    return shapes


@pytest.fixture
def undecodable_folder(tmp_path):
    """A folder of inputs in name order: a.jpg (real), b.jpg (text),
    c.png (empty), d.jpg (real), notes.txt (not an image)."""
    import shutil
    folder = tmp_path / 'in'
    folder.mkdir()
    shutil.copy(osp.join(INTERHAND_MINI, 'image2017.jpg'), folder / 'a.jpg')
    (folder / 'b.jpg').write_text('not an image')
    (folder / 'c.png').write_bytes(b'')
    shutil.copy(osp.join(INTERHAND_MINI, 'image29590.jpg'), folder / 'd.jpg')
    (folder / 'notes.txt').write_text('other files of a folder are ignored')
    return folder


def interhand_mini_split(prefix='test_interhand2.6m'):
    """Dataset kwargs that read the real InterHand2.6M sample files."""
    return dict(
        data_root=INTERHAND_MINI,
        ann_file=f'{prefix}_data.json',
        camera_param_file=f'{prefix}_camera.json',
        joint_file=f'{prefix}_joint_3d.json',
        data_prefix=dict(img=''))


@pytest.fixture(autouse=True, scope='session')
def _mmpose_scope():
    from mmpose.utils import register_all_modules
    register_all_modules(init_default_scope=True)
    import a2jt_mmpose  # noqa: F401


def real_data_options(batch_size=4):
    """--cfg-options that point a config at the 4 real InterHand2.6M
    images, with single-process data loading."""
    opts = {}
    for split in ('train', 'val', 'test'):
        key = f'{split}_dataloader'
        for name, value in interhand_mini_split().items():
            opts[f'{key}.dataset.{name}'] = value
        opts[f'{key}.num_workers'] = 0
        opts[f'{key}.persistent_workers'] = False
        opts[f'{key}.batch_size'] = batch_size
    return opts


#: the end of every training launcher: run tools/train.py (its first
#: argument) with the other arguments, in the launcher's process
_RUN_TRAIN_PY = '''
import runpy as _runpy, sys as _sys
_sys.argv = [_sys.argv[1]] + _sys.argv[2:]
_runpy.run_path(_sys.argv[0], run_name='__main__')
'''


def tiny_train_command(work_dir, patches, opts, resume=False):
    """Command line that trains the tiny config in ``work_dir`` with
    ``tools/train.py`` through a launcher (``work_dir/launch.py``) that
    first runs ``patches`` (Python source: extra hooks, a slow disk, ...).

    Args:
        work_dir (str): the work dir (created if missing); run the command
            with it as the current directory.
        patches (str): source run in the training process before train.py.
        opts (dict): ``--cfg-options`` (see :func:`options_to_argv`).
        resume (bool): add ``--resume``.

    Returns:
        list[str]: the command.
    """
    os.makedirs(work_dir, exist_ok=True)
    launcher = osp.join(work_dir, 'launch.py')
    with open(launcher, 'w') as f:
        f.write(patches + _RUN_TRAIN_PY)
    cmd = [sys.executable, launcher, osp.join(REPO_ROOT, 'tools', 'train.py'),
           TINY_CONFIG, '--work-dir', work_dir]
    if resume:
        cmd.append('--resume')
    return cmd + ['--cfg-options'] + options_to_argv(opts)


def train_environment(**variables):
    """Environment of a training subprocess: this one, with the package
    on ``PYTHONPATH``, one OpenMP thread and ``variables``."""
    return dict(os.environ, PYTHONPATH=REPO_ROOT, OMP_NUM_THREADS='1',
                **variables)


def options_to_argv(opts):
    """``{'a.b': 1}`` -> ``['a.b=1']`` for ``--cfg-options``."""
    argv = []
    for key, value in opts.items():
        if isinstance(value, dict):
            for k, v in value.items():
                argv.append(f'{key}.{k}={v}')
        else:
            argv.append(f'{key}={value}')
    return argv
