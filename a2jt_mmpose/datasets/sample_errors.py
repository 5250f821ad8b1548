# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Errors inside a sample's pipeline name the sample."""
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
