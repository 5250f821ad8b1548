# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""The smooth-L1 term shared by both A2J-Transformer losses."""
import torch
import torch.nn as nn
from torch import Tensor


class A2JSmoothL1(nn.Module):
    """Validity-masked smooth-L1 over ``(x, y, z)`` as in the official code.

    Per coordinate ``d = |pred - target|``::

        l(d) = d^2 / (2 * tau)   if d <= tau
               d - tau / 2       otherwise

    with ``tau`` and a multiplicative ``factor`` for the in-plane (x, y) and
    depth (z) coordinates. Per sample, the masked sum over joints and
    coordinates is divided by ``3 * num_valid_joints`` (by 3 when the sample
    has no valid joint, so it contributes 0); the result is averaged over the
    batch and multiplied by ``loss_weight``.

    Args:
        in_plane_tau (float): threshold for x and y (input pixels).
        depth_tau (float): threshold for z (depth bins or mm).
        in_plane_factor (float): factor on the x and y terms.
        depth_factor (float): factor on the z term.
        loss_weight (float): weight of the whole loss.
    """

    def __init__(self,
                 in_plane_tau: float = 1.,
                 depth_tau: float = 1.,
                 in_plane_factor: float = 1.,
                 depth_factor: float = 1.,
                 loss_weight: float = 1.) -> None:
        super().__init__()
        for name, value in (('in_plane_tau', in_plane_tau),
                            ('depth_tau', depth_tau)):
            if not value > 0:
                raise ValueError(f'{self.__class__.__name__}.{name} must be '
                                 f'> 0, got {value}')
        self.loss_weight = loss_weight
        self.register_buffer(
            'tau',
            torch.tensor([in_plane_tau, in_plane_tau, depth_tau]),
            persistent=False)
        self.register_buffer(
            'factor',
            torch.tensor([in_plane_factor, in_plane_factor, depth_factor]),
            persistent=False)

    def forward(self, pred: Tensor, target: Tensor,
                target_weight: Tensor) -> Tensor:
        """Compute the loss.

        Args:
            pred (Tensor): predicted points ``(B, K, 3)``.
            target (Tensor): ground truth ``(B, K, 3)``; values of invalid
                joints are ignored (they may be NaN).
            target_weight (Tensor): joint validity ``(B, K)`` in {0, 1}.

        Returns:
            Tensor: scalar loss.
        """
        valid = target_weight > 0
        diff = (pred - torch.where(valid[..., None], target, pred)).abs()
        tau = self.tau.to(diff)
        loss = torch.where(diff <= tau, 0.5 * diff.pow(2) / tau,
                           diff - 0.5 * tau) * self.factor.to(diff)
        loss = loss * target_weight[..., None].to(loss)
        per_sample = loss.sum(dim=(1, 2)) / (
            3 * target_weight.to(loss).sum(dim=1).clamp(min=1))
        return per_sample.mean() * self.loss_weight
