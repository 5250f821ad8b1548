# Paper Table 6, 'w/o MSDAM': plain multi-head attention instead of
# multi-scale deformable attention, in the encoder (full self-attention over
# all 1600 tokens of the 4 levels) and in the decoder cross-attention (the 768
# anchor queries attend to all 1600 memory tokens; key = memory + its
# positional encoding). Everything else as the full model. Every multi-head
# attention is FusedMultiheadAttention: mmcv's MultiheadAttention (the same
# parameters and function) that keeps no attention maps for backward.
_base_ = ['../a2jt_res50-dc5_1xb12-42e_interhand3d-256x256.py']

mha_cfg = dict(
    type='FusedMultiheadAttention',
    embed_dims=256,
    num_heads=8,
    attn_drop=0.1,
    proj_drop=0.1,
    batch_first=True)

model = dict(
    neck=dict(
        type='PlainAttentionAnchorRefinementNeck',
        encoder=dict(layer_cfg=dict(self_attn_cfg=dict(_delete_=True,
                                                       **mha_cfg))),
        decoder=dict(
            layer_cfg=dict(
                self_attn_cfg=dict(type='FusedMultiheadAttention'),
                cross_attn_cfg=dict(_delete_=True, **mha_cfg)))))
