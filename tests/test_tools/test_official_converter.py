# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""The official checkpoint converter on a state dict built from the listing
of every key and shape of an official checkpoint (no official weights can be
downloaded here)."""
import os.path as osp
import tempfile
from unittest import TestCase

import torch
from mmengine.config import Config
from mmengine.runner import load_checkpoint
from mmpose.registry import MODELS

from a2jt_mmpose.models.utils.official_checkpoint import (
    PAPER_CONFIG as PAPER_CONFIG_PATH, convert_official_checkpoint,
    convert_official_state_dict, map_official_key)
from conftest import (EXTENSION_CONFIG, PAPER_CONFIG,
                      official_checkpoint_shapes)

# the paper model: the official checkpoint has no hand-type / root-depth
# heads (an extension of the InterHand config)


def official_state_dict():
    g = torch.Generator().manual_seed(0)
    return {
        key: torch.randn(*shape, generator=g)
        for key, shape in official_checkpoint_shapes().items()
    }


def build_model(config=PAPER_CONFIG):
    cfg = Config.fromfile(config)
    cfg.model.backbone.init_cfg = None
    return MODELS.build(cfg.model)


class TestOfficialConverter(TestCase):

    def test_every_key_is_mapped_or_dropped(self):
        official = official_state_dict()
        # the listing's rows: 664 keys holding its 43,783,880 values (its
        # header says 663 entries)
        self.assertEqual(len(official), 664)
        self.assertEqual(sum(v.numel() for v in official.values()), 43783880)
        mapped = {k: map_official_key(k) for k in official}
        dropped = [k for k, v in mapped.items() if not v]
        self.assertEqual(len(dropped), 2 * 6 * 3 * 2)  # 2 x 6 MLPs x 3 Linear
        self.assertTrue(all('bbox_embed.' in k or 'bbox_embed_anchor' in k
                            for k in dropped))
        targets = [v for v in mapped.values() if v]
        self.assertEqual(len(targets), len(set(targets)))  # one-to-one
        with self.assertRaisesRegex(KeyError, 'unknown official key'):
            map_official_key('module.some_new_head.weight')

    def test_conversion_fills_every_key_and_keeps_values(self):
        official = official_state_dict()
        model = build_model()
        state = convert_official_state_dict(official, model.state_dict())
        self.assertEqual(list(state), list(model.state_dict()))
        model.load_state_dict(state, strict=True)
        pairs = {
            'module.transformer.decoder.layers.2.norm2.weight':
            'neck.decoder_layers.2.norms.0.weight',
            'module.transformer.decoder.layers.2.norm1.bias':
            'neck.decoder_layers.2.norms.1.bias',
            'module.transformer.decoder.layers.5.self_attn.in_proj_weight':
            'neck.decoder_layers.5.self_attn.attn.in_proj_weight',
            'module.transformer.encoder.layers.3.linear2.weight':
            'neck.encoder.layers.3.ffn.layers.1.weight',
            'module.refpoint_embed.weight': 'neck.anchors',
            'module.tgt_embed.weight': 'neck.content_embed.weight',
            'module.bbox_embed_keypoints.4.layers.2.bias':
            'head.offset_branches.4.layers.2.bias',
            'module.backbone.0.body.layer4.0.bn2.running_var':
            'backbone.layer4.0.bn2.running_var',
        }
        for src, dst in pairs.items():
            torch.testing.assert_close(model.state_dict()[dst], official[src])

    def test_shape_mismatch_is_reported(self):
        official = official_state_dict()
        official['module.anchor_weights.0.layers.2.weight'] = torch.zeros(
            21, 256)
        with self.assertRaisesRegex(ValueError,
                                    r'anchor_weights.0.layers.2.weight.*21'):
            convert_official_state_dict(official,
                                        build_model().state_dict())

    def test_command_line_writes_an_mmengine_checkpoint(self):
        official = official_state_dict()
        with tempfile.TemporaryDirectory() as tmp:
            src = osp.join(tmp, 'snapshot_0.pth.tar')
            dst = osp.join(tmp, 'converted.pth')
            torch.save(dict(epoch=0, network=official, optimizer={}), src)
            meta = convert_official_checkpoint(src, dst, PAPER_CONFIG)
            self.assertEqual(meta['dataset_meta']['num_keypoints'], 42)
            model = build_model()
            ckpt = load_checkpoint(model, dst, map_location='cpu')
        self.assertEqual(ckpt['meta']['official_epoch'], 0)
        torch.testing.assert_close(model.neck.anchors,
                                   official['module.refpoint_embed.weight'])
        self.assertTrue(PAPER_CONFIG.endswith(PAPER_CONFIG_PATH))

    def test_config_with_extension_heads_is_refused(self):
        """The InterHand config's hand-type / root-depth heads have no
        official weights: the converter names the config to use."""
        with tempfile.TemporaryDirectory() as tmp:
            src = osp.join(tmp, 'snapshot_0.pth.tar')
            torch.save(dict(epoch=0, network={}), src)
            with self.assertRaisesRegex(ValueError, r'interhand3d-256x256\.py'):
                convert_official_checkpoint(src, osp.join(tmp, 'x.pth'),
                                            EXTENSION_CONFIG)
        with self.assertRaisesRegex(KeyError, 'hand_type_head'):
            convert_official_state_dict(official_state_dict(),
                                        build_model(EXTENSION_CONFIG).state_dict())
