# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""The GPU check's functions (a2jt_mmpose.apis.device_check) on the CPU: the
comparisons return ~0 for agreeing implementations and catch planted errors
(no GPU here; tools/device_check.sh runs them on one)."""
import pytest
import torch

from a2jt_mmpose.apis import device_check as dc
from conftest import TINY_CONFIG

SMALL = dict(encoder=64)


def cpu_implementations(kernel=None):
    """The check's implementations with the CUDA kernel replaced by a CPU
    function (by default mmcv's CPU path)."""
    impls = dc.msda_implementations('cpu')
    impls['kernel'] = (kernel or impls['mmcv_pytorch'][0], 'cpu')
    return impls


def test_max_rel_error():
    b = torch.tensor([1., -4., 2.])
    assert dc.max_rel_error(b.clone(), b) == 0
    assert dc.max_rel_error(b + torch.tensor([0., 0., 1e-3]), b) == \
        pytest.approx(1e-3 / 4, rel=1e-3)
    assert dc.max_rel_error(torch.zeros(2), torch.zeros(2)) == 0
    assert dc.max_rel_error(torch.ones(2), torch.zeros(2)) == float('inf')
    with pytest.raises(ValueError, match='shapes differ'):
        dc.max_rel_error(torch.ones(2), torch.ones(3))


def test_msda_inputs_avoid_the_pixel_grid():
    inp = dc.msda_inputs(2, 50)
    assert inp['value'].shape == (2, 1600, 8, 32)
    assert inp['sampling_locations'].shape == (2, 50, 8, 4, 4, 2)
    assert inp['attention_weights'].shape == (2, 50, 8, 4, 4)
    assert inp['level_start_index'].tolist() == [0, 1024, 1280, 1536]
    assert torch.allclose(inp['attention_weights'].flatten(3).sum(-1),
                          torch.ones(2, 50, 8))
    wh = inp['spatial_shapes'].flip(1).double().view(1, 1, 1, 4, 1, 2)
    pix = inp['sampling_locations'].double() * wh - 0.5
    frac = pix - pix.floor()
    assert frac.min() >= dc.GRID_MARGIN - 1e-5
    assert frac.max() <= 1 - dc.GRID_MARGIN + 1e-5
    # some points are off their map (zero padding is exercised)
    assert (pix < -1).any() and (pix > wh).any()
    # deterministic
    assert torch.equal(inp['value'], dc.msda_inputs(2, 50)['value'])


def test_check_msda_agreeing_paths_pass():
    report = dc.check_msda(
        'cpu',
        batch_sizes=(1, 2),
        queries=SMALL,
        implementations=cpu_implementations())
    assert report['passed']
    assert set(report['cases']) == {'encoder_b1', 'encoder_b2'}
    case = report['cases']['encoder_b2']
    assert set(case['kernel_vs_gather']) == {
        'output', 'grad_value', 'grad_sampling_locations',
        'grad_attention_weights', 'max'
    }
    # the two CPU paths agree to float32 rounding
    assert case['gather_vs_mmcv_pytorch']['max'] < 1e-5
    assert case['kernel_vs_mmcv_pytorch']['max'] < 1e-6


def test_check_msda_catches_a_planted_forward_error():
    mmcv_pytorch = dc.msda_implementations('cpu')['mmcv_pytorch'][0]

    def off(*args):
        return mmcv_pytorch(*args) * (1 + 1e-3)

    report = dc.check_msda(
        'cpu',
        batch_sizes=(1, ),
        queries=SMALL,
        implementations=cpu_implementations(off))
    assert not report['passed']
    errs = report['cases']['encoder_b1']['kernel_vs_gather']
    assert errs['output'] == pytest.approx(1e-3, rel=1e-2)


def test_check_msda_catches_a_planted_gradient_error():
    mmcv_pytorch = dc.msda_implementations('cpu')['mmcv_pytorch'][0]

    class ScaleAttnGrad(torch.autograd.Function):

        @staticmethod
        def forward(ctx, attn):
            return attn.view_as(attn)

        @staticmethod
        def backward(ctx, grad):
            return grad * 1.01

    def off(value, shapes, start, loc, attn):
        return mmcv_pytorch(value, shapes, start, loc,
                            ScaleAttnGrad.apply(attn))

    report = dc.check_msda(
        'cpu',
        batch_sizes=(1, ),
        queries=SMALL,
        implementations=cpu_implementations(off))
    assert not report['passed']
    errs = report['cases']['encoder_b1']['kernel_vs_mmcv_pytorch']
    assert errs['output'] == 0 and errs['grad_value'] == 0
    assert errs['grad_attention_weights'] == pytest.approx(1e-2, rel=1e-2)


def test_kernel_call_counter_restores_the_extension():
    import mmcv.ops.multi_scale_deform_attn as msda
    ext = msda.ext_module
    inp = dc.msda_inputs(
        1, 4, levels=((2, 2), ), num_heads=1, head_dims=2, num_points=1)
    with dc.KernelCallCounter() as counter:
        assert msda.ext_module is not ext
        # attributes other than the forward pass through
        assert msda.ext_module.ms_deform_attn_backward is \
            ext.ms_deform_attn_backward
        with pytest.raises(RuntimeError):  # no CPU kernel in mmcv
            msda.ext_module.ms_deform_attn_forward(
                inp['value'],
                inp['spatial_shapes'],
                inp['level_start_index'],
                inp['sampling_locations'],
                inp['attention_weights'],
                im2col_step=64)
    assert counter.calls == 1
    assert msda.ext_module is ext


@pytest.mark.skipif(torch.cuda.is_available(), reason='a GPU is present')
def test_probe_without_cuda():
    ok, why = dc.probe_mmcv_cuda()
    assert not ok and 'cuda' in why.lower()


def test_check_model_cpu_against_cpu():
    report = dc.check_model(TINY_CONFIG, device='cpu', amp_bf16=False)
    assert report['passed']
    assert report['joints_fp32']['max'] == 0
    assert len(report['joints_fp32']['per_layer']) == 3  # tiny: 3 layers
    assert len(report['joints_fp32']['per_axis']) == 3
    assert report['inputs'] == [4, 3, 128, 128]
    assert report['kernel_calls'] == 0
    lo, hi = report['joint_range']
    assert lo < hi
    # TF32 settings are restored
    assert torch.backends.cudnn.allow_tf32


def test_joint_errors():
    ref = torch.zeros(2, 1, 3, 3)
    tested = ref.clone()
    tested[1, 0, 2, 2] = 5e-4
    tested[0, 0, 0, 0] = -2e-4
    e = dc.joint_errors(tested, ref)
    assert e['per_layer'] == pytest.approx([2e-4, 5e-4])
    assert e['per_axis'] == pytest.approx([2e-4, 0, 5e-4])
    assert e['max'] == pytest.approx(5e-4)
