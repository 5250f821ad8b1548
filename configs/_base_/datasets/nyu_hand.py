# NYU Hand Pose dataset, the 14 evaluation joints of Tompson et al. / A2J /
# V2V-PoseNet (indices 0, 3, 6, 9, 12, 15, 18, 21, 24, 25, 27, 30, 31, 32 of
# the 36 in joint_data.mat; original names in the comments). One right hand,
# so no flip pairs (swap='').
_nyu = [
    # name, original NYU name, colour (BGR)
    ('pinky_tip', 'F1_KNU3_A', [0, 255, 0]),
    ('pinky_pip', 'F1_KNU2_B', [0, 255, 0]),
    ('ring_tip', 'F2_KNU3_A', [255, 0, 0]),
    ('ring_pip', 'F2_KNU2_B', [255, 0, 0]),
    ('middle_tip', 'F3_KNU3_A', [255, 51, 255]),
    ('middle_pip', 'F3_KNU2_B', [255, 51, 255]),
    ('index_tip', 'F4_KNU3_A', [102, 178, 255]),
    ('index_pip', 'F4_KNU2_B', [102, 178, 255]),
    ('thumb_tip', 'TH_KNU3_A', [255, 128, 0]),
    ('thumb_ip', 'TH_KNU3_B', [255, 128, 0]),
    ('thumb_mcp', 'TH_KNU2_B', [255, 128, 0]),
    ('palm_ulnar', 'PALM_1', [255, 255, 255]),
    ('palm_radial', 'PALM_2', [255, 255, 255]),
    ('palm', 'PALM_3', [255, 255, 255]),
]
_links = [(0, 1), (2, 3), (4, 5), (6, 7), (8, 9), (9, 10), (1, 13), (3, 13),
          (5, 13), (7, 13), (10, 13), (11, 13), (12, 13)]
dataset_info = dict(
    dataset_name='nyu_hand',
    paper_info=dict(
        author='Tompson, Jonathan and Stein, Murphy and Lecun, Yann and '
        'Perlin, Ken',
        title='Real-Time Continuous Pose Recovery of Human Hands Using '
        'Convolutional Networks',
        container='ACM Transactions on Graphics',
        year='2014',
        homepage='https://jonathantompson.github.io/NYU_Hand_Pose_Dataset.htm',
    ),
    keypoint_info={
        i: dict(name=name, id=i, color=color, type='', swap='')
        for i, (name, _, color) in enumerate(_nyu)
    },
    skeleton_info={
        i: dict(link=(_nyu[a][0], _nyu[b][0]), id=i, color=_nyu[a][2])
        for i, (a, b) in enumerate(_links)
    },
    joint_weights=[1.] * len(_nyu),
    sigmas=[])
