# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Anchor weights of one joint drawn over the input crop (paper Fig. 6).

:func:`anchor_weights_of_joint` runs a model on one image through its test
pipeline and returns the softmax anchor weights of a joint (read from the
head's public :meth:`A2JHead.fuse`); :func:`draw_anchor_weights` draws them,
one panel per anchor depth value (3 panels for the 16 x 16 x 3 anchors).
"""
from typing import Optional, Sequence, Union

import numpy as np
import torch
from torch import Tensor


def joint_index(joint: Union[int, str], dataset_meta: Optional[dict]) -> int:
    """Joint index from an index or a keypoint name of ``dataset_meta``."""
    if isinstance(joint, int) or str(joint).lstrip('-').isdigit():
        return int(joint)
    names = (dataset_meta or {}).get('keypoint_name2id', {})
    if joint not in names:
        raise KeyError(f'unknown joint {joint!r}; known names: '
                       f'{sorted(names)[:10]}... (or pass an index)')
    return int(names[joint])


@torch.no_grad()
def anchor_weights_of_joint(model: torch.nn.Module,
                            img: Union[str, np.ndarray],
                            joint: Union[int, str],
                            bbox: Optional[Sequence[float]] = None,
                            layer: int = -1) -> dict:
    """Softmax anchor weights of one joint for one image.

    The image goes through ``model.cfg.test_dataloader.dataset.pipeline``
    (as ``mmpose.apis.inference_topdown``; the whole image is the box unless
    ``bbox`` is given), the data preprocessor, the backbone and the neck; the
    head's :meth:`fuse` gives the weights.

    Args:
        model (nn.Module): a top-down estimator with an A2J head (a head
            with ``fuse(feats) -> AnchorFusion``: ``joints``,
            ``weighted_anchors``, ``weights``)
            and ``cfg`` / ``dataset_meta`` set (``mmpose.apis.init_model``).
        img (str | np.ndarray): image path or BGR array.
        joint (int | str): joint index or keypoint name.
        bbox (Sequence[float], optional): ``(x1, y1, x2, y2)`` in image px.
        layer (int): decoder layer. Default -1 (the one used for testing).

    Returns:
        dict:
        - ``crop``: the network input, RGB uint8 ``(H, W, 3)`` (the same
          pixels the model saw, before mean/std normalisation);
        - ``anchors``: ``(A, 3)`` (input px, codec depth unit);
        - ``weights``: ``(A,)``, softmax over the anchors (sums to 1);
        - ``joint``: predicted ``(3,)`` joint of that layer (input px, codec
          depth unit);
        - ``joint_index``: the joint's index.
    """
    from mmengine.dataset import Compose, pseudo_collate

    head = model.head
    if not hasattr(head, 'fuse'):
        raise TypeError(
            f'{type(head).__name__} has no anchor weights (no fuse()); '
            'anchor weights exist only for A2J heads')
    k = joint_index(joint, getattr(model, 'dataset_meta', None))
    if not -head.num_keypoints <= k < head.num_keypoints:
        raise IndexError(f'joint {k} out of range for '
                         f'{head.num_keypoints} keypoints')
    k %= head.num_keypoints

    pipeline = Compose(model.cfg.test_dataloader.dataset.pipeline)
    data = dict(img_path=img) if isinstance(img, str) else dict(img=img)
    if bbox is None:
        if isinstance(img, str):
            from PIL import Image
            w, h = Image.open(img).size
        else:
            h, w = img.shape[:2]
        bbox = (0, 0, w, h)
    data['bbox'] = np.asarray(bbox, dtype=np.float32).reshape(1, 4)
    data['bbox_score'] = np.ones(1, dtype=np.float32)
    data.update(getattr(model, 'dataset_meta', None) or {})
    data = pipeline(data)
    crop = data['inputs'].permute(1, 2, 0).cpu().numpy()
    if crop.shape[-1] == 3 and getattr(model.data_preprocessor,
                                       '_channel_conversion', False):
        crop = crop[..., ::-1]  # BGR pipeline image -> RGB
    batch = model.data_preprocessor(pseudo_collate([data]), False)
    was_training = model.training
    model.eval()
    try:
        feats = model.extract_feat(batch['inputs'])
        fused = head.fuse(feats)
    finally:
        model.train(was_training)
    return dict(
        crop=np.ascontiguousarray(crop).astype(np.uint8),
        anchors=feats.anchors.detach().cpu().numpy(),
        weights=fused.weights[layer, 0, :, k].detach().cpu().numpy(),
        joint=fused.joints[layer, 0, k].detach().cpu().numpy(),
        joint_index=k)


def draw_anchor_weights(crop: np.ndarray,
                        anchors: Union[np.ndarray, Tensor],
                        weights: Union[np.ndarray, Tensor],
                        joint: Optional[np.ndarray] = None,
                        title: str = '',
                        depth_unit: str = 'bins',
                        out_file: Optional[str] = None,
                        marker_size: Optional[float] = None) -> dict:
    """Draw the anchor weights of one joint, one panel per depth value.

    Each anchor is a disc at its in-plane position whose area and colour
    grow with its weight (one colour scale for all panels, 0 to the largest
    weight). The predicted joint's ``(x, y)`` is drawn as a cross on every
    panel.

    Args:
        crop (np.ndarray): RGB ``(H, W, 3)`` network input.
        anchors (np.ndarray | Tensor): ``(A, 3)``: ``x, y`` input px and z.
        weights (np.ndarray | Tensor): ``(A,)`` softmax anchor weights.
        joint (np.ndarray, optional): predicted ``(3,)`` joint.
        title (str): figure title.
        depth_unit (str): unit of the anchor depth, for the panel titles.
        out_file (str, optional): write the figure as PNG.
        marker_size (float, optional): disc area (points^2) of the largest
            weight. Default: a diameter of 90 % of the in-plane anchor
            spacing on the figure.

    Returns:
        dict: ``depths`` (D,), ``panels``: per depth the ``(n, 2)`` anchor
        positions and ``(n,)`` weights drawn, ``image``: the rendered RGB
        figure ``(h, w, 3)`` uint8.
    """
    import matplotlib
    matplotlib.use('Agg', force=False)
    import matplotlib.pyplot as plt

    anchors = np.asarray(anchors, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    if anchors.ndim != 2 or anchors.shape[1] != 3 or \
            weights.shape != anchors.shape[:1]:
        raise ValueError(f'anchors (A, 3) and weights (A,) expected, got '
                         f'{anchors.shape} and {weights.shape}')
    depths = np.unique(anchors[:, 2])
    panels = []
    vmax = float(weights.max()) if weights.max() > 0 else 1.
    fig, axes = plt.subplots(
        1, len(depths), figsize=(4 * len(depths), 4.4), squeeze=False)
    if marker_size is None:
        # drawn panel width in points / anchors per row
        fig.canvas.draw()
        panel_pt = min(
            axes[0, 0].get_window_extent().width,
            axes[0, 0].get_window_extent().height) * 72. / fig.dpi
        n_x = max(len(np.unique(anchors[:, 0])), 1)
        marker_size = (0.9 * panel_pt / n_x)**2
    for ax, z in zip(axes[0], depths):
        sel = anchors[:, 2] == z
        xy, w = anchors[sel, :2], weights[sel]
        panels.append(dict(depth=float(z), xy=xy, weights=w))
        ax.imshow(crop)
        order = np.argsort(w)  # heavy anchors on top
        sc = ax.scatter(
            xy[order, 0], xy[order, 1], s=marker_size * w[order] / vmax,
            c=w[order], cmap='jet', vmin=0., vmax=vmax, alpha=0.8,
            edgecolors='none')
        ax.scatter(xy[:, 0], xy[:, 1], s=1, c='w', alpha=0.5)
        if joint is not None:
            ax.plot(joint[0], joint[1], 'x', color='magenta', ms=10, mew=2)
        ax.set_title(f'z = {z:g} {depth_unit}, sum w = {w.sum():.3f}')
        ax.set_xlim(-0.5, crop.shape[1] - 0.5)
        ax.set_ylim(crop.shape[0] - 0.5, -0.5)
        ax.axis('off')
    fig.colorbar(sc, ax=axes[0].tolist(), fraction=0.02, label='weight')
    if title:
        fig.suptitle(title)
    fig.canvas.draw()
    image = np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()
    if out_file:
        fig.savefig(out_file, dpi=100)
    plt.close(fig)
    return dict(depths=depths, panels=panels, image=image)


def visualize_anchor_weights(model: torch.nn.Module,
                             img: str,
                             joint: Union[int, str],
                             out_file: str,
                             layer: int = -1,
                             bbox: Optional[Sequence[float]] = None) -> dict:
    """Paper Fig. 6 for one image and joint: the anchor weights of
    ``joint`` over the crop, one panel per anchor depth, saved as a PNG.

    Args:
        model (nn.Module): the pose estimator (eval mode), with
            ``dataset_meta`` for joint names.
        img (str): image file.
        joint (int | str): joint index or name (e.g. ``'right_wrist'``).
        out_file (str): the PNG to write (its folder is created).
        layer (int): decoder layer (default: the last).
        bbox (Sequence[float], optional): hand box ``(x1, y1, x2, y2)`` px;
            default the whole image.

    Returns:
        dict: :func:`draw_anchor_weights`' result (``panels`` with their
        ``weights``).
    """
    import os
    import os.path as osp
    res = anchor_weights_of_joint(model, img, joint, bbox=bbox, layer=layer)
    names = (getattr(model, 'dataset_meta', None)
             or {}).get('keypoint_id2name', {})
    name = names.get(res['joint_index'], str(res['joint_index']))
    # the InterHand2.6M codec's z is in depth bins, the depth codec's in mm
    depth_unit = 'bins' if hasattr(model.head.decoder, 'bins_to_mm') else \
        'mm'
    os.makedirs(osp.dirname(osp.abspath(out_file)), exist_ok=True)
    return draw_anchor_weights(
        res['crop'], res['anchors'], res['weights'], joint=res['joint'],
        title=f'{osp.basename(img)}: anchor weights of {name} (joint '
        f'{res["joint_index"]}, layer {layer})',
        depth_unit=depth_unit, out_file=out_file)
