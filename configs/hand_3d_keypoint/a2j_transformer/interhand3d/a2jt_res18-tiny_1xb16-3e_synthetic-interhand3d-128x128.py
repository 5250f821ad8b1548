# CPU-sized A2J-Transformer for the quickstart: the same architecture as the
# full model (DC5 ResNet, 4-level deformable encoder, 3D-anchor decoder, A2J
# head, both losses), shrunk to train in minutes on 2 CPU cores, on the
# synthetic InterHand2.6M-format data of tools/quickstart.py. The shrunk
# model, its schedule and the 128x128 RGB codec are the tiny_* values of
# configs/_base_/models/a2jt_res18-tiny.py.
_base_ = [
    './a2jt_res50-dc5_1xb12-42e_interhand3d-256x256.py',
    '../../../_base_/models/a2jt_res18-tiny.py'
]

input_size = {{_base_.tiny_rgb_input_size}}
codec = {{_base_.tiny_rgb_codec}}
model = {{_base_.tiny_rgb_model}}
# the full config's helper values, restated so that the dumped config
# describes the model it builds
embed_dims = {{_base_.tiny_embed_dims}}
num_decoder_layers = {{_base_.tiny_num_decoder_layers}}
max_epochs = {{_base_.tiny_max_epochs}}
msda_cfg = {{_base_.tiny_msda_cfg}}
ffn_cfg = {{_base_.tiny_ffn_cfg}}

train_cfg = {{_base_.tiny_train_cfg}}
optim_wrapper = {{_base_.tiny_optim_wrapper}}
param_scheduler = {{_base_.tiny_rgb_param_scheduler}}
auto_scale_lr = dict(base_batch_size=16)
default_hooks = {{_base_.tiny_default_hooks}}
env_cfg = {{_base_.tiny_env_cfg}}

data_root = 'data/synthetic_interhand/'
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
