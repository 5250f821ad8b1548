# RHD ("RHP", Rendered Hand Pose) in 3D, in the joint order of the
# A2J-Transformer model (= mmpose's interhand3d order and names): right hand
# 0-20, left hand 21-41; per hand thumb4 (tip) .. thumb1, forefinger4 ..
# forefinger1, middle, ring, pinky, wrist (20 / 41). "4" is the tip and "1"
# the joint nearest the palm, i.e. RHD's tip, dip, pip, mcp (for the thumb
# RHD's tip, ip, mcp and the joint RHD calls thumb mcp / palm side).
# Rhd3DDataset maps the release's order (left hand first, wrist first, then
# each finger tip..base) to this one. Flip pairs swap the two hands.


def _rhd3d_dataset_info():
    fingers = (('thumb', [255, 128, 0]), ('forefinger', [255, 153, 255]),
               ('middle_finger', [102, 178, 255]),
               ('ring_finger', [255, 51, 51]), ('pinky_finger', [0, 255, 0]))
    names, colors = [], []
    for side in ('right', 'left'):
        for finger, color in fingers:
            for k in (4, 3, 2, 1):
                names.append(f'{side}_{finger}{k}')
                colors.append(color)
        names.append(f'{side}_wrist')
        colors.append([255, 255, 255])
    other = {'right': 'left', 'left': 'right'}
    keypoint_info = {}
    for i, (name, color) in enumerate(zip(names, colors)):
        side, rest = name.split('_', 1)
        keypoint_info[i] = dict(
            name=name,
            id=i,
            color=color,
            type='',
            swap=f'{other[side]}_{rest}')
    skeleton_info = {}
    for side in ('right', 'left'):
        for finger, color in fingers:
            chain = [f'{side}_wrist'] + [f'{side}_{finger}{k}'
                                         for k in (1, 2, 3, 4)]
            for a, b in zip(chain[:-1], chain[1:]):
                i = len(skeleton_info)
                skeleton_info[i] = dict(link=(a, b), id=i, color=color)
    return dict(
        dataset_name='rhd3d',
        paper_info=dict(
            author='Zimmermann, Christian and Brox, Thomas',
            title='Learning to Estimate 3D Hand Pose from Single RGB Images',
            container='IEEE International Conference on Computer Vision',
            year='2017',
            homepage='https://lmb.informatik.uni-freiburg.de/resources/'
            'datasets/RenderedHandposeDataset.en.html',
        ),
        keypoint_info=keypoint_info,
        skeleton_info=skeleton_info,
        joint_weights=[1.] * 42,
        sigmas=[])


dataset_info = _rhd3d_dataset_info()
