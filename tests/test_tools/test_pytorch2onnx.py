# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""ONNX export (a2jt_mmpose.apis.onnx_export and its command line
tools/deployment/pytorch2onnx.py) on the tiny config: the graph holds only
standard ONNX operators (the deformable attention through GridSample), and
onnxruntime gives PyTorch's joints at batch 1 and 2 (dynamic batch)."""
import os.path as osp
import subprocess
import sys

import numpy as np
# installed by tools/install.sh from requirements/optional.txt
import onnx
import onnxruntime as ort
import pytest
import torch
from mmengine.config import Config

from a2jt_mmpose.apis import onnx_export as tool
from a2jt_mmpose.apis.models import build_pose_model, config_input_size
from conftest import REPO_ROOT, TINY_CONFIG

SCRIPT = osp.join(REPO_ROOT, 'tools', 'deployment', 'pytorch2onnx.py')


@pytest.fixture(scope='module')
def tiny():
    torch.manual_seed(0)
    model, cfg = build_pose_model(TINY_CONFIG)
    return model, cfg


def test_export_and_onnxruntime_match(tiny, tmp_path):
    model, cfg = tiny
    wrapped = tool.wrap(model, cfg)
    size = config_input_size(cfg)
    assert size == (128, 128)
    out = str(tmp_path / 'tiny.onnx')
    tool.export(wrapped, out, size, opset=17, metadata=dict(config='tiny'))
    ops = tool.op_types(out)
    assert 'GridSample' in ops  # multi_scale_deformable_attn_pytorch
    proto = onnx.load(out)
    assert all(n.domain in ('', 'ai.onnx') for n in proto.graph.node)
    assert {p.key: p.value for p in proto.metadata_props} == {'config': 'tiny'}
    dims = proto.graph.input[0].type.tensor_type.shape.dim
    assert [d.dim_param or d.dim_value for d in dims] == ['batch', 3, 128, 128]

    report = tool.verify(wrapped, out, size, batch_sizes=(1, 2))
    for bs, r in report.items():
        assert r['ok'], (bs, r)
        assert r['max_rel'] < 1e-5, (bs, r)

    # the graph computes what the pose estimator predicts (last layer, codec
    # space): same as model.head.forward(...)[-1]
    x = torch.rand(2, 3, 128, 128)
    with torch.no_grad():
        ref = model.head(model.neck(model.backbone(x)))[-1].numpy()
    sess = ort.InferenceSession(out, providers=['CPUExecutionProvider'])
    got = sess.run(['joints'], {'input': x.numpy()})[0]
    assert got.shape == (2, 42, 3)
    np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-3)


def test_decode_gives_millimetres(tiny, tmp_path):
    model, cfg = tiny
    bins = tool.wrap(model, cfg)
    mm = tool.wrap(model, cfg, decode=True)
    x = torch.rand(1, 3, 128, 128)
    with torch.no_grad():
        a, b = bins(x).numpy(), mm(x).numpy()
    codec = model.head.decoder
    np.testing.assert_allclose(b[..., :2], a[..., :2])
    np.testing.assert_allclose(
        b[..., 2], codec.bins_to_mm(a[..., 2]), rtol=1e-5, atol=1e-3)
    # 256 bins over +-200 mm: bin 0 is -200 mm, each bin 400 / 256 mm
    assert tool.depth_to_mm(cfg) == (400. / 256, -200.)


def test_depth_codec_needs_no_conversion():
    cfg = Config.fromfile(TINY_CONFIG.replace(
        'interhand3d/a2jt_res18-tiny_1xb16-3e_synthetic-interhand3d-128x128',
        'nyu/a2jt_res18-tiny_1xb8-3e_synthetic-nyu-176x176'))
    assert tool.depth_to_mm(cfg) is None  # z is mm already


def test_extra_heads_are_extra_outputs(tmp_path):
    cfg = Config.fromfile(TINY_CONFIG)
    cfg.model.head.hand_type_head = dict(
        type='A2JHandTypeHead', in_channels=128)
    cfg.model.head.root_depth_head = dict(
        type='A2JRootDepthHead', in_channels=128)
    model, cfg = build_pose_model(cfg)
    wrapped = tool.wrap(model, cfg)
    assert wrapped.output_names == ['joints', 'hand_type_logits', 'root_depth']
    out = str(tmp_path / 'extras.onnx')
    tool.export(wrapped, out, (128, 128))
    sess = ort.InferenceSession(out, providers=['CPUExecutionProvider'])
    assert [o.name for o in sess.get_outputs()] == wrapped.output_names
    report = tool.verify(wrapped, out, (128, 128), batch_sizes=(2, ))
    assert report[2]['ok'], report
    joints, hand_type, root = sess.run(
        None, {'input': np.random.rand(2, 3, 128, 128).astype(np.float32)})
    assert joints.shape == (2, 42, 3)
    assert hand_type.shape == (2, 2) and root.shape == (2, )


def test_cli_static_batch(tmp_path):
    out = str(tmp_path / 'static.onnx')
    proc = subprocess.run(
        [
            sys.executable, SCRIPT, TINY_CONFIG, '--out', out,
            '--static-batch', '--batch-size', '2', '--decode', '--verify'
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env=dict(__import__('os').environ, OMP_NUM_THREADS='1'))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'verify batch 2' in proc.stdout and 'OK' in proc.stdout
    proto = onnx.load(out)
    dims = proto.graph.input[0].type.tensor_type.shape.dim
    assert [d.dim_value for d in dims] == [2, 3, 128, 128]
    meta = {p.key: p.value for p in proto.metadata_props}
    assert meta['config'] == osp.basename(TINY_CONFIG)
    assert 'root-relative mm' in meta['output']
    assert meta['std'] == '[255.0, 255.0, 255.0]'


def test_opset_below_16_is_refused(tiny, tmp_path):
    model, cfg = tiny
    with pytest.raises(ValueError, match='opset must be >= 16'):
        tool.export(tool.wrap(model, cfg), str(tmp_path / 'x.onnx'),
                    (128, 128), opset=15)


def test_cli_int8(tmp_path):
    """--precision int8: the matrix products take int8 weights
    (MatMulInteger), the metadata survives, and onnxruntime's joints stay
    close to the float32 PyTorch model's without equalling them."""
    out = str(tmp_path / 'int8.onnx')
    proc = subprocess.run(
        [
            sys.executable, SCRIPT, TINY_CONFIG, '--out', out, '--precision',
            'int8', '--verify', '--atol', '5', '--rtol', '0'
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env=dict(__import__('os').environ, OMP_NUM_THREADS='1'))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert ', int8, ' in proc.stdout
    ops = tool.op_types(out)
    assert 'MatMulInteger' in ops and 'DynamicQuantizeLinear' in ops
    assert 'Conv' in ops and 'GridSample' in ops  # those stay float32
    meta = {p.key: p.value for p in onnx.load(out).metadata_props}
    assert meta['precision'] == 'int8'
    assert meta['config'] == osp.basename(TINY_CONFIG)
    errors = [
        float(line.split('max abs error ')[1].split(',')[0])
        for line in proc.stdout.splitlines() if line.startswith('verify')
    ]
    assert len(errors) == 2  # batch 1 and 2
    assert all(1e-3 < e < 5 for e in errors), proc.stdout
