# CPU-sized A2J-Transformer on synthetic HANDS 2017-format depth data
# (tools/dataset_converters/generate_synthetic_hands2017.py): the HANDS 2017
# pipeline, target space and anchors, the model shrunk as in the tiny
# InterHand2.6M config; a labelled synthetic validation split.
_base_ = ['./a2jt_res50-dc5_1xb64-17e_hands2017-176x176.py']

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
        hidden_dims=128))

# runtime: 3 epochs, validation after the last, Adam 1e-3 without gradient
# clipping, a linear warm-up of 20 iterations then a cosine decay; logs
# every 10 iterations, one checkpoint, gloo
train_cfg = dict(max_epochs=3, val_interval=3)
optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=1e-3), clip_grad=None)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=20, by_epoch=False,
         start_factor=0.1),
    dict(type='CosineAnnealingLR', begin=0, end=3, by_epoch=True,
         eta_min=1e-5)
]
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=3, save_best=None, max_keep_ckpts=1))
env_cfg = dict(dist_cfg=dict(backend='gloo'))
auto_scale_lr = dict(base_batch_size=8)

data_root = 'data/synthetic_hands2017/'
train_dataloader = dict(
    batch_size=8,
    num_workers=1,
    persistent_workers=True,
    dataset=dict(data_root=data_root + 'training/'))
# the full config has no validation (the real test labels are not public);
# the synthetic set has a labelled one
val_cfg = dict(_delete_=True)  # replaces the full config's None
val_dataloader = dict(
    batch_size=16,
    num_workers=1,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type='Hands2017Dataset',
        data_root=data_root + 'validation/',
        ann_file='Training_Annotation.txt',
        data_prefix=dict(img='images/'),
        cube_half_size=100.,
        pipeline={{_base_.test_pipeline}},
        test_mode=True))
val_evaluator = dict(type='DepthHandMPJPEMetric')
test_dataloader = dict(
    batch_size=16,
    num_workers=1,
    dataset=dict(data_root=data_root + 'frame/'))
test_evaluator = dict(
    outfile_path='work_dirs/synthetic_hands2017_test_results.txt')
