# Paper Table 6, 'w/o anchor weights': every anchor gets the same weight (no weight MLPs), joints are the mean of anchor + offset.
_base_ = ['../a2jt_res50-dc5_1xb12-42e_interhand3d-256x256.py']

model = dict(head=dict(uniform_weights=True))
