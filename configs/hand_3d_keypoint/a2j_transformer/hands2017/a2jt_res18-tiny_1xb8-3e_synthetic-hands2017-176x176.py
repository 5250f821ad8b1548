# CPU-sized A2J-Transformer on synthetic HANDS 2017-format depth data
# (tools/dataset_converters/generate_synthetic_hands2017.py): the HANDS 2017
# pipeline and target space, the model shrunk as in the tiny NYU /
# InterHand2.6M configs; a labelled synthetic validation split.
_base_ = ['./a2jt_res50-dc5_1xb64-17e_hands2017-176x176.py']

embed_dims = 128
num_levels = 4
num_decoder_layers = 3
max_epochs = 3

train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=1e-3, weight_decay=1e-4), clip_grad=None)
param_scheduler = [
    dict(type='LinearLR', begin=0, end=20, by_epoch=False, start_factor=0.1),
    dict(
        type='CosineAnnealingLR',
        begin=0,
        end=max_epochs,
        by_epoch=True,
        eta_min=1e-5)
]
auto_scale_lr = dict(base_batch_size=8)
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
        hidden_dims=128))

data_root = 'data/synthetic_hands2017/'
train_dataloader = dict(
    batch_size=8,
    num_workers=1,
    persistent_workers=True,
    dataset=dict(data_root=data_root + 'training/'))
val_cfg = dict(_delete_=True)
val_dataloader = dict(
    _delete_=True,
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
val_evaluator = dict(_delete_=True, type='DepthHandMPJPEMetric')
test_dataloader = dict(
    batch_size=16,
    num_workers=1,
    dataset=dict(data_root=data_root + 'frame/'))
test_evaluator = dict(
    outfile_path='work_dirs/synthetic_hands2017_test_results.txt')
