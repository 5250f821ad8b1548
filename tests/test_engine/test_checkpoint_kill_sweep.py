# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""SIGKILL a real training process at each of the 15 moments of a checkpoint
save (before the write, inside it, between write, rename, the new
last_checkpoint and the removal of the rotated-out file; max_keep_ckpts=1,
so the save replaces epoch_1.pth by epoch_2.pth): afterwards
``last_checkpoint`` names a complete checkpoint and ``--resume`` finishes
the run from it; no checkpoint is lost."""
import os
import os.path as osp
import shutil
import signal
import subprocess
import sys
import tempfile
from unittest import TestCase

import pytest

from conftest import real_data_options, tiny_train_command, train_environment

# before tools/train.py: a slow disk. A file is written in 10 steps, and
# before each step, each rename and each removal the process prints
# "@@step <what>" and waits DELAY s, so that a kill on reading the k-th line
# lands exactly before that step
PATCHES = '''
import os, os.path as osp, time
from mmengine.fileio.backends.local_backend import LocalBackend

DELAY = float(os.environ['SLOW_DISK_DELAY'])


def step(what):
    print(f'@@step {what}', flush=True)
    time.sleep(DELAY)


def put(self, obj, filepath):
    os.makedirs(osp.dirname(str(filepath)) or '.', exist_ok=True)
    size = max(1, len(obj) // 10)
    with open(filepath, 'wb') as f:
        for i in range(0, len(obj), size):
            step(f'write {osp.basename(str(filepath))} {i // size}')
            f.write(obj[i:i + size])
            f.flush()


def slow(fn):
    def wrapped(*args, **kwargs):
        step(f'{fn.__name__} {osp.basename(str(args[-1]))}')
        return fn(*args, **kwargs)
    return wrapped


LocalBackend.put = put
os.replace = slow(os.replace)
os.remove = slow(os.remove)
'''
DELAY = 0.2
SAVE_LINE = 'Saving checkpoint at 2 epochs'
#: steps of the epoch-2 save with max_keep_ckpts=1: 11 writes of the
#: temporary file (10 tenths and the rest), its rename to epoch_2.pth, the
#: rename of the new last_checkpoint, the removal of epoch_1.pth
SAVE_STEPS = 14


def command(work_dir, max_epochs, hook, resume=False):
    opts = real_data_options(batch_size=2)
    opts.update({
        'randomness.seed': 0,
        'train_cfg.max_epochs': max_epochs,
        'train_cfg.val_interval': 100,
        'default_hooks.checkpoint.type': hook,
        'default_hooks.checkpoint.interval': 1,
        'default_hooks.checkpoint.max_keep_ckpts': 1,
    })
    return tiny_train_command(work_dir, PATCHES, opts, resume=resume)


def environment():
    return train_environment(SLOW_DISK_DELAY=str(DELAY),
                             PYTHONUNBUFFERED='1')


def kill_during_save(work_dir, step, hook):
    """Train 2 epochs; SIGKILL just before step ``step`` (1-based) of the
    epoch-2 save (``SAVE_STEPS + 1``: once the save is over)."""
    proc = subprocess.Popen(
        command(work_dir, 2, hook), cwd=work_dir, env=environment(),
        text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    seen, steps, what = False, 0, 'after the save'
    for line in proc.stdout:
        seen = seen or SAVE_LINE in line
        if seen and (line.startswith('@@step') or 'Epoch(val)' in line):
            steps += 1
            if steps == step:
                what = line.strip()
                proc.send_signal(signal.SIGKILL)
                break
    proc.stdout.read()
    proc.wait()
    return proc.returncode, what


def complete_checkpoints(work_dir):
    """The checkpoints of the work dir that load completely."""
    from a2jt_mmpose.engine.checkpoint_loading import load_from_local
    ok = []
    for name in sorted(os.listdir(work_dir)):
        if name.endswith('.pth'):
            try:
                load_from_local(osp.join(work_dir, name))
                ok.append(name)
            except Exception:
                pass
    return ok


def sweep(hook, steps):
    """One row per kill moment: what survived and whether --resume worked
    (two moments at a time, one per core)."""
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(lambda k: kill_and_resume(hook, k), steps))


def kill_and_resume(hook, step):
    """Kill a run at step ``step`` of its epoch-2 save, then resume it."""
    work_dir = tempfile.mkdtemp()
    try:
        code, what = kill_during_save(work_dir, step, hook)
        complete = complete_checkpoints(work_dir)
        last = osp.join(work_dir, 'last_checkpoint')
        named = open(last).read().strip() if osp.exists(last) else ''
        resume = subprocess.run(
            command(work_dir, 2, hook, resume=True), cwd=work_dir,
            env=environment(), text=True, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT)
        return dict(
            step=step, at=what, killed=code == -signal.SIGKILL,
            complete=complete, last_checkpoint=osp.basename(named),
            last_is_complete=osp.basename(named) in complete,
            resumed=resume.returncode == 0,
            resumed_from=[w for w in ('epoch_1', 'epoch_2')
                          if f'{w}.pth' in named],
            finished='epoch_2.pth' in complete_checkpoints(work_dir),
            log=resume.stdout[-2000:])
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


@pytest.mark.slow
class TestKillDuringSave(TestCase):

    def test_no_checkpoint_is_lost(self):
        rows = sweep('AtomicCheckpointHook', range(1, SAVE_STEPS + 2))
        for row in rows:
            where = f'kill before step {row["step"]} ({row["at"]}): {row}'
            self.assertTrue(row['killed'], where)
            self.assertTrue(row['complete'], where)
            self.assertTrue(row['last_is_complete'], where)
            self.assertTrue(row['resumed'] and row['finished'], where)
            # no partial file is left named as a checkpoint
            self.assertTrue(
                set(row['complete']) <= {'epoch_1.pth', 'epoch_2.pth'}, where)
        # the sweep spans the save: some kills before the new checkpoint
        # was complete (resume from epoch 1), some after (from epoch 2)
        froms = {tuple(r['resumed_from']) for r in rows}
        self.assertIn(('epoch_1', ), froms)
        self.assertIn(('epoch_2', ), froms)


if __name__ == '__main__':  # the same sweep with another hook, for reports
    for row in sweep(sys.argv[1], range(1, SAVE_STEPS + 2)):
        row.pop('log')
        print(row)
