# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""The inference precision switch (``model.test_cfg.precision``)."""
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmpose.registry import MODELS

from a2jt_mmpose.apis import set_inference_precision
from conftest import TINY_CONFIG
from test_a2j_transformer import packed


def build(**test_cfg):
    cfg = Config.fromfile(TINY_CONFIG).model
    cfg.backbone.init_cfg = None
    cfg.test_cfg.update(test_cfg)
    model = MODELS.build(cfg)
    model.init_weights()
    return model.eval()


def linear_dtypes(model, run):
    """dtypes of the output of the neck's first encoder FFN linear during
    ``run()``."""
    seen = []
    lin = model.neck.encoder.layers[0].ffn.layers[0][0]
    handle = lin.register_forward_hook(lambda m, i, o: seen.append(o.dtype))
    try:
        run()
    finally:
        handle.remove()
    return seen


def test_predict_runs_at_the_configured_precision():
    model = build()
    assert model.precision == 'fp32'
    data = model.data_preprocessor(packed(2, 128), False)

    def predict():
        with torch.no_grad():
            return model(data['inputs'], data['data_samples'], 'predict')

    assert linear_dtypes(model, predict) == [torch.float32]
    fp32 = np.stack([d.pred_instances.keypoints for d in predict()])
    model.set_precision('bf16')
    assert linear_dtypes(model, predict) == [torch.bfloat16]
    bf16 = np.stack([d.pred_instances.keypoints for d in predict()])
    assert bf16.dtype == np.float32
    diff = np.abs(bf16 - fp32).max()
    assert 0 < diff < 5, diff  # px and mm: rounding, not another model
    # 'tensor' mode (exports, benchmark) too; 'loss' keeps float32
    assert linear_dtypes(
        model, lambda: model(data['inputs'], None, 'tensor')) == [
            torch.bfloat16
        ]
    model.train()
    assert linear_dtypes(
        model, lambda: model(data['inputs'], data['data_samples'],
                             'loss')) == [torch.float32]


def test_precision_from_config_and_refused_values():
    assert build(precision='bf16').precision == 'bf16'
    with pytest.raises(ValueError, match=r'model\.test_cfg\.precision'):
        build(precision='fp16')
    model = build()
    with pytest.raises(ValueError, match="got 'int4'"):
        model.set_precision('int4')
    assert model.precision == 'fp32'


def test_set_inference_precision_on_inferencers():
    from mmpose.apis import MMPoseInferencer
    inferencer = MMPoseInferencer(pose3d=TINY_CONFIG, device='cpu')
    model = inferencer.inferencer.model
    set_inference_precision(inferencer, 'bf16')
    assert model.precision == 'bf16'
    set_inference_precision(inferencer.inferencer, 'fp32')
    assert model.precision == 'fp32'
    set_inference_precision(model, 'bf16')
    assert model.test_cfg['precision'] == 'bf16'
    with pytest.raises(ValueError, match='precision'):
        set_inference_precision(model, 'fp64')
    with pytest.raises(TypeError, match='holds no A2JTPoseEstimator'):
        set_inference_precision(torch.nn.Linear(2, 2), 'bf16')
