# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Errors that name the sample (inside a sample's pipeline) or the
annotation file (a split without samples)."""
from typing import Any


class SampleError(RuntimeError):
    """A sample's pipeline failed; the message names the sample."""


class NameSampleOnErrorMixin:
    """Dataset mixin: an exception raised while a sample is prepared (an
    empty or undecodable image file, NaN keypoints at the codec, ...) is
    re-raised as :class:`SampleError` naming the dataset, the index, the
    image id and the image path, with the original error chained.

    Put it before the dataset base class.
    """

    def prepare_data(self, idx: int) -> Any:
        try:
            return super().prepare_data(idx)
        except SampleError:
            raise
        except Exception as e:
            try:
                info = self.get_data_info(idx)
            except Exception:
                info = {}
            raise SampleError(
                f'{type(self).__name__}: sample {int(idx)} (img_id '
                f'{info.get("img_id")}, img_path "{info.get("img_path")}") '
                f'failed: {type(e).__name__}: {e}') from e


def check_split_not_empty(dataset: Any, data_list: list, counted: str,
                          filtered: str) -> list:
    """Refuse a dataset split that loaded no sample.

    Args:
        dataset: the dataset; its ``ann_file`` and ``_num_read`` (the number
            of images and of instances its loader read) go into the message.
        data_list (list): the loaded samples.
        counted (str): what the instance count is, e.g.
            ``'annotations read'``.
        filtered (str): what a filter removes, e.g. ``'annotation'``.

    Returns:
        list: ``data_list``, if it is not empty.

    Raises:
        ValueError: naming the dataset class, the ann_file and the counts.
    """
    if not data_list:
        num_images, num_instances = dataset._num_read
        raise ValueError(
            f'{type(dataset).__name__}: no sample in ann_file '
            f'"{dataset.ann_file}" ({num_images} images, {num_instances} '
            f'{counted}): an empty split, or every {filtered} filtered out')
    return data_list
