# The CPU-sized ("tiny") A2J-Transformer shared by the *_res18-tiny_* configs:
# the full model's architecture (DC5 ResNet, 4-level deformable encoder,
# 3D-anchor decoder, A2J head, both losses) shrunk to train in minutes on 2
# CPU cores (ResNet-18, 128 channels, 4 heads, FFN 512, 2 encoder / 3 decoder
# layers), with its short schedule and CPU runtime.
#
# Each tiny config inherits its dataset's full config and this file, and
# pulls these values in with {{_base_.tiny_*}}. mmengine refuses two bases
# that define the same key, so every name here starts with tiny_ and none of
# them is a key of the full configs; the tiny config assigns them to the
# real keys (model, train_cfg, ...), which merge into the full config's.
tiny_embed_dims = 128
tiny_num_levels = 4
tiny_num_decoder_layers = 3
tiny_max_epochs = 3

tiny_msda_cfg = dict(
    embed_dims=tiny_embed_dims,
    num_heads=4,
    num_levels=tiny_num_levels,
    num_points=4,
    dropout=0.,
    batch_first=True)
tiny_ffn_cfg = dict(
    embed_dims=tiny_embed_dims,
    feedforward_channels=512,
    ffn_drop=0.,
    act_cfg=dict(type='ReLU', inplace=True))

# merged into the full model: ResNet-18 trained from scratch (BN trained, no
# frozen stage, no ImageNet weights), its stage 2-4 channels into the neck
tiny_model = dict(
    backbone=dict(
        depth=18,
        frozen_stages=-1,
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=False,
        init_cfg=None),
    neck=dict(
        in_channels=(128, 256, 512),
        embed_dims=tiny_embed_dims,
        encoder=dict(
            num_layers=2,
            layer_cfg=dict(self_attn_cfg=tiny_msda_cfg,
                           ffn_cfg=tiny_ffn_cfg)),
        decoder=dict(
            num_layers=tiny_num_decoder_layers,
            layer_cfg=dict(
                self_attn_cfg=dict(
                    embed_dims=tiny_embed_dims,
                    num_heads=4,
                    attn_drop=0.,
                    proj_drop=0.,
                    batch_first=True),
                cross_attn_cfg=tiny_msda_cfg,
                ffn_cfg=tiny_ffn_cfg))),
    head=dict(
        num_layers=tiny_num_decoder_layers,
        in_channels=tiny_embed_dims,
        hidden_dims=128))

# runtime: 3 epochs, validation after the last, Adam 1e-3 without gradient
# clipping (the weight decay stays the full config's), a linear warm-up then
# a cosine decay; logs every 10 iterations, one checkpoint, gloo
tiny_train_cfg = dict(max_epochs=tiny_max_epochs, val_interval=tiny_max_epochs)
tiny_optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=1e-3), clip_grad=None)
tiny_cosine_lr = dict(
    type='CosineAnnealingLR',
    begin=0,
    end=tiny_max_epochs,
    by_epoch=True,
    eta_min=1e-5)
tiny_default_hooks = dict(
    logger=dict(type='LoggerHook', interval=10),
    checkpoint=dict(
        type='AtomicCheckpointHook',
        interval=tiny_max_epochs,
        save_best=None,
        max_keep_ckpts=1))
tiny_env_cfg = dict(dist_cfg=dict(backend='gloo'))

# RGB (InterHand2.6M / RHD layout): 128 x 128 crops, 8 x 8 x 3 anchors, the
# paper model (no hand-type / root-depth extension heads), 50 warm-up
# iterations
tiny_rgb_input_size = (128, 128)
tiny_rgb_codec = dict(
    type='A2JInterHandCodec',
    input_size=tiny_rgb_input_size,
    depth_size=256,
    depth_bound=400.)
tiny_rgb_model = dict(
    tiny_model,
    neck=dict(
        tiny_model['neck'],
        input_size=tiny_rgb_input_size,
        anchor_cfg=dict(
            num_in_plane=8, stride=16., depths=(63.5, 127.5, 191.5)),
        anchor_position_scale=(128., 128., 256.)),
    head=dict(
        tiny_model['head'],
        offset_scale=128.,
        decoder=tiny_rgb_codec,
        hand_type_head=None,
        root_depth_head=None))
tiny_rgb_param_scheduler = [
    dict(type='LinearLR', begin=0, end=50, by_epoch=False, start_factor=0.1),
    tiny_cosine_lr
]

# depth (NYU / HANDS 2017 layout): the full config's 176 x 176 crops, anchors
# and codec; 20 warm-up iterations
tiny_depth_param_scheduler = [
    dict(type='LinearLR', begin=0, end=20, by_epoch=False, start_factor=0.1),
    tiny_cosine_lr
]
