# Paper Table 7: 64 in-plane anchors (8 x 8, spread evenly over the 256 px input) x 3 depth values.
_base_ = ['../a2jt_res50-dc5_1xb12-42e_interhand3d-256x256.py']

model = dict(
    neck=dict(
        anchor_cfg=dict(
            num_in_plane=8, stride=None, num_depths=3)))
