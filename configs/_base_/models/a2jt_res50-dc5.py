# The A2J-Transformer model of the paper and the official code: ResNet-50 DC5
# feature pyramid, anchor refinement model (6-layer deformable encoder, 6
# decoder layers whose queries are the 16 x 16 in-plane x 3 depth anchors)
# and anchor offset-weight model (A2J head, joint estimation + anchor
# surrounding losses). Set for RGB input of 256 x 256 px; each dataset config
# sets its input size, anchors, number of joints and codec
# (model.head.decoder).
model = dict(
    # mmpose's TopdownPoseEstimator + model.test_cfg.precision
    type='A2JTPoseEstimator',
    # official input normalisation: RGB / 255 (no ImageNet mean/std)
    data_preprocessor=dict(
        type='PoseDataPreprocessor',
        mean=[0., 0., 0.],
        std=[255., 255., 255.],
        bgr_to_rgb=True),
    # ResNet-50 DC5, frozen BN, stem + stage 1 frozen, stages 2-4 out
    backbone=dict(
        type='ResNetDC5',
        depth=50,
        out_indices=(1, 2, 3),
        frozen_stages=1,
        norm_cfg=dict(type='BN', requires_grad=False),
        norm_eval=True,
        init_cfg=dict(type='Pretrained',
                      checkpoint='torchvision://resnet50')),
    neck=dict(
        type='AnchorRefinementNeck',
        in_channels=(512, 1024, 2048),
        embed_dims=256,
        num_extra_levels=1,
        input_size=(256, 256),
        # 16 x 16 in-plane anchors at 7.5 + 16 k px x 3 depths splitting the
        # 256 depth bins in four (63.5, 127.5, 191.5)
        anchor_cfg=dict(num_in_plane=16, stride=16., num_depths=3),
        # 6 deformable encoder layers (mmcv's multi-scale deformable
        # attention: 8 heads, 4 levels x 4 points), post-norm
        encoder=dict(
            num_layers=6,
            layer_cfg=dict(
                self_attn_cfg=dict(
                    embed_dims=256,
                    num_heads=8,
                    num_levels=4,
                    num_points=4,
                    dropout=0.1,
                    batch_first=True),
                ffn_cfg=dict(
                    embed_dims=256,
                    feedforward_channels=1024,
                    ffn_drop=0.1,
                    act_cfg=dict(type='ReLU', inplace=True)))),
        # 6 anchor interaction layers: self-attention among the anchors
        # (mmcv's MultiheadAttention, computed without returning attention
        # maps), deformable cross-attention at each anchor's in-plane
        # position
        decoder=dict(
            num_layers=6,
            layer_cfg=dict(
                self_attn_cfg=dict(
                    type='FusedMultiheadAttention',
                    embed_dims=256,
                    num_heads=8,
                    attn_drop=0.1,
                    proj_drop=0.1,
                    batch_first=True),
                cross_attn_cfg=dict(
                    embed_dims=256,
                    num_heads=8,
                    num_levels=4,
                    num_points=4,
                    dropout=0.1,
                    batch_first=True),
                ffn_cfg=dict(
                    embed_dims=256,
                    feedforward_channels=1024,
                    ffn_drop=0.1,
                    act_cfg=dict(type='ReLU', inplace=True))))),
    head=dict(
        type='A2JHead',
        num_keypoints=42,
        num_layers=6,
        in_channels=256,
        hidden_dims=256,
        offset_scale=256.,
        loss_joint=dict(
            type='JointEstimationLoss',
            in_plane_tau=1.,
            depth_tau=3.,
            in_plane_factor=0.5,
            loss_weight=3.),
        loss_anchor=dict(
            type='AnchorSurroundingLoss',
            in_plane_tau=1.,
            depth_tau=1.,
            loss_weight=1.)),  # + decoder: the dataset config's codec
    # precision: 'fp32', or 'bf16' (bfloat16 autocast, float32 fusion)
    test_cfg=dict(flip_test=False, precision='fp32'))
