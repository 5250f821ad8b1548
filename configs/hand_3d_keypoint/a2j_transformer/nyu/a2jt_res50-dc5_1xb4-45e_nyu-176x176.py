# A2J-Transformer on NYU (depth, 14 joints), the settings of the official
# nyu.py script: the paper model with the depth target space, its anchors
# and 14 joints.
_base_ = [
    '../../../_base_/default_runtime.py',
    '../../../_base_/models/a2jt_res50-dc5.py'
]

# runtime: Adam 1e-4, weight decay 1e-4, batch 4, 45 epochs. The official
# StepLR(15, 0.2) is stepped with the epoch index at the end of every epoch,
# so the lr is 1e-4 for epochs 0-15, 2e-5 for 16-30 and 4e-6 for 31-44:
# milestones 16 and 31 (mmengine's StepLR(15) would drop at 15 and 30).
# The official test loads the epoch-41 checkpoint (0-based), i.e.
# epoch_42.pth here.
max_epochs = 45
train_cfg = dict(max_epochs=max_epochs, val_interval=1)
optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=1e-4, weight_decay=1e-4))
param_scheduler = [
    dict(
        type='MultiStepLR',
        begin=0,
        end=max_epochs,
        by_epoch=True,
        milestones=[16, 31],
        gamma=0.2)
]
auto_scale_lr = dict(base_batch_size=4)
default_hooks = dict(
    checkpoint=dict(save_best='MPJPE', rule='less', max_keep_ckpts=5))

# target space: x, y px of the 176 x 176 crop, z mm relative to the centre
input_size = (176, 176)
codec = dict(type='A2JDepthCodec', input_size=input_size)
cube_half_size = 110.  # mm (HANDS 2017: 100)
depth_half_window = 150.  # mm
# relative depth normalisation; A2J's mean/std files are not released
depth_mean, depth_std = 0., 75.

# Anchors: depth -75 / 0 / +75 mm around the centre (official: 3 depths
# splitting +-150 mm in four). In-plane: 11 x 11 at 7.5 + 16 k px, which
# covers the 176 crop (HANDS 2017's official grid). Deviation: the official
# NYU script keeps 16 x 16 spanning 256 px (half the anchors lie outside the
# crop) and samples at anchor / 256; here the sampling locations are
# anchor / 176 (the neck divides by input_size) and the positional encoding
# uses (176, 176, 256).
model = dict(
    # the pipeline normalises and replicates the depth to 3 channels
    data_preprocessor=dict(
        mean=[0., 0., 0.], std=[1., 1., 1.], bgr_to_rgb=False),
    neck=dict(
        input_size=input_size,
        anchor_cfg=dict(
            num_in_plane=11,
            stride=16.,
            num_depths=3,
            depth_range=(-150., 150.))),
    head=dict(num_keypoints=14, decoder=codec))

dataset_type = 'NYUHandDataset'
data_root = 'data/nyu/'
meta_keys = ('id', 'img_id', 'img_path', 'frame_name', 'input_size',
             'input_center', 'input_scale', 'crop_box', 'depth_center_uvd',
             'depth_center_xyz', 'center_depth', 'center_source', 'focal',
             'principal_pt', 'rotation', 'depth_scale')
train_pipeline = [
    dict(type='LoadDepthImage', encoding='nyu_rgb'),
    dict(type='GetDepthCubeBox', cube_half_size=cube_half_size),
    dict(type='RandomDepthBoxShift', shift_range=(-5, 4)),
    dict(type='DepthCropResize', input_size=input_size),
    dict(type='DepthWindow', half_depth=depth_half_window),
    dict(
        type='RandomDepthRotateScale',
        rotate_range=(-180, 179),
        scale_range=(0.5, 1.5),
        border_value=depth_mean),
    dict(type='DepthNormalize', mean=depth_mean, std=depth_std),
    dict(type='RandomErasingNoise', prob=0.5),
    dict(type='DepthToChannels', num_channels=3),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs', meta_keys=meta_keys)
]
val_pipeline = [
    dict(type='LoadDepthImage', encoding='nyu_rgb'),
    dict(type='GetDepthCubeBox', cube_half_size=cube_half_size),
    dict(type='DepthCropResize', input_size=input_size),
    dict(type='DepthWindow', half_depth=depth_half_window),
    dict(type='DepthNormalize', mean=depth_mean, std=depth_std),
    dict(type='DepthToChannels', num_channels=3),
    dict(type='PackPoseInputs', meta_keys=meta_keys)
]
train_dataloader = dict(
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='SeededSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='train/joint_data.mat',
        # center_file='nyu_center_train.mat',  # A2J's centres, if present
        kinects=(1, ),
        cube_half_size=cube_half_size,
        pipeline=train_pipeline,
        test_mode=False))
val_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='test/joint_data.mat',
        kinects=(1, ),
        cube_half_size=cube_half_size,
        pipeline=val_pipeline,
        test_mode=True))
test_dataloader = val_dataloader
val_evaluator = dict(type='DepthHandMPJPEMetric')
test_evaluator = val_evaluator
