# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Named results passed between the neck and the head.

Both are ``NamedTuple``: they unpack like the tuples they replace and pass
through ``torch.jit.trace`` / ONNX export as tuples of tensors.
"""
from typing import NamedTuple

from torch import Tensor


class AnchorFeatures(NamedTuple):
    """Output of the necks (``AnchorRefinementNeck``,
    ``PlainAttentionAnchorRefinementNeck``, ``A2JConvNeck``), input of the
    heads.

    Attributes:
        anchor_feats (Tensor): one feature per anchor and decoder layer,
            ``(L, B, A, C)`` (``L = 1`` for the convolutional neck).
        anchors (Tensor): the anchor table ``(A, 3)`` in target space:
            ``x, y`` in-plane input pixels, ``z`` depth in the codec's unit
            (depth bins or mm).
    """
    anchor_feats: Tensor
    anchors: Tensor


class AnchorFusion(NamedTuple):
    """Anchor-to-joint fusion of every decoder layer (``A2JHead.fuse``).

    With the softmax weights ``w_j(a)`` over the anchors and the predicted
    offsets ``O_j(a)``: ``joints_j = sum_a w_j(a) * (a + O_j(a))`` and
    ``weighted_anchors_j = sum_a w_j(a) * a``.

    Attributes:
        joints (Tensor): ``(L, B, K, 3)`` in target space (input px, codec
            depth unit).
        weighted_anchors (Tensor): ``(L, B, K, 3)``, same units (what the
            anchor surrounding loss supervises).
        weights (Tensor): anchor weights ``(L, B, A, K)``, softmax over A.
    """
    joints: Tensor
    weighted_anchors: Tensor
    weights: Tensor
