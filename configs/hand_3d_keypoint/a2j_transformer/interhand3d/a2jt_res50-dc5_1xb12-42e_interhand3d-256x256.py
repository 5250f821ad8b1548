# A2J-Transformer on InterHand2.6M (5 fps release): the paper's model and the
# official implementation's training (README "Faithfulness"). Checkpoints
# converted from the official code
# (tools/model_converters/a2jt_official_to_mmpose.py) are tested and run with
# this config. The model predicts both hands' 42 joints; for hand presence
# and the left hand's root depth see ..._hand-type-root-depth.py.
_base_ = [
    '../../../_base_/default_runtime.py',
    '../../../_base_/models/a2jt_res50-dc5.py'
]

# runtime: Adam 1e-4 (no weight decay, as the official InterHand2.6M code),
# 42 epochs, lr / 5 at epochs 24 and 35
train_cfg = dict(max_epochs=42, val_interval=1)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-4))
param_scheduler = [
    dict(
        type='MultiStepLR',
        begin=0,
        end=42,
        by_epoch=True,
        milestones=[24, 35],
        gamma=0.2)
]
auto_scale_lr = dict(base_batch_size=12)
default_hooks = dict(checkpoint=dict(save_best='MPJPE_all', rule='less'))

# codec: input pixels + 256 depth bins over +-200 mm around each hand's root;
# the relative root depth in InterNet's 64 bins over +-200 mm is a target of
# the extension heads only (..._hand-type-root-depth.py)
input_size = (256, 256)
codec = dict(
    type='A2JInterHandCodec',
    input_size=input_size,
    depth_size=256,
    depth_bound=400.,
    root_depth_size=64,
    root_depth_bound=400.)

# The official anchor table is a trained parameter: a converted official
# checkpoint brings its own, slightly drifted table, which is used, with a
# warning giving its distance to the configured grid.
model = dict(
    neck=dict(input_size=input_size, checkpoint_anchors='load'),
    head=dict(decoder=codec))

# data
dataset_type = 'CheckedInterHand3DDataset'
data_root = 'data/InterHand2.6M_5fps/'
meta_keys = ('id', 'img_id', 'img_path', 'rotation', 'img_shape', 'focal',
             'principal_pt', 'input_size', 'input_center', 'input_scale',
             'hand_type', 'hand_type_valid', 'flip', 'flip_indices',
             'abs_depth')
train_pipeline = [
    dict(type='LoadImage'),
    # square box, x 1.25 (the square is made by TopdownAffine)
    dict(type='GetBBoxCenterScale', padding=1.25),
    # flip p 0.5, swaps the hands (joint blocks, hand type)
    dict(type='HandRandomFlip', prob=0.5),
    # shift +-0.15 of the squared box, scale 0.75-1.25, rotation
    # 45 * clip(N, -2, 2) w.p. 0.6
    dict(type='InterNetBBoxTransform', input_size=input_size),
    dict(type='TopdownAffine', input_size=input_size),
    dict(type='RandomColorGain', gain_range=(0.8, 1.2)),
    # a blank crop (sum of img / 255 < 1e-4) trains on nothing (official)
    dict(type='InvalidateBlankCrop'),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs', meta_keys=meta_keys)
]
val_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale', padding=1.25),
    dict(type='TopdownAffine', input_size=input_size),
    dict(type='PackPoseInputs', meta_keys=meta_keys)
]
train_dataloader = dict(
    batch_size=12,
    num_workers=8,
    persistent_workers=True,
    drop_last=True,
    sampler=dict(type='SeededSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        ann_file='annotations/train/InterHand2.6M_train_data.json',
        camera_param_file='annotations/train/InterHand2.6M_train_camera.json',
        joint_file='annotations/train/InterHand2.6M_train_joint_3d.json',
        use_gt_root_depth=True,
        rootnet_result_file=None,
        data_mode='topdown',
        data_root=data_root,
        data_prefix=dict(img='images/train/'),
        pipeline=train_pipeline,
        test_mode=False))
val_dataloader = dict(
    batch_size=48,
    num_workers=8,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type=dataset_type,
        ann_file='annotations/test/InterHand2.6M_test_data.json',
        camera_param_file='annotations/test/InterHand2.6M_test_camera.json',
        joint_file='annotations/test/InterHand2.6M_test_joint_3d.json',
        use_gt_root_depth=True,
        rootnet_result_file=None,
        data_mode='topdown',
        data_root=data_root,
        data_prefix=dict(img='images/test/'),
        pipeline=val_pipeline,
        test_mode=True))
test_dataloader = val_dataloader

# MPJPE with the official per-joint-first aggregation (+ mmpose's pooled
# one); MRRPE and HandednessAcc are left out, with a log line, as the paper
# model predicts neither (..._hand-type-root-depth.py does)
val_evaluator = dict(
    type='InterHandMPJPEMetric', modes=['MPJPE', 'MRRPE', 'HandednessAcc'])
test_evaluator = val_evaluator
