# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from unittest import TestCase

import torch
import torchvision

from a2jt_mmpose.models.backbones import ResNetDC5


class TestResNetDC5(TestCase):

    def test_matches_torchvision_dc5(self):
        """Same weights -> same features as torchvision's DC5 ResNet-50."""
        torch.manual_seed(0)
        ref = torchvision.models.resnet50(
            weights=None, replace_stride_with_dilation=[False, False, True])
        ref.eval()
        ours = ResNetDC5(
            depth=50,
            out_indices=(1, 2, 3),
            frozen_stages=1,
            norm_cfg=dict(type='BN', requires_grad=False),
            norm_eval=True)
        state = {
            k: v
            for k, v in ref.state_dict().items() if not k.startswith('fc.')
        }
        missing, unexpected = ours.load_state_dict(state, strict=False)
        self.assertEqual(unexpected, [])
        self.assertTrue(all('num_batches_tracked' in k for k in missing))
        ours.train()  # norm_eval keeps BN frozen in train mode too
        self.assertTrue(ours.channels_last)  # the default layout
        x = torch.rand(1, 3, 128, 128)

        def reference(x):
            r = ref.maxpool(ref.relu(ref.bn1(ref.conv1(x))))
            r2 = ref.layer2(ref.layer1(r))
            r3 = ref.layer3(r2)
            return r2, r3, ref.layer4(r3)

        with torch.no_grad():
            feats = ours(x)
            # float32 against torchvision in the same (channels-last)
            # layout: the same kernels, so float32 rounding alike
            ref.to(memory_format=torch.channels_last)
            refs = reference(x.contiguous(memory_format=torch.channels_last))
        self.assertEqual([f.shape[1:] for f in feats],
                         [(512, 16, 16), (1024, 8, 8), (2048, 8, 8)])
        for a, b in zip(feats, refs):
            self.assertTrue(a.is_contiguous(memory_format=torch.channels_last))
            torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)
        # float64 against torchvision's default (contiguous) layout: the
        # same function whatever the layout
        ours.double()
        ref.double().to(memory_format=torch.contiguous_format)
        with torch.no_grad():
            feats = ours(x.double())
            refs = reference(x.double())
        for a, b in zip(feats, refs):
            torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-10)
        # and the contiguous layout on request
        ours.set_channels_last(False)
        self.assertTrue(ours.conv1.weight.is_contiguous())
        with torch.no_grad():
            for a, b in zip(ours(x.double()), refs):
                self.assertTrue(a.is_contiguous())
                torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-10)

    def test_frozen_stem_and_stage1(self):
        m = ResNetDC5(depth=50, out_indices=(1, 2, 3), frozen_stages=1,
                      norm_cfg=dict(type='BN', requires_grad=False))
        trainable = {n.split('.')[0]
                     for n, p in m.named_parameters() if p.requires_grad}
        self.assertEqual(trainable, {'layer2', 'layer3', 'layer4'})
        self.assertEqual(
            sum(p.numel() for p in m.parameters() if p.requires_grad),
            23232512)  # official: layer2-4 of ResNet-50

    def test_basic_block_dc5(self):
        m = ResNetDC5(depth=18, out_indices=(1, 2, 3))
        self.assertEqual(m.layer4[0].conv1.dilation, (1, 1))
        self.assertEqual(m.layer4[1].conv1.dilation, (2, 2))
        feats = m(torch.rand(1, 3, 64, 64))
        self.assertEqual([tuple(f.shape[1:]) for f in feats],
                         [(128, 8, 8), (256, 4, 4), (512, 4, 4)])


def test_checkpoint_of_another_depth_is_refused():
    import pytest
    from a2jt_mmpose.models.backbones.resnet_dc5 import ResNetDC5
    res18 = ResNetDC5(depth=18, out_indices=(1, 2, 3)).state_dict()
    with pytest.raises(ValueError,
                       match=r'model\.backbone \(depth=34\).*keys missing'):
        ResNetDC5(depth=34, out_indices=(1, 2, 3)).load_state_dict(
            res18, strict=False)
    # torchvision's ResNet-50 (what init_cfg=Pretrained torchvision://
    # resnet50 loads) has every key of the depth-50 backbone
    import torchvision
    tv = torchvision.models.resnet50(weights=None).state_dict()
    ResNetDC5(depth=50, out_indices=(1, 2, 3)).load_state_dict(
        tv, strict=False)
