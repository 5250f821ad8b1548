# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from mmcv.cnn.bricks.transformer import MultiheadAttention
from mmpose.registry import MODELS


@MODELS.register_module()
class FusedMultiheadAttention(MultiheadAttention):
    """mmcv's ``MultiheadAttention`` whose attention never returns the
    attention maps.

    mmcv calls its ``nn.MultiheadAttention`` (``self.attn``) with PyTorch's
    default ``need_weights=True``, which computes the ``(B * heads, N_q,
    N_k)`` softmax map explicitly and keeps it for backward. Here
    ``self.attn`` is called with ``need_weights=False``, so PyTorch computes
    the attention with ``scaled_dot_product_attention`` (flash /
    memory-efficient kernels): for the 1600 tokens of the plain-attention
    encoder at 256 x 256 that is an ``(8, 1600, 1600)`` map (82 MB in
    float32) per image and layer that is not stored. (PyTorch's CPU kernel
    has no dropout: on the CPU, training with ``attn_drop > 0`` falls back to
    the explicit map.)

    Same arguments, parameters (state-dict keys ``attn.in_proj_weight``,
    ``attn.in_proj_bias``, ``attn.out_proj.*``) and outputs as
    ``MultiheadAttention``, up to float rounding. Select it in a layer config
    with ``type='FusedMultiheadAttention'`` (see
    :mod:`~a2jt_mmpose.models.utils.plain_attention_layers`).

    Args:
        fused (bool): compute without maps. Default True; False gives
            mmcv's computation (kept as the plain attribute ``fused`` so
            that a benchmark can switch it per module).
        *args, **kwargs: those of mmcv's ``MultiheadAttention``
            (``embed_dims``, ``num_heads``, ``attn_drop``, ``proj_drop``,
            ``batch_first``, ...).
    """

    def __init__(self, *args, fused: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fused = fused
        self.attn.register_forward_pre_hook(
            self._without_attention_maps, with_kwargs=True)

    def _without_attention_maps(self, module, args: tuple, kwargs: dict):
        """Forward pre-hook of ``self.attn``: ask for no maps when
        ``fused``, and hand it contiguous ``(N, B, C)`` inputs.

        With ``batch_first=True`` mmcv passes transposed views; for a batch
        above 1 PyTorch's ``matmul`` then runs the input projection as a
        ``bmm`` against the ``(C, C)`` weight expanded to one copy per
        token (768 x 256 x 256 for the anchor queries: 100 MB copied per
        projection in bfloat16, 200 MB in float32).
        """
        if self.fused:
            kwargs['need_weights'] = False
            for name in ('query', 'key', 'value'):
                if kwargs.get(name) is not None:
                    kwargs[name] = kwargs[name].contiguous()
        return args, kwargs
