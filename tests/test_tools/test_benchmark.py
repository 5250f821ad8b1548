# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""The benchmark (a2jt_mmpose.apis.benchmark) on the tiny config (CPU), and
its CUDA bookkeeping with the CUDA calls replaced by fakes (no GPU here)."""
import json
import os.path as osp
import subprocess
import sys

import pytest
import torch

from a2jt_mmpose.apis import benchmark as tool
from conftest import REPO_ROOT, TINY_CONFIG


def test_tiny_config_paths_on_cpu(tmp_path, capsys):
    out = tmp_path / 'bench.json'
    threads = torch.get_num_threads()
    try:
        tool.run_benchmark(
            TINY_CONFIG,
            batch_sizes=(1, 2),
            warmup=1,
            threads=1,
            devices=('cpu', ),
            out=str(out))
    finally:
        torch.set_num_threads(threads)
    printed = capsys.readouterr().out
    # the settings are printed with the numbers
    assert 'settings: ' in printed and 'runs=10' in printed
    assert 'threads=1' in printed and 'input=128x128' in printed
    assert 'cpu batch 2 bf16: median' in printed and 'x eager' in printed
    assert 'peak memory' in printed

    result = json.loads(out.read_text())
    s = result['settings']
    assert s['runs'] == 10 and s['warmup'] == 1 and s['threads'] == 1
    assert s['batch_sizes'] == [1, 2] and s['input'] == '128x128'
    assert s['reference'] == 'eager'
    assert s['paths'] == dict(
        eager='original/fp32', fast='package/fp32', bf16='package/bf16')
    assert s['devices'][0].startswith('cpu: ')
    assert result['params'] > result['trainable_params'] * 0.99 > 1e6
    assert result['gflops_per_image'] > 1
    rows = result['results']
    assert [(r['batch_size'], r['path']) for r in rows] == [
        (1, 'eager'), (1, 'fast'), (1, 'bf16'), (2, 'eager'), (2, 'fast'),
        (2, 'bf16')
    ]
    for r in rows:
        assert 0 < r['min_s'] <= r['median_s'] <= r['max_s']
        assert r['images_per_s'] == pytest.approx(
            r['batch_size'] / r['median_s'])
        assert r['gflops_per_s'] > 0 and r['reference'] == 'eager'
        assert r['peak_mem_mb'] >= 0 and r['process_peak_rss_mb'] > 100
        assert 'psutil' in r['memory_method']
    eager, fast, bf16 = rows[3:]
    assert eager['ratio'] == 1 and eager['max_joint_diff_xy'] == 0
    assert fast['ratio'] == pytest.approx(
        fast['median_s'] / eager['median_s'])
    # the gather equals mmcv's attention to float32 rounding; bfloat16 is
    # another rounding, visibly larger but not another model
    assert fast['max_joint_diff_xy'] < 1e-3
    assert fast['max_joint_diff_z'] < 1e-3
    assert 1e-3 < bf16['max_joint_diff_xy'] < 5
    # activations of batch 2 take memory the RSS sampler sees
    assert eager['peak_mem_mb'] > 1


def test_benchmark_restores_the_model(tmp_path):
    from a2jt_mmpose.apis.models import build_pose_model
    from a2jt_mmpose.models.utils import (FusedMultiheadAttention,
                                          GatherMultiScaleDeformableAttention)
    model, _ = build_pose_model(TINY_CONFIG)
    attns = [
        m for m in model.modules()
        if isinstance(m, GatherMultiScaleDeformableAttention)
    ]
    fused = [
        m for m in model.modules() if isinstance(m, FusedMultiheadAttention)
    ]
    assert len(attns) == 5 and len(fused) == 3  # 2 + 3 layers, 3 decoder

    def flags():
        return [m.cpu_gather for m in attns] + [m.fused for m in fused] + [
            model.backbone.channels_last,
            model.backbone.conv1.weight.is_contiguous(
                memory_format=torch.channels_last)
        ]

    with tool.inference_path(model, 'eager'):
        assert not any(flags())
        assert model.precision == 'fp32'
    with pytest.raises(RuntimeError):
        with tool.inference_path(model, 'bf16'):
            assert model.precision == 'bf16' and all(flags())
            raise RuntimeError
    assert all(flags()) and model.precision == 'fp32'
    with pytest.raises(ValueError, match='has no precision switch'):
        with tool.inference_path(model.backbone, 'fast'):
            pass


def test_options_are_checked():
    with pytest.raises(ValueError, match='runs must be >= 10'):
        tool.run_benchmark(TINY_CONFIG, runs=9)
    with pytest.raises(ValueError, match='warmup must be >= 1'):
        tool.run_benchmark(TINY_CONFIG, warmup=0)
    with pytest.raises(ValueError, match="unknown path 'fp16'"):
        tool.run_benchmark(TINY_CONFIG, paths=('eager', 'fp16'))
    assert tool.check_paths(['bf16', 'eager', 'bf16']) == ['bf16', 'eager']
    assert tool.resolve_devices(['cpu', 'cpu']) == ['cpu']
    auto = tool.resolve_devices(['auto'])
    assert auto[0] == 'cpu'
    assert ('cuda' in auto) == torch.cuda.is_available()
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match='CUDA is not available'):
            tool.resolve_devices(['cuda'])


def test_train_step_paths(tmp_path):
    out = tmp_path / 'train.json'
    threads = torch.get_num_threads()
    try:
        result = tool.run_train_benchmark(
            TINY_CONFIG, batch_size=2, runs=10, warmup=1, threads=2,
            paths=('fast', 'bf16'), out=str(out))
    finally:
        torch.set_num_threads(threads)
    assert json.loads(out.read_text()) == result
    assert result['settings']['reference'] == 'fast'
    fast, bf16 = result['results']
    assert fast['ratio'] == 1 and bf16['path'] == 'bf16'
    assert bf16['ratio'] == pytest.approx(bf16['median_s'] / fast['median_s'])


def test_synthetic_targets_lie_in_the_anchor_box():
    from a2jt_mmpose.apis.models import build_pose_model
    model, _ = build_pose_model(TINY_CONFIG)
    samples = tool.synthetic_targets(model, 3)
    labels = torch.cat([d.gt_instance_labels.keypoint_labels
                        for d in samples])
    assert labels.shape == (3, 42, 3)
    anchors = model.neck.anchors
    assert (labels >= anchors.min(0).values).all()
    assert (labels <= anchors.max(0).values).all()
    assert len({tuple(t.flatten().tolist()) for t in labels}) == 3


def test_command_line_refuses_bad_options():
    tool_py = osp.join(REPO_ROOT, 'tools', 'analysis_tools', 'benchmark.py')
    bad = subprocess.run(
        [sys.executable, tool_py, TINY_CONFIG, '--train', '--device', 'cpu'],
        capture_output=True, text=True)
    assert bad.returncode != 0
    assert 'no CHECKPOINT or --device' in bad.stderr
    bad = subprocess.run(
        [sys.executable, tool_py, TINY_CONFIG, '--paths', 'fp16'],
        capture_output=True, text=True)
    assert bad.returncode != 0 and "invalid choice: 'fp16'" in bad.stderr


def test_cuda_bookkeeping_with_fakes(monkeypatch):
    """The CUDA branch synchronises around every timed pass and reports the
    allocator's peak during an extra pass minus what was allocated before."""
    calls = []
    mib = 2**20
    fake = dict(
        synchronize=lambda device=None: calls.append('sync'),
        empty_cache=lambda: calls.append('empty'),
        reset_peak_memory_stats=lambda device=None: calls.append('reset'),
        memory_allocated=lambda device=None: 100 * mib,
        max_memory_allocated=lambda device=None: 160 * mib,
        max_memory_reserved=lambda device=None: 200 * mib)
    for name, fn in fake.items():
        monkeypatch.setattr(torch.cuda, name, fn)
    monkeypatch.setattr(torch.Tensor, 'to', lambda self, *a, **k: self)
    seen = []

    def forward(x):
        seen.append(x.shape)
        return torch.zeros(2, x.shape[0], 4, 3)

    rows = tool.benchmark(dict(a=forward, b=forward), 'cuda', 3, (8, 4),
                          runs=10, warmup=2)
    # 1 output pass + 12 interleaved rounds + 1 memory pass, per function
    assert seen == [(3, 3, 4, 8)] * (2 * (1 + 12 + 1))
    assert calls.count('sync') == 2 * 2 * 12 + 2 * 2
    assert calls.count('reset') == 2
    for r, name in zip(rows, 'ab'):
        assert r['path'] == name and r['reference'] == 'a'
        assert r['peak_mem_mb'] == 60 and r['peak_allocated_mb'] == 160
        assert r['peak_reserved_mb'] == 200
        assert r['device'] == 'cuda' and r['batch_size'] == 3
        assert r['images_per_s'] == pytest.approx(3 / r['median_s'])
        assert r['max_joint_diff_xy'] == 0


def test_path_switches_run_outside_the_timer():
    """Each pass of a function runs inside its context (the path switch),
    entered and left outside the timed region: a switch that sleeps 0.2 s
    does not show in the pass times."""
    import time
    from contextlib import contextmanager
    entered = []

    @contextmanager
    def slow_switch():
        entered.append(1)
        time.sleep(0.2)
        yield
        time.sleep(0.2)

    rows = tool.benchmark(
        dict(a=lambda x: torch.zeros(1, 3, 3)),
        'cpu', 1, (4, 4), runs=10, warmup=1, contexts=dict(a=slow_switch))
    # 1 output pass + 11 rounds + 1 memory pass
    assert len(entered) == 13
    assert rows[0]['max_s'] < 0.1, rows[0]
