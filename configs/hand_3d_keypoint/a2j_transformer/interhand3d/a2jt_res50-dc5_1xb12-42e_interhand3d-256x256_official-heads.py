# The paper / official A2J-Transformer model only: the InterHand2.6M config
# without the hand-type and relative-root-depth heads (an extension). Use it
# for checkpoints converted from the official code
# (tools/model_converters/a2jt_official_to_mmpose.py), which have no weights
# for those heads; equivalently pass
#   --cfg-options model.head.hand_type_head=None model.head.root_depth_head=None
# Predictions then report both hands present (hand_type [[1, 1]]) and
# rel_root_depth 0 (left root at the right root's depth); the metric leaves
# MRRPE and HandednessAcc out.
_base_ = ['./a2jt_res50-dc5_1xb12-42e_interhand3d-256x256.py']

# The official anchor table is a trained parameter (section 4.5 of the
# reference): a converted official checkpoint brings its own, slightly
# drifted table, which is used, with a warning giving its distance to the
# configured grid.
model = dict(
    neck=dict(checkpoint_anchors='load'),
    head=dict(hand_type_head=None, root_depth_head=None))
