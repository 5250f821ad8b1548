# CPU-sized A2J-Transformer on synthetic HANDS 2017-format depth data
# (tools/dataset_converters/generate_synthetic_hands2017.py): the HANDS 2017
# pipeline and target space, the model shrunk as in the tiny NYU /
# InterHand2.6M configs (the tiny_* values of
# configs/_base_/models/a2jt_res18-tiny.py); a labelled synthetic validation
# split.
_base_ = [
    './a2jt_res50-dc5_1xb64-17e_hands2017-176x176.py',
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
