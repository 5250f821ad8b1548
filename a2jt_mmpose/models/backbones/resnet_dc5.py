# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import torch
from mmpose.models.backbones import ResNet
from mmpose.models.backbones.resnet import BasicBlock
from mmpose.registry import MODELS

from ..utils.state_dict_check import check_state_dict


@MODELS.register_module()
class ResNetDC5(ResNet):
    """ResNet whose last stage is dilated instead of strided (DC5), exactly
    as torchvision's ``replace_stride_with_dilation=[False, False, True]``.

    mmpose's ``ResNet(strides=(1, 2, 2, 1), dilations=(1, 1, 1, 2))`` dilates
    every block of the last stage; torchvision (and so the official
    A2J-Transformer backbone) keeps the previous dilation in the first block
    of a newly dilated stage. This class fixes that block, so a torchvision
    or official checkpoint gives the same features. Parameter names and
    shapes are those of mmpose's (= torchvision's) ResNet.

    For a 256x256 input and ``out_indices=(1, 2, 3)`` the outputs of
    ResNet-50 are ``(B, 512, 32, 32)``, ``(B, 1024, 16, 16)`` and
    ``(B, 2048, 16, 16)`` (strides 8, 16, 16).

    The convolutions run in the channels-last memory format (NHWC) by
    default, which oneDNN computes faster on the CPU (paper model, 2 cores:
    batch 8 inference 0.76 -> 0.45 s in float32, 0.31 -> 0.24 s in
    bfloat16). The outputs are then channels-last (B, C, H, W) tensors;
    values, parameters and state-dict keys are unchanged.

    Args:
        depth (int): 18, 34, 50, 101 or 152.
        strides (Sequence[int]): stride of each stage. Default (1, 2, 2, 1).
        dilations (Sequence[int]): dilation of each stage.
            Default (1, 1, 1, 2).
        channels_last (bool): weights and inputs in the channels-last
            memory format. Default True.
        **kwargs: other arguments of mmpose's ``ResNet`` (``out_indices``,
            ``frozen_stages``, ``norm_cfg``, ``norm_eval``, ``init_cfg``...).
    """

    def __init__(self,
                 depth: int = 50,
                 strides=(1, 2, 2, 1),
                 dilations=(1, 1, 1, 2),
                 channels_last: bool = True,
                 **kwargs) -> None:
        super().__init__(depth, strides=strides, dilations=dilations, **kwargs)
        previous = 1
        for layer_name, dilation in zip(self.res_layers, self.dilations):
            if dilation != previous:
                block = getattr(self, layer_name)[0]
                conv = block.conv1 if isinstance(block, BasicBlock) \
                    else block.conv2
                conv.dilation = (previous, previous)
                conv.padding = (previous, previous)
            previous = dilation
        self.set_channels_last(channels_last)
        self._register_load_state_dict_pre_hook(self._check_checkpoint)

    def set_channels_last(self, enabled: bool) -> None:
        """Put the 4-D weights (and the inputs of later forward passes) in
        the channels-last (True) or the contiguous (False) memory
        format."""
        fmt = torch.channels_last if enabled else torch.contiguous_format
        self.to(memory_format=fmt)
        self.channels_last = enabled

    def forward(self, x: torch.Tensor) -> tuple:
        """mmpose's ResNet forward on ``x`` ``(B, 3, H, W)``, in the
        channels-last format when ``channels_last``."""
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        return super().forward(x)

    def _check_checkpoint(self, state_dict, prefix, *args, **kwargs):
        """Refuse a checkpoint of another depth or layout (mmengine loads
        with ``strict=False`` and would only warn)."""
        check_state_dict(self, state_dict, prefix,
                         f'model.backbone (depth={self.depth})')
