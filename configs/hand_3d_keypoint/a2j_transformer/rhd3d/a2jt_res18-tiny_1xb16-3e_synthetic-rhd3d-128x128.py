# CPU-sized A2J-Transformer on synthetic RHD-layout data
# (tools/dataset_converters/generate_synthetic_rhd.py): the RHD setting of
# ./a2jt_res50-dc5_1xb12-42e_rhd3d-256x256.py with the model shrunk as in
# ../interhand3d/a2jt_res18-tiny_1xb16-3e_synthetic-interhand3d-128x128.py
# (ResNet-18, 128 channels, 2 encoder / 3 decoder layers, 8x8x3 anchors on a
# 128x128 input). mmengine cannot inherit from both files (duplicate keys),
# so the model sizes are restated here.
_base_ = ['./a2jt_res50-dc5_1xb12-42e_rhd3d-256x256.py']

input_size = (128, 128)
embed_dims = 128
num_levels = 4
num_decoder_layers = 3
max_epochs = 3
codec = dict(
    type='A2JInterHandCodec',
    input_size=input_size,
    depth_size=256,
    depth_bound=400.)

train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=1e-3, weight_decay=0.), clip_grad=None)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=50, by_epoch=False, start_factor=0.1),
    dict(
        type='CosineAnnealingLR',
        begin=0,
        end=max_epochs,
        by_epoch=True,
        eta_min=1e-5)
]
auto_scale_lr = dict(base_batch_size=16)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=10),
    checkpoint=dict(
        type='CheckpointHook',
        interval=max_epochs,
        save_best=None,
        max_keep_ckpts=1))
env_cfg = dict(dist_cfg=dict(backend='gloo'))

msda_cfg = dict(
    embed_dims=embed_dims,
    num_heads=4,
    num_levels=num_levels,
    num_points=4,
    dropout=0.,
    batch_first=True)
ffn_cfg = dict(
    embed_dims=embed_dims,
    feedforward_channels=512,
    ffn_drop=0.,
    act_cfg=dict(type='ReLU', inplace=True))
model = dict(
    backbone=dict(
        depth=18,
        frozen_stages=-1,
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=False,
        init_cfg=None),
    neck=dict(
        in_channels=(128, 256, 512),
        embed_dims=embed_dims,
        input_size=input_size,
        anchor_cfg=dict(
            num_in_plane=8, stride=16., depths=(63.5, 127.5, 191.5)),
        anchor_position_scale=(128., 128., 256.),
        encoder=dict(
            num_layers=2,
            layer_cfg=dict(self_attn_cfg=msda_cfg, ffn_cfg=ffn_cfg)),
        decoder=dict(
            num_layers=num_decoder_layers,
            layer_cfg=dict(
                self_attn_cfg=dict(
                    embed_dims=embed_dims,
                    num_heads=4,
                    attn_drop=0.,
                    proj_drop=0.,
                    batch_first=True),
                cross_attn_cfg=msda_cfg,
                ffn_cfg=ffn_cfg))),
    head=dict(
        num_layers=num_decoder_layers,
        in_channels=embed_dims,
        hidden_dims=128,
        offset_scale=128.,
        decoder=codec,
        # the paper model: no hand-type / root-depth extension heads
        hand_type_head=None,
        root_depth_head=None))

# python tools/dataset_converters/generate_synthetic_rhd.py \
#     --out-dir data/synthetic_rhd --num-images 2000 200
data_root = 'data/synthetic_rhd/'
train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale', padding=1.25),
    dict(type='HandRandomFlip', prob=0.5),
    dict(type='InterNetBBoxTransform', rotate_prob=0.3),
    dict(type='TopdownAffine', input_size=input_size),
    dict(type='RandomColorGain', gain_range=(0.8, 1.2)),
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
