# CPU-sized A2J-Transformer on synthetic RHD-layout data
# (tools/dataset_converters/generate_synthetic_rhd.py): the RHD setting of
# ./a2jt_res50-dc5_1xb12-42e_rhd3d-256x256.py with the model shrunk as in
# ../interhand3d/a2jt_res18-tiny_1xb16-3e_synthetic-interhand3d-128x128.py.
#     python tools/dataset_converters/generate_synthetic_rhd.py \
#         --out-dir data/synthetic_rhd --num-images 2000 200
_base_ = ['./a2jt_res50-dc5_1xb12-42e_rhd3d-256x256.py']

# 128 x 128 crops, 8 x 8 x 3 anchors, 256 depth bins over +-200 mm
input_size = (128, 128)
codec = dict(
    type='A2JInterHandCodec',
    input_size=input_size,
    depth_size=256,
    depth_bound=400.,
    root_depth_size=64,
    root_depth_bound=400.)

model = dict(
    # ResNet-18 trained from scratch (BN trained, no frozen stage, no
    # ImageNet weights), its stage 2-4 channels into the neck
    backbone=dict(
        depth=18,
        frozen_stages=-1,
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=False,
        init_cfg=None),
    neck=dict(
        in_channels=(128, 256, 512),
        embed_dims=128,
        input_size=input_size,
        anchor_cfg=dict(num_in_plane=8, stride=16., num_depths=3),
        checkpoint_anchors='refuse',
        encoder=dict(
            num_layers=2,
            layer_cfg=dict(
                self_attn_cfg=dict(
                    embed_dims=128,
                    num_heads=4,
                    num_levels=4,
                    num_points=4,
                    dropout=0.,
                    batch_first=True),
                ffn_cfg=dict(
                    embed_dims=128, feedforward_channels=512, ffn_drop=0.))),
        decoder=dict(
            num_layers=3,
            layer_cfg=dict(
                self_attn_cfg=dict(
                    embed_dims=128,
                    num_heads=4,
                    attn_drop=0.,
                    proj_drop=0.,
                    batch_first=True),
                cross_attn_cfg=dict(
                    embed_dims=128,
                    num_heads=4,
                    num_levels=4,
                    num_points=4,
                    dropout=0.,
                    batch_first=True),
                ffn_cfg=dict(
                    embed_dims=128, feedforward_channels=512,
                    ffn_drop=0.)))),
    head=dict(
        num_layers=3,
        in_channels=128,
        hidden_dims=128,
        offset_scale=128.,
        decoder=codec))

# runtime: 3 epochs, validation after the last, Adam 1e-3 without gradient
# clipping or weight decay (as the tiny InterHand2.6M config), a linear warm-up of 50 iterations then a cosine decay; logs
# every 10 iterations, one checkpoint, gloo
train_cfg = dict(max_epochs=3, val_interval=3)
optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=1e-3, weight_decay=0.), clip_grad=None)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=50, by_epoch=False,
         start_factor=0.1),
    dict(type='CosineAnnealingLR', begin=0, end=3, by_epoch=True,
         eta_min=1e-5)
]
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=3, save_best=None, max_keep_ckpts=1))
env_cfg = dict(dist_cfg=dict(backend='gloo'))
auto_scale_lr = dict(base_batch_size=16)

data_root = 'data/synthetic_rhd/'
train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale', padding=1.25),
    dict(type='HandRandomFlip', prob=0.5),
    dict(type='InterNetBBoxTransform', input_size=input_size,
         rotate_prob=0.3),
    dict(type='TopdownAffine', input_size=input_size),
    dict(type='RandomColorGain', gain_range=(0.8, 1.2)),
    dict(type='InvalidateBlankCrop'),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs', meta_keys={{_base_.meta_keys}})
]
val_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale', padding=1.25),
    dict(type='TopdownAffine', input_size=input_size),
    dict(type='PackPoseInputs', meta_keys={{_base_.meta_keys}})
]
train_dataloader = dict(
    batch_size=16,
    num_workers=1,
    persistent_workers=True,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=32,
    num_workers=1,
    persistent_workers=True,
    dataset=dict(data_root=data_root, pipeline=val_pipeline))
test_dataloader = val_dataloader
