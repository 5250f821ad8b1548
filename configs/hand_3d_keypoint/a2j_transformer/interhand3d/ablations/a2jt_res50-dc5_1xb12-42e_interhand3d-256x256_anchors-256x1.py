# Paper Table 7: 256 in-plane anchors x 1 depth value(s) (spacing 256 / (1 + 1) bins around the root, which gives the official 63.5 / 127.5 / 191.5 for 3).
_base_ = ['../a2jt_res50-dc5_1xb12-42e_interhand3d-256x256.py']

model = dict(
    neck=dict(
        anchor_cfg=dict(
            num_in_plane=16, stride=None, num_depths=1)))
