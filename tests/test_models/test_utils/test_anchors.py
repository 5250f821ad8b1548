# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from unittest import TestCase

import torch

from a2jt_mmpose.models.utils import generate_anchors


class TestGenerateAnchors(TestCase):

    def test_interhand_default(self):
        anchors = generate_anchors(16, 16., depths=(63.5, 127.5, 191.5),
                                   input_size=(256, 256))
        self.assertEqual(anchors.shape, (768, 3))
        xs = torch.unique(anchors[:, 0])
        expected = 7.5 + 16 * torch.arange(16, dtype=torch.float32)
        self.assertTrue(torch.equal(xs, expected))
        self.assertTrue(torch.equal(torch.unique(anchors[:, 1]), expected))
        self.assertTrue(
            torch.equal(
                torch.unique(anchors[:, 2]),
                torch.tensor([63.5, 127.5, 191.5])))
        # official order: y-major, then x, then depth (48 * iy + 3 * ix + id)
        iy, ix, iz = 5, 11, 2
        self.assertEqual(anchors[48 * iy + 3 * ix + iz].tolist(),
                         [expected[ix].item(), expected[iy].item(), 191.5])

    def test_hands2017_grid_fits_176_crop(self):
        anchors = generate_anchors(11, 16., depths=(-75., 0., 75.),
                                   input_size=(176, 176))
        self.assertEqual(anchors.shape, (363, 3))
        self.assertAlmostEqual(anchors[:, 0].min().item(), 7.5)
        self.assertAlmostEqual(anchors[:, 0].max().item(), 167.5)

    def test_table7_layouts(self):
        for n_in_plane, n_depth in [(16, 1), (16, 5), (16, 7), (2, 3),
                                    (4, 3), (8, 3)]:
            depths = torch.linspace(0, 255, n_depth + 2)[1:-1].tolist()
            anchors = generate_anchors(n_in_plane, None, depths=depths,
                                       input_size=(256, 256))
            self.assertEqual(anchors.shape, (n_in_plane**2 * n_depth, 3))
            # spread over the whole input, centred
            self.assertAlmostEqual(anchors[:, 0].mean().item(), 127.5, 4)
            self.assertGreater(anchors[:, 0].min().item(), 0)
            self.assertLess(anchors[:, 0].max().item(), 256)

    def test_centre_and_rectangular(self):
        anchors = generate_anchors((4, 2), (10., 20.), centre=(50., 60.),
                                   depths=(0., ))
        self.assertEqual(anchors.shape, (8, 3))
        self.assertEqual(sorted(set(anchors[:, 0].tolist())),
                         [35., 45., 55., 65.])
        self.assertEqual(sorted(set(anchors[:, 1].tolist())), [50., 70.])

    def test_invalid_settings(self):
        with self.assertRaisesRegex(ValueError, 'num_in_plane'):
            generate_anchors(0, 16.)
        with self.assertRaisesRegex(ValueError, 'depths'):
            generate_anchors(4, 16., depths=())
        with self.assertRaisesRegex(ValueError, 'input_size'):
            generate_anchors(4, None)
        with self.assertRaisesRegex(ValueError, 'pair'):
            generate_anchors((1, 2, 3), 16.)


class TestEvenDepths(TestCase):
    """Anchor depths from a count and a range (paper Table 7 and the
    official grids), against the values written out by hand."""

    def test_official_values(self):
        from a2jt_mmpose.models.utils.anchors import even_depths
        bins = (-0.5, 255.5)  # edges of 256 depth bins
        self.assertEqual(even_depths(3, bins), [63.5, 127.5, 191.5])
        self.assertEqual(even_depths(1, bins), [127.5])
        self.assertEqual(even_depths(7, bins),
                         [31.5, 63.5, 95.5, 127.5, 159.5, 191.5, 223.5])
        # 256 / 6 bins apart: 42.1667, 84.8333, ...
        for got, want in zip(even_depths(5, bins),
                             (42.1666667, 84.8333333, 127.5, 170.1666667,
                              212.8333333)):
            self.assertAlmostEqual(got, want, places=6)
        # NYU / HANDS 2017: -75, 0, +75 mm
        self.assertEqual(even_depths(3, (-150., 150.)), [-75., 0., 75.])

    def test_generate_anchors_default_is_the_official_grid(self):
        self.assertTrue(
            torch.equal(
                generate_anchors(16, 16., input_size=(256, 256)),
                generate_anchors(16, 16., depths=(63.5, 127.5, 191.5),
                                 input_size=(256, 256))))

    def test_bad_values(self):
        from a2jt_mmpose.models.utils.anchors import even_depths
        for num, rng, msg in ((0, (0, 1), 'num_depths'),
                              (2.5, (0, 1), 'num_depths'),
                              (3, (1., 1.), 'high > low'),
                              (3, (0., float('inf')), 'finite')):
            with self.assertRaisesRegex(ValueError, msg):
                even_depths(num, rng)
        with self.assertRaisesRegex(ValueError, 'not both'):
            generate_anchors(4, 16., depths=(1., ), num_depths=1)
