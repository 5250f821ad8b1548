# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import torch
from mmengine.model import BaseModule
from mmpose.models.heads.transformer_heads.transformers.utils import \
    FFN as MLP
from mmpose.registry import MODELS
from mmpose.utils.typing import ConfigType, OptConfigType
from torch import Tensor


@MODELS.register_module()
class A2JRootDepthHead(BaseModule):
    """Relative root depth (left wrist minus right wrist) of
    A2J-Transformer, an extension beyond the paper (the official model uses
    the ground truth; InterNet predicts it).

    Like InterNet's root branch: features -> MLP -> ``num_bins`` logits of a
    1-D heatmap -> soft-argmax::

        p     = softmax(MLP(mean_a anchor_feats[a]))     # (B, num_bins)
        depth = sum_i i * p_i                            # (B,), bins

    The output is in InterNet's normalised space (the codec's
    ``root_depth_size`` bins over ``root_depth_bound`` mm centred on 0;
    InterNet / default: 64 bins over 400 mm, 6.25 mm per bin, bin 32 = equal
    depth); ``A2JInterHandCodec.decode_root_depth`` gives mm.

    The input is the mean over the anchors of the last decoder layer's anchor
    features, for the reasons given in :class:`A2JHandTypeHead` (the only
    features reaching the head; anchors tile the whole input and attend to
    the image around them, the counterpart of InterNet's global average
    pooling).

    Loss (InterNet's ``RelRootDepthLoss``): ``|pred - target|`` in bins,
    multiplied by the validity (both roots valid and inside the crop, GT
    interacting, target inside the bin range) and averaged over the batch
    (invalid samples count in the denominator). mmpose's ``L1Loss`` with
    ``use_target_weight=True`` computes exactly this for 0/1 weights.

    Args:
        in_channels (int): C, the channels of the anchor features.
        hidden_dims (int): hidden width of the MLP.
        num_mlp_layers (int): linear layers of the MLP. Default 2 (as
            InterNet's ``root_fc``).
        num_bins (int): length of the 1-D heatmap; must equal the codec's
            ``root_depth_size``. Default 64.
        loss (dict): loss config; it gets predictions ``(B, 1)``, targets
            ``(B, 1)`` (bins) and weights ``(B,)``.
        init_cfg (dict, optional): initialisation config.
    """

    def __init__(self,
                 in_channels: int = 256,
                 hidden_dims: int = 256,
                 num_mlp_layers: int = 2,
                 num_bins: int = 64,
                 loss: ConfigType = dict(
                     type='L1Loss', use_target_weight=True),
                 init_cfg: OptConfigType = None) -> None:
        super().__init__(init_cfg)
        if num_bins < 2:
            raise ValueError(f'num_bins must be >= 2, got {num_bins}')
        self.in_channels = in_channels
        self.num_bins = num_bins
        self.mlp = MLP(in_channels, hidden_dims, num_bins, num_mlp_layers)
        self.loss_module = MODELS.build(loss)

    def forward(self, anchor_feats: Tensor) -> Tensor:
        """Relative root depth.

        Args:
            anchor_feats (Tensor): ``(B, A, C)``, the last decoder layer.

        Returns:
            Tensor: ``(B,)`` left-root minus right-root depth in bins
            (``0 .. num_bins - 1``).
        """
        if anchor_feats.dim() != 3 or anchor_feats.shape[-1] != \
                self.in_channels:
            raise ValueError(
                f'{self.__class__.__name__} needs anchor features (B, A, '
                f'{self.in_channels}), got {tuple(anchor_feats.shape)}')
        prob = self.mlp(anchor_feats.mean(dim=1)).softmax(dim=-1)
        bins = torch.arange(
            self.num_bins, dtype=prob.dtype, device=prob.device)
        return (prob * bins).sum(dim=-1)

    def loss(self, pred: Tensor, target: Tensor, weight: Tensor) -> Tensor:
        """Weighted L1 in bins.

        Args:
            pred (Tensor): ``(B,)`` bins.
            target (Tensor): ``(B,)`` bins.
            weight (Tensor): ``(B,)`` in {0, 1}.

        Returns:
            Tensor: scalar loss.
        """
        return self.loss_module(pred.reshape(-1, 1),
                                target.to(pred).reshape(-1, 1),
                                weight.to(pred).reshape(-1))
