# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""The GPU checks of ``tools/device_check.sh``, one per call.

    python tools/device_check.py probe
    python tools/device_check.py msda [--device cuda] [--batch-sizes 1 8]
        [--out msda.json]
    python tools/device_check.py model [CONFIG] [--device cuda]
        [--out model.json]

- ``probe``: exit 0 when the importable stack (a2jt_mmpose, mmcv) runs
  mmcv's deformable attention kernel on CUDA tensors, else 1 and why.
- ``msda``: :func:`a2jt_mmpose.apis.device_check.check_msda`.
- ``model``: :func:`a2jt_mmpose.apis.device_check.check_model` (default
  config: the paper model on InterHand2.6M).

Prints a one-line PASS / FAIL summary; exits 1 on FAIL.
"""
import argparse
import json
import os
import os.path as osp
import sys

PAPER_CONFIG = osp.join(
    osp.dirname(osp.dirname(osp.abspath(__file__))), 'configs',
    'hand_3d_keypoint', 'a2j_transformer', 'interhand3d',
    'a2jt_res50-dc5_1xb12-42e_interhand3d-256x256.py')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='GPU checks')
    sub = parser.add_subparsers(dest='check', required=True)
    sub.add_parser('probe', help='does mmcv run its CUDA kernel here?')
    msda = sub.add_parser('msda', help='deformable attention kernel check')
    msda.add_argument('--device', default='cuda')
    msda.add_argument('--batch-sizes', type=int, nargs='+', default=[1, 8])
    model = sub.add_parser('model', help='full model CPU vs GPU check')
    model.add_argument('config', nargs='?', default=PAPER_CONFIG)
    model.add_argument('--device', default='cuda')
    model.add_argument(
        '--no-amp',
        action='store_true',
        help='skip the bf16 autocast information run')
    for p in (msda, model):
        p.add_argument('--out', help='write the report as json')
    return parser.parse_args(argv)


def write(report, out):
    if out:
        os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
        with open(out, 'w') as f:
            json.dump(report, f, indent=1)


def main(argv=None):
    args = parse_args(argv)
    if args.check == 'probe':
        try:
            from a2jt_mmpose.apis.device_check import probe_mmcv_cuda
            ok, why = probe_mmcv_cuda()
        except Exception as e:  # noqa: BLE001 (the stack does not import)
            ok, why = False, f'import a2jt_mmpose: {type(e).__name__}: {e}'
        print(f'probe: {"usable" if ok else "not usable"}: {why}')
        return 0 if ok else 1
    import torch
    if args.device.startswith('cuda') and not torch.cuda.is_available():
        print(f'FAIL {args.check}: CUDA is not available '
              f'(torch {torch.__version__}, torch.cuda.is_available() is '
              f'False)')
        return 1
    from a2jt_mmpose.apis import device_check as dc
    if args.check == 'msda':
        report = dc.check_msda(args.device, batch_sizes=args.batch_sizes)
        write(report, args.out)
        for name, case in report['cases'].items():
            print(f'msda {name}: kernel vs gather '
                  f'{case["kernel_vs_gather"]["max"]:.2e}, kernel vs '
                  f'mmcv_pytorch {case["kernel_vs_mmcv_pytorch"]["max"]:.2e}'
                  f' (gather vs mmcv_pytorch '
                  f'{case["gather_vs_mmcv_pytorch"]["max"]:.2e}; '
                  f'{case["seconds"]:.2f} s)')
        worst = max(case[f'kernel_vs_{ref}']['max']
                    for case in report['cases'].values()
                    for ref in ('gather', 'mmcv_pytorch'))
        print(f'{"PASS" if report["passed"] else "FAIL"} msda: max relative '
              f'error {worst:.2e} (bound {report["rtol"]:g}, forward + '
              f'3 gradients)')
    else:
        report = dc.check_model(
            args.config, args.device, amp_bf16=not args.no_amp)
        write(report, args.out)
        e = report['joints_fp32']
        print('model per decoder layer: ' +
              ', '.join(f'{v:.2e}' for v in e['per_layer']) +
              '; per axis (x px, y px, depth bins): ' +
              ', '.join(f'{v:.2e}' for v in e['per_axis']) +
              f'; kernel calls {report["kernel_calls"]}')
        if 'amp_bf16' in report:
            amp = report['amp_bf16']
            print('model bf16 autocast (information): ' +
                  (amp['error'] if 'error' in
                   amp else f'max joint difference {amp["max"]:.3g}'))
        print(f'{"PASS" if report["passed"] else "FAIL"} model: max joint '
              f'difference {e["max"]:.2e} (bound {report["atol"]:g} px, fp32,'
              f' TF32 off, {args.device} vs cpu)')
    return 0 if report['passed'] else 1


if __name__ == '__main__':
    sys.exit(main())
