# Paper Table 6, 'w/o anchor-to-joint module': the 42 x 3 joints are regressed
# directly from the refined anchor queries (mean over the 768 queries -> MLP
# 256-256-256-126, x 256, + the crop centre / middle depth bin), one MLP per
# decoder layer, every layer supervised with the joint estimation loss (no
# anchor surrounding loss). The anchor refinement model is unchanged.
_base_ = ['../a2jt_res50-dc5_1xb12-42e_interhand3d-256x256.py']

model = dict(
    head=dict(
        _delete_=True,
        type='DirectRegressionHead',
        num_keypoints=42,
        num_layers=6,
        in_channels=256,
        hidden_dims=256,
        pooling='mean',
        coord_scale=256.,
        coord_offset=(127.5, 127.5, 128.),
        loss_joint={{_base_.model.head.loss_joint}},
        decoder={{_base_.codec}}))
