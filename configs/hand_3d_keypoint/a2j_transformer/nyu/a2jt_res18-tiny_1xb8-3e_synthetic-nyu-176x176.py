# CPU-sized A2J-Transformer on synthetic NYU-format depth data
# (tools/dataset_converters/generate_synthetic_nyu.py): the NYU pipeline and
# target space, the model shrunk as in the tiny InterHand2.6M config (the
# tiny_* values of configs/_base_/models/a2jt_res18-tiny.py).
_base_ = [
    './a2jt_res50-dc5_1xb4-45e_nyu-176x176.py',
    '../../../_base_/models/a2jt_res18-tiny.py'
]

model = {{_base_.tiny_model}}
# the full config's helper values, restated so that the dumped config
# describes the model it builds
embed_dims = {{_base_.tiny_embed_dims}}
num_decoder_layers = {{_base_.tiny_num_decoder_layers}}
max_epochs = {{_base_.tiny_max_epochs}}
msda_cfg = {{_base_.tiny_msda_cfg}}
ffn_cfg = {{_base_.tiny_ffn_cfg}}

train_cfg = {{_base_.tiny_train_cfg}}
optim_wrapper = {{_base_.tiny_optim_wrapper}}
param_scheduler = {{_base_.tiny_depth_param_scheduler}}
auto_scale_lr = dict(base_batch_size=8)
default_hooks = {{_base_.tiny_default_hooks}}
env_cfg = {{_base_.tiny_env_cfg}}

data_root = 'data/synthetic_nyu/'
train_dataloader = dict(
    batch_size=8,
    num_workers=1,
    persistent_workers=True,
    dataset=dict(data_root=data_root))
val_dataloader = dict(
    batch_size=16,
    num_workers=1,
    persistent_workers=True,
    dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
