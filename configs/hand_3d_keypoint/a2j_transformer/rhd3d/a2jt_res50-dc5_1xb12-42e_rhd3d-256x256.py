# A2J-Transformer on RHD ("RHP" in the paper, Table 3). The official code
# has no RHP setting; this follows the paper: 256x256 crops with InterNet's
# augmentation (the InterHand2.6M pipeline), 42 epochs, Adam 1e-4 with
# weight decay 1e-4 (the paper's text; the InterHand2.6M code has none),
# InterNet's RHD protocol (one sample per hand, ground-truth box and root
# depth) and its root-aligned EPE (RhdEPEMetric). Model, codec, anchors and
# schedule milestones are inherited from the InterHand2.6M config.
_base_ = ['../interhand3d/a2jt_res50-dc5_1xb12-42e_interhand3d-256x256.py']

optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-4, weight_decay=1e-4))
default_hooks = dict(checkpoint=dict(save_best='EPE', rule='less'))

# RHD_published_v2 of the release: <set>/{color,depth,mask}/%05d.png and
# <set>/anno_<set>.pickle (Rhd3DDataset also reads mmpose's converted json:
# ann_file='annotations/rhd_train.json', data_prefix=dict(img='')).
dataset_type = 'Rhd3DDataset'
data_root = 'data/RHD_published_v2/'

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type=dataset_type,
        data_root=data_root,
        ann_file='training/anno_training.pickle',
        sample_mode='per_hand',
        min_visible_keypoints=10,
        data_mode='topdown',
        pipeline={{_base_.train_pipeline}},
        test_mode=False))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type=dataset_type,
        data_root=data_root,
        ann_file='evaluation/anno_evaluation.pickle',
        sample_mode='per_hand',
        min_visible_keypoints=10,
        data_mode='topdown',
        pipeline={{_base_.val_pipeline}},
        test_mode=True))
test_dataloader = val_dataloader

# root-aligned EPE (mm), InterNet's aggregation (per joint first, hands
# folded onto 21 joints)
val_evaluator = dict(_delete_=True, type='RhdEPEMetric')
test_evaluator = val_evaluator
