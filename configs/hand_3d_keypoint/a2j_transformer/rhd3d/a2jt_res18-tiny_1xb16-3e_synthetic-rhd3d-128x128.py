# CPU-sized A2J-Transformer on synthetic RHD-layout data
# (tools/dataset_converters/generate_synthetic_rhd.py): the RHD setting of
# ./a2jt_res50-dc5_1xb12-42e_rhd3d-256x256.py with the model shrunk as in
# ../interhand3d/a2jt_res18-tiny_1xb16-3e_synthetic-interhand3d-128x128.py
# (ResNet-18, 128 channels, 2 encoder / 3 decoder layers, 8x8x3 anchors on a
# 128x128 input): the tiny_* values of configs/_base_/models/a2jt_res18-tiny.py
# (mmengine cannot inherit from both config files, their keys collide).
_base_ = [
    './a2jt_res50-dc5_1xb12-42e_rhd3d-256x256.py',
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
# no weight decay, as the tiny InterHand2.6M config (the RHD config has 1e-4)
optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=1e-3, weight_decay=0.), clip_grad=None)
param_scheduler = {{_base_.tiny_rgb_param_scheduler}}
auto_scale_lr = dict(base_batch_size=16)
default_hooks = {{_base_.tiny_default_hooks}}
env_cfg = {{_base_.tiny_env_cfg}}

# python tools/dataset_converters/generate_synthetic_rhd.py \
#     --out-dir data/synthetic_rhd --num-images 2000 200
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
