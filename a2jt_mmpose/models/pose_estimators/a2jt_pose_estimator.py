# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from typing import Union

from mmpose.models.pose_estimators import TopdownPoseEstimator
from mmpose.registry import MODELS
from mmpose.utils.typing import ForwardResults, OptSampleList
from torch import Tensor

from ..utils.precision import check_precision, precision_context


@MODELS.register_module()
class A2JTPoseEstimator(TopdownPoseEstimator):
    """mmpose's ``TopdownPoseEstimator`` with an inference precision switch.

    ``test_cfg.precision`` (``'fp32'``, default, or ``'bf16'``; see
    :mod:`a2jt_mmpose.models.utils.precision`) sets the precision of the
    ``'predict'`` and ``'tensor'`` forward passes (``runner.test``,
    ``mim test``, mmpose's inferencers, the tools). Training is not affected:
    it takes its precision from the optimiser wrapper (``AmpOptimWrapper``,
    ``CPUAmpOptimWrapper``). Everything else, parameters and state-dict keys
    included, is ``TopdownPoseEstimator``'s.

    Switch it in a config (``model.test_cfg.precision='bf16'``), on the
    command line (``--cfg-options model.test_cfg.precision=bf16``) or on a
    built model with :meth:`set_precision`.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        check_precision(self.test_cfg.get('precision', 'fp32'))

    @property
    def precision(self) -> str:
        """The inference precision, ``'fp32'`` or ``'bf16'``."""
        return self.test_cfg.get('precision', 'fp32')

    def set_precision(self, precision: str) -> None:
        """Set ``test_cfg.precision`` (``'fp32'`` or ``'bf16'``)."""
        self.test_cfg['precision'] = check_precision(precision)

    def forward(self,
                inputs: Union[Tensor, list],
                data_samples: OptSampleList,
                mode: str = 'tensor') -> ForwardResults:
        """mmpose's forward; ``'predict'`` and ``'tensor'`` run at
        ``test_cfg.precision``. ``inputs`` ``(B, C, H, W)``."""
        if mode == 'loss':
            return super().forward(inputs, data_samples, mode)
        device_type = inputs.device.type if isinstance(inputs, Tensor) \
            else 'cpu'
        with precision_context(self.precision, device_type):
            return super().forward(inputs, data_samples, mode)
