# Extension beyond the paper: the InterHand2.6M paper model plus hand-type
# and relative-root-depth heads (InterNet's outputs and losses), for MRRPE /
# HandednessAcc and single-hand output. Both read the mean of the last
# decoder layer's anchor features; InterNet's losses with InterNet's weights
# (1). The official model uses the ground-truth hand type and root depth
# instead, so official checkpoints have no weights for these heads.
_base_ = ['./a2jt_res50-dc5_1xb12-42e_interhand3d-256x256.py']

model = dict(
    neck=dict(checkpoint_anchors='refuse'),
    head=dict(
        hand_type_head=dict(
            type='A2JHandTypeHead',
            in_channels=256,
            hidden_dims=256,
            num_mlp_layers=2,
            loss=dict(type='BCELoss', use_target_weight=True,
                      loss_weight=1.)),
        root_depth_head=dict(
            type='A2JRootDepthHead',
            in_channels=256,
            hidden_dims=256,
            num_mlp_layers=2,
            num_bins=64,
            loss=dict(type='L1Loss', use_target_weight=True,
                      loss_weight=1.))))
