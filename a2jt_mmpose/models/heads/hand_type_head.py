# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from mmengine.model import BaseModule
from mmpose.models.heads.transformer_heads.transformers.utils import \
    FFN as MLP
from mmpose.registry import MODELS
from mmpose.utils.typing import ConfigType, OptConfigType
from torch import Tensor


@MODELS.register_module()
class A2JHandTypeHead(BaseModule):
    """Hand presence (hand type) of A2J-Transformer, an extension beyond the
    paper (the official model predicts no hand type; InterNet does).

    Reads the anchor features of the **last decoder layer** and averages them
    over the anchors, then an MLP gives two logits ``(right, left)``::

        logits = MLP(mean_a anchor_feats[a])        # (B, 2)

    Why the anchor features: they are the only features the neck hands to
    the head (the backbone maps stay inside ``AnchorRefinementNeck``, whose
    output and state dict therefore stay unchanged). The anchors tile the
    whole input (16 x 16 in-plane positions x 3 depths for InterHand2.6M)
    and every anchor feature has cross-attended to the multi-scale image
    features around its anchor, so their mean is the decoder's counterpart of
    the global average pooling of the backbone features that InterNet feeds
    its hand-type MLP (``2048 -> 512 -> 2``). It is also where the joints are
    regressed, so both tasks shape the same features.

    Loss (InterNet's ``HandTypeLoss``): binary cross entropy of each of the 2
    sigmoid outputs against the GT hand type (right ``[1, 0]``, left
    ``[0, 1]``, interacting ``[1, 1]``), averaged over the 2 entries,
    multiplied by ``hand_type_valid`` and averaged over the batch (invalid
    samples count in the denominator). mmpose's ``BCELoss`` with
    ``use_target_weight=True`` and ``reduction='mean'`` on logits computes
    exactly this.

    Args:
        in_channels (int): C, the channels of the anchor features.
        hidden_dims (int): hidden width of the MLP.
        num_mlp_layers (int): linear layers of the MLP (ReLU between).
            Default 2 (as InterNet's ``hand_fc``).
        loss (dict): loss config; it gets logits ``(B, 2)``, targets
            ``(B, 2)`` in {0, 1} and weights ``(B,)``.
        init_cfg (dict, optional): initialisation config.
    """

    def __init__(self,
                 in_channels: int = 256,
                 hidden_dims: int = 256,
                 num_mlp_layers: int = 2,
                 loss: ConfigType = dict(
                     type='BCELoss', use_target_weight=True),
                 init_cfg: OptConfigType = None) -> None:
        super().__init__(init_cfg)
        self.in_channels = in_channels
        self.mlp = MLP(in_channels, hidden_dims, 2, num_mlp_layers)
        self.loss_module = MODELS.build(loss)

    def forward(self, anchor_feats: Tensor) -> Tensor:
        """Hand-type logits.

        Args:
            anchor_feats (Tensor): ``(B, A, C)``, the last decoder layer.

        Returns:
            Tensor: ``(B, 2)`` logits of (right hand present, left hand
            present); ``sigmoid`` gives the probabilities.
        """
        if anchor_feats.dim() != 3 or anchor_feats.shape[-1] != \
                self.in_channels:
            raise ValueError(
                f'{self.__class__.__name__} needs anchor features (B, A, '
                f'{self.in_channels}), got {tuple(anchor_feats.shape)}')
        return self.mlp(anchor_feats.mean(dim=1))

    def loss(self, logits: Tensor, target: Tensor, weight: Tensor) -> Tensor:
        """Weighted BCE.

        Args:
            logits (Tensor): ``(B, 2)``.
            target (Tensor): ``(B, 2)`` in {0, 1}.
            weight (Tensor): ``(B,)`` (``hand_type_valid``).

        Returns:
            Tensor: scalar loss.
        """
        return self.loss_module(logits, target.to(logits),
                                weight.to(logits).reshape(-1))
