# Paper Table 6, 'w/o anchor refinement model': the transformer (encoder +
# anchor decoder) is replaced by A2J-style convolutions (Xiong et al. 2019):
# layer3 + layer4 (both stride 16, 16 x 16) -> 4 x (3x3 conv 256 + BN + ReLU)
# -> 3x3 conv to 3 x 256 channels, one 256-vector per depth anchor of each
# cell. The A2J head (offset / weight MLPs, softmax fusion) and the losses are
# unchanged; there is one "layer" of anchor features instead of 6.
_base_ = ['../a2jt_res50-dc5_1xb12-42e_interhand3d-256x256.py']

model = dict(
    neck=dict(
        _delete_=True,
        type='A2JConvNeck',
        in_channels=(512, 1024, 2048),
        in_indices=(1, 2),
        embed_dims=256,
        feat_channels=256,
        num_convs=4,
        input_size={{_base_.input_size}},
        anchor_cfg={{_base_.model.neck.anchor_cfg}}),
    head=dict(num_layers=1))
