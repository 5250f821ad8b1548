# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""The benchmark (a2jt_mmpose.apis.benchmark) on the tiny config (CPU), and
its CUDA bookkeeping with the CUDA calls replaced by fakes (no GPU here)."""
import json

import pytest
import torch

from a2jt_mmpose.apis import benchmark as tool
from conftest import TINY_CONFIG


def test_tiny_config_on_cpu(tmp_path, capsys):
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
    assert 'cpu batch 2: median' in printed and 'images/s' in printed
    assert 'peak memory' in printed

    result = json.loads(out.read_text())
    s = result['settings']
    assert s['runs'] == 10 and s['warmup'] == 1 and s['threads'] == 1
    assert s['batch_sizes'] == [1, 2] and s['input'] == '128x128'
    assert s['devices'][0].startswith('cpu: ')
    assert result['params'] > result['trainable_params'] * 0.99 > 1e6
    assert result['gflops_per_image'] > 1
    rows = result['results']
    assert [(r['device'], r['batch_size']) for r in rows] == [('cpu', 1),
                                                              ('cpu', 2)]
    for r in rows:
        assert 0 < r['min_s'] <= r['median_s'] <= r['max_s']
        assert r['images_per_s'] == pytest.approx(
            r['batch_size'] / r['median_s'])
        assert r['gflops_per_s'] > 0
        assert r['peak_mem_mb'] >= 0 and r['process_peak_rss_mb'] > 100
        assert 'psutil' in r['memory_method']
    # activations of batch 2 take memory the RSS sampler sees
    assert rows[1]['peak_mem_mb'] > 1


def test_options_are_checked():
    with pytest.raises(ValueError, match='runs must be >= 10'):
        tool.run_benchmark(TINY_CONFIG, runs=9)
    with pytest.raises(ValueError, match='warmup must be >= 1'):
        tool.run_benchmark(TINY_CONFIG, warmup=0)
    assert tool.resolve_devices(['cpu', 'cpu']) == ['cpu']
    auto = tool.resolve_devices(['auto'])
    assert auto[0] == 'cpu'
    assert ('cuda' in auto) == torch.cuda.is_available()
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match='CUDA is not available'):
            tool.resolve_devices(['cuda'])


def test_cuda_bookkeeping_with_fakes(monkeypatch):
    """The CUDA branch synchronises around every timed pass and reports the
    allocator's peak minus what was allocated before."""
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
    rand = torch.rand
    monkeypatch.setattr(
        torch, 'rand', lambda *size, device=None, **kw: rand(*size, **kw))
    seen = []
    r = tool.benchmark(lambda x: seen.append(x.shape), 'cuda', 3, (8, 4),
                       runs=10, warmup=2)
    assert seen == [(3, 3, 4, 8)] * 12  # no extra memory pass on CUDA
    assert calls[:3] == ['sync', 'empty', 'reset']
    assert calls.count('sync') == 1 + 2 * 12
    assert r['peak_mem_mb'] == 60 and r['peak_allocated_mb'] == 160
    assert r['peak_reserved_mb'] == 200
    assert r['device'] == 'cuda' and r['batch_size'] == 3
    assert r['images_per_s'] == pytest.approx(3 / r['median_s'])
