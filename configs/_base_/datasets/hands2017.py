# HANDS 2017 challenge (BigHand2.2M joint order): wrist, the five MCPs
# (thumb..pinky), then PIP, DIP, TIP of thumb, index, middle, ring, pinky.
# One hand, so no flip pairs (swap='').
_fingers = [('thumb', [255, 128, 0]), ('index', [102, 178, 255]),
            ('middle', [255, 51, 255]), ('ring', [255, 0, 0]),
            ('pinky', [0, 255, 0])]
_joints = [('wrist', [255, 255, 255])] + \
    [(f'{f}_mcp', c) for f, c in _fingers] + \
    [(f'{f}_{p}', c) for f, c in _fingers for p in ('pip', 'dip', 'tip')]
_links = []
for _k in range(5):
    _chain = [0, 1 + _k, 6 + 3 * _k, 7 + 3 * _k, 8 + 3 * _k]
    _links += list(zip(_chain[:-1], _chain[1:]))
dataset_info = dict(
    dataset_name='hands2017',
    paper_info=dict(
        author='Yuan, Shanxin and Ye, Qi and Garcia-Hernando, Guillermo and '
        'Kim, Tae-Kyun',
        title='The 2017 Hands in the Million Challenge on 3D Hand Pose '
        'Estimation',
        container='arXiv',
        year='2017',
        homepage='https://labicvl.github.io/hand/Hands17/',
    ),
    keypoint_info={
        i: dict(name=name, id=i, color=color, type='', swap='')
        for i, (name, color) in enumerate(_joints)
    },
    skeleton_info={
        i: dict(
            link=(_joints[a][0], _joints[b][0]), id=i, color=_joints[b][1])
        for i, (a, b) in enumerate(_links)
    },
    joint_weights=[1.] * len(_joints),
    sigmas=[])
