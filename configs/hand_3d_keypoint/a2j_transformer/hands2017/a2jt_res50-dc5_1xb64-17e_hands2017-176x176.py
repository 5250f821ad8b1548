# A2J-Transformer on HANDS 2017 (depth, 21 joints), the settings of the
# official hands2017.py script: the paper model with the depth target space,
# HANDS 2017's anchors (11 x 11 x 3), crop, joints and schedule.
_base_ = [
    '../../../_base_/default_runtime.py',
    '../../../_base_/models/a2jt_res50-dc5.py'
]

# runtime: Adam 1e-4, weight decay 1e-4, batch 64 (official: 2 GPUs with
# DataParallel), 17 epochs. The official StepLR(5, 0.2) is stepped with the
# epoch index at the start of each epoch: 1e-4 (epochs 0-4), 2e-5 (5-9),
# 4e-6 (10-14), 8e-7 (15-16), i.e. milestones 5, 10, 15.
max_epochs = 17
train_cfg = dict(max_epochs=max_epochs, val_interval=1)
optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=1e-4, weight_decay=1e-4))
param_scheduler = [
    dict(
        type='MultiStepLR',
        begin=0,
        end=max_epochs,
        by_epoch=True,
        milestones=[5, 10, 15],
        gamma=0.2)
]
auto_scale_lr = dict(base_batch_size=64)
# the test labels are not public: no validation during training (hold out
# part of Training_Annotation.txt and set val_cfg, val_dataloader and
# val_evaluator to get one)
val_cfg = None
default_hooks = dict(checkpoint=dict(save_best=None, max_keep_ckpts=3))

# target space: x, y px of the 176 x 176 crop, z mm relative to the centre
input_size = (176, 176)
codec = dict(type='A2JDepthCodec', input_size=input_size)
cube_half_size = 100.  # mm
depth_half_window = 150.  # mm
depth_mean, depth_std = 0., 75.

# the official anchors: 11 x 11 at 7.5 + 16 k px x depth -75 / 0 / +75 mm
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
    head=dict(num_keypoints=21, decoder=codec))

dataset_type = 'Hands2017Dataset'
data_root = 'data/hands2017/'
meta_keys = ('id', 'img_id', 'img_path', 'frame_name', 'input_size',
             'input_center', 'input_scale', 'crop_box', 'depth_center_uvd',
             'depth_center_xyz', 'center_depth', 'center_source', 'focal',
             'principal_pt', 'rotation', 'depth_scale')
train_pipeline = [
    dict(type='LoadDepthImage', encoding='uint16'),
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
test_pipeline = [
    dict(type='LoadDepthImage', encoding='uint16'),
    dict(type='GetDepthCubeBox', cube_half_size=cube_half_size),
    dict(type='DepthCropResize', input_size=input_size),
    dict(type='DepthWindow', half_depth=depth_half_window),
    dict(type='DepthNormalize', mean=depth_mean, std=depth_std),
    dict(type='DepthToChannels', num_channels=3),
    dict(type='PackPoseInputs', meta_keys=meta_keys)
]
train_dataloader = dict(
    batch_size=64,
    num_workers=8,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='SeededSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root + 'training/',
        ann_file='Training_Annotation.txt',
        data_prefix=dict(img='images/'),
        # center_file='hands2017_center_train.txt',  # precomputed centres
        cube_half_size=cube_half_size,
        pipeline=train_pipeline,
        test_mode=False))
# test frames: frame/BoundingBox.txt lists them (no labels); the crop centres
# must come from a centre file (u v d per frame)
test_dataloader = dict(
    batch_size=64,
    num_workers=8,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root + 'frame/',
        ann_file='BoundingBox.txt',
        data_prefix=dict(img='images/'),
        center_file='center_uvd.txt',
        cube_half_size=cube_half_size,
        pipeline=test_pipeline,
        test_mode=True))
test_evaluator = dict(
    type='Hands2017ResultExporter',
    outfile_path='work_dirs/hands2017_test_results.txt')
