# mmpose's runtime with this package's checkpointing, exact resume and 3D
# hand visualiser; every config of the package inherits it.
_base_ = ['mmpose::_base_/default_runtime.py']

custom_imports = dict(imports=['a2jt_mmpose'], allow_failed_imports=False)

# checkpoints: mmengine's CheckpointHook arguments; every save goes to a
# temporary file, is fsynced and renamed, and replaced checkpoints are
# removed only after it (a kill during a save loses no checkpoint)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=50),
    checkpoint=dict(type='AtomicCheckpointHook', interval=1, max_keep_ckpts=3))
# every sample's augmentation and the main process's randomness are drawn
# from (seed, epoch, index) / (seed, iteration): a resumed run equals an
# uninterrupted one, for any num_workers and persistent_workers
custom_hooks = [dict(type='SyncBuffersHook'), dict(type='SeededRandomnessHook')]
visualizer = dict(
    type='Hand3DLocalVisualizer',
    vis_backends=[dict(type='LocalVisBackend')],
    name='visualizer')
