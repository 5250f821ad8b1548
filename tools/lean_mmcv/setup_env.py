# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""A lean OpenMMLab stack for a machine that has torch and nothing else.

    python tools/lean_mmcv/setup_env.py --carry .device_check --site DIR
        [--build-dir DIR] [--arch 9.0] [--jobs 16] [--no-prebuilt]

Steps (each timed; a failure names its step and exits non-zero):

1. ``wheels``: ``pip install --no-index --no-deps --target SITE`` of every
   wheel in ``CARRY/wheels`` (mmengine, mmdet, mmpose and the small packages
   they import that such a machine lacks; ``tools/device_check_prepare.sh``
   downloads them); then ``if_missing``: the wheels of
   ``CARRY/if_missing/<module>/`` only where ``import <module>`` fails.
2. ``mmcv``: mmcv 2.1.0's Python package from its source archive
   ``CARRY/mmcv-2.1.0.tar.gz`` into ``SITE/mmcv`` (no compiled ops).
3. ``extension``: mmcv's own multi-scale deformable attention sources
   (``ms_deform_attn.cpp``, ``cuda/ms_deform_attn_cuda.cu``, unmodified)
   plus ``ms_deform_attn_binding.cpp`` compiled as one torch extension
   ``mmcv._ext_msda`` with ``torch.utils.cpp_extension`` (ninja, ``--jobs``
   parallel jobs, ``TORCH_CUDA_ARCH_LIST=--arch``); a build prebuilt for the
   same torch, CUDA, Python and architecture in ``CARRY/prebuilt`` is used
   instead when one is there (``--no-prebuilt`` compiles anyway).
4. ``stub``: ``mmcv_ext_stub.py`` as ``SITE/mmcv/_ext.py``: the two compiled
   functions, and for every other op name a callable raising a clear error,
   so that ``import mmcv.ops`` works.
5. ``import``: ``import mmcv.ops`` with ``SITE`` first on ``sys.path``, in a
   subprocess (a prebuilt extension that fails here is replaced by a
   compiled one).

Only the standard library and torch are imported here: the package itself
cannot be imported before these steps.
"""
import argparse
import glob
import hashlib
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import tarfile
import time

HERE = osp.dirname(osp.abspath(__file__))
MMCV_VERSION = '2.1.0'
EXT_NAME = '_ext_msda'
#: mmcv's sources of the op, relative to ``mmcv/ops/csrc``
MMCV_SOURCES = ('pytorch/ms_deform_attn.cpp',
                'pytorch/cuda/ms_deform_attn_cuda.cu')
#: mmcv's include folders (its setup.py's, for a CUDA build)
MMCV_INCLUDES = ('pytorch', 'common', 'common/cuda')


class StepError(RuntimeError):
    """A setup step failed; the message names the step."""


def log(msg: str) -> None:
    print(f'[lean_mmcv] {msg}', flush=True)


def install_wheels(wheel_dir: str, site: str) -> list:
    """Install every wheel of ``wheel_dir`` into ``site`` (no index, no
    dependencies: the folder holds exactly what is missing)."""
    wheels = sorted(glob.glob(osp.join(wheel_dir, '*.whl')))
    if not wheels:
        raise StepError(f'wheels: no wheel in {wheel_dir} (run '
                        f'tools/device_check_prepare.sh first)')
    cmd = [
        sys.executable, '-m', 'pip', 'install', '-q', '--no-index',
        '--no-deps', '--no-compile', '--no-cache-dir', '--upgrade',
        '--disable-pip-version-check', '--target', site
    ] + wheels
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode:
        raise StepError(f'wheels: pip install --target {site} failed:\n'
                        f'{proc.stdout}{proc.stderr}')
    return [osp.basename(w) for w in wheels]


def install_if_missing(folder: str, site: str) -> dict:
    """Install ``folder/<module>/*.whl`` into ``site`` only where ``import
    <module>`` fails here (fallbacks for packages such a machine is
    expected to have, e.g. ``pkg_resources`` from setuptools < 82)."""
    done = {}
    for sub in sorted(glob.glob(osp.join(folder, '*'))):
        module = osp.basename(sub)
        probe = subprocess.run([sys.executable, '-c', f'import {module}'],
                               capture_output=True)
        if probe.returncode == 0:
            done[module] = 'present'
            continue
        done[module] = install_wheels(sub, site)
        log(f'if_missing: {module} was missing, installed {done[module]}')
    return done


def unpack_mmcv(sdist: str, src_root: str, site: str) -> str:
    """Unpack mmcv's source archive into ``src_root`` and copy its Python
    package (without the C++/CUDA sources) to ``site/mmcv``.

    Returns:
        str: the unpacked ``mmcv/ops/csrc`` folder.
    """
    if not osp.isfile(sdist):
        raise StepError(f'mmcv: no source archive {sdist} (run '
                        f'tools/device_check_prepare.sh first)')
    os.makedirs(src_root, exist_ok=True)
    with tarfile.open(sdist) as tar:
        members = [m for m in tar.getmembers() if m.isfile() or m.isdir()]
        for m in members:
            if m.name.startswith('/') or '..' in m.name.split('/'):
                raise StepError(f'mmcv: unsafe path {m.name!r} in {sdist}')
        # the 'data' filter (Python >= 3.12, backported to 3.8.17+) refuses
        # links out of the folder, device files and absolute paths
        extra = dict(filter='data') if hasattr(tarfile, 'data_filter') \
            else {}
        tar.extractall(src_root, members=members, **extra)
    top = osp.join(src_root, f'mmcv-{MMCV_VERSION}', 'mmcv')
    if not osp.isfile(osp.join(top, 'version.py')):
        raise StepError(f'mmcv: {sdist} holds no mmcv-{MMCV_VERSION}/mmcv')
    dst = osp.join(site, 'mmcv')
    if osp.exists(dst):
        shutil.rmtree(dst)
    shutil.copytree(top, dst, ignore=shutil.ignore_patterns('csrc'))
    return osp.join(top, 'ops', 'csrc')


def build_info(arch: str) -> dict:
    """What a compiled extension must match to be reused."""
    import torch
    return dict(
        torch=torch.__version__,
        cuda=torch.version.cuda,
        python=f'cp{sys.version_info[0]}{sys.version_info[1]}',
        arch=arch,
        mmcv=MMCV_VERSION)


def sources_digest(csrc: str) -> str:
    """sha256 over the compiled sources (mmcv's and the binding)."""
    h = hashlib.sha256()
    for path in [osp.join(csrc, s) for s in MMCV_SOURCES
                 ] + [osp.join(HERE, 'ms_deform_attn_binding.cpp')]:
        with open(path, 'rb') as f:
            h.update(f.read())
    return h.hexdigest()


def find_cuda_home():
    """``CUDA_HOME`` (or ``CUDA_PATH``) if set, else ``/usr/local/cuda``
    when it holds ``bin/nvcc``, else the folder above the ``bin/`` of the
    ``nvcc`` on the PATH (a wrapper script there is looked into for the
    real compiler's path); None without nvcc."""
    for var in ('CUDA_HOME', 'CUDA_PATH'):
        if os.environ.get(var):
            return os.environ[var]
    if osp.isfile('/usr/local/cuda/bin/nvcc'):
        return '/usr/local/cuda'
    nvcc = shutil.which('nvcc')
    if nvcc is None:
        return None
    nvcc = osp.realpath(nvcc)
    with open(nvcc, 'rb') as f:
        head = f.read(4096)
    if head.startswith(b'#!'):  # e.g. exec /usr/local/cuda-13.0/bin/nvcc
        for word in head.decode(errors='ignore').split():
            if word.endswith('/bin/nvcc') and osp.isfile(word):
                nvcc = word
                break
    return osp.dirname(osp.dirname(nvcc))


def cuda_library_includes(cuda_home: str) -> list:
    """Header folders of the CUDA libraries torch's headers include
    (``cusparse.h``, ``cublas_v2.h``, ...) when the toolkit at
    ``cuda_home`` lacks them: those of the ``nvidia-*`` wheels that torch
    was installed with (``site-packages/nvidia/cu*/include``)."""
    if osp.isfile(osp.join(cuda_home, 'include', 'cusparse.h')):
        return []
    import torch
    site_packages = osp.dirname(osp.dirname(torch.__file__))
    return sorted(
        d
        for d in glob.glob(osp.join(site_packages, 'nvidia', '*', 'include'))
        if osp.isfile(osp.join(d, 'cusparse.h')))


def compile_extension(csrc: str, build_dir: str, arch: str, jobs: int) -> str:
    """Compile mmcv's MSDA sources + the binding as ``_ext_msda``.

    Returns:
        str: the path of the built shared object.
    """
    os.environ['TORCH_CUDA_ARCH_LIST'] = arch
    os.environ['MAX_JOBS'] = str(jobs)
    cuda_home = find_cuda_home()
    if cuda_home is None:
        raise StepError('extension: no CUDA toolkit found (no nvcc on the '
                        'PATH; set CUDA_HOME)')
    # read by torch.utils.cpp_extension at its import
    os.environ['CUDA_HOME'] = cuda_home
    import torch.utils.cpp_extension as cpp
    cpp.CUDA_HOME = cuda_home
    includes = [osp.join(csrc, d)
                for d in MMCV_INCLUDES] + cuda_library_includes(cuda_home)
    log(f'extension: CUDA_HOME={cuda_home}, TORCH_CUDA_ARCH_LIST={arch}, '
        f'{jobs} jobs, includes {includes}')
    os.makedirs(build_dir, exist_ok=True)
    sources = [osp.join(HERE, 'ms_deform_attn_binding.cpp')
               ] + [osp.join(csrc, s) for s in MMCV_SOURCES]
    try:
        cpp.load(
            name=EXT_NAME,
            sources=sources,
            extra_include_paths=includes,
            # mmcv's setup.py defines MMCV_WITH_CUDA for a CUDA build
            extra_cflags=['-O3', '-DMMCV_WITH_CUDA'],
            extra_cuda_cflags=['-O3', '-DMMCV_WITH_CUDA'],
            build_directory=build_dir,
            with_cuda=True,
            verbose=True)
    except Exception as e:  # compiler errors come as RuntimeError
        raise StepError(f'extension: compiling mmcv\'s MSDA sources failed: '
                        f'{type(e).__name__}: {e}') from e
    built = osp.join(build_dir, EXT_NAME + '.so')
    if not osp.isfile(built):
        raise StepError(f'extension: the build left no {built}')
    return built


def find_prebuilt(prebuilt_dir: str, info: dict):
    """A carried ``_ext_msda.so`` whose ``build_info.json`` matches
    ``info``, or None (with the reason logged)."""
    so = osp.join(prebuilt_dir, EXT_NAME + '.so')
    meta = osp.join(prebuilt_dir, 'build_info.json')
    if not (osp.isfile(so) and osp.isfile(meta)):
        return None
    with open(meta) as f:
        carried = json.load(f)
    differs = {
        k: (carried.get(k), v)
        for k, v in info.items() if carried.get(k) != v
    }
    if differs:
        log(f'prebuilt extension not used, it differs in '
            f'{differs} (carried, here)')
        return None
    return so


def check_import(site: str) -> str:
    """``import mmcv.ops`` in a fresh interpreter with ``site`` first."""
    code = ('import mmcv, mmcv.ops\n'
            'from mmcv.ops.multi_scale_deform_attn import ext_module as e\n'
            'f = e.ms_deform_attn_forward\n'
            'print(f"mmcv {mmcv.__version__}, {e.__name__}.{f.__name__} from '
            '{f.__module__}")\n')
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        [site] + [p for p in env.get('PYTHONPATH', '').split(os.pathsep) if p])
    proc = subprocess.run([sys.executable, '-c', code],
                          capture_output=True,
                          text=True,
                          env=env)
    if proc.returncode:
        raise StepError(f'import: import mmcv.ops failed with {site} on '
                        f'PYTHONPATH:\n{proc.stderr[-3000:]}')
    return proc.stdout.strip()


def setup_env(carry: str,
              site: str,
              build_dir: str,
              arch: str = '9.0',
              jobs: int = 16,
              use_prebuilt: bool = True,
              wheels: bool = True) -> dict:
    """Run the steps of the module docstring; returns their timings and
    what was used."""
    report = dict(steps={}, site=site)
    os.makedirs(site, exist_ok=True)

    def timed(step, fn, *args):
        t0 = time.perf_counter()
        out = fn(*args)
        report['steps'][step] = round(time.perf_counter() - t0, 2)
        log(f'{step}: {report["steps"][step]:.1f} s')
        return out

    if wheels:
        report['wheels'] = timed('wheels', install_wheels,
                                 osp.join(carry, 'wheels'), site)
        report['if_missing'] = timed('if_missing', install_if_missing,
                                     osp.join(carry, 'if_missing'), site)
    csrc = timed('mmcv', unpack_mmcv,
                 osp.join(carry, f'mmcv-{MMCV_VERSION}.tar.gz'),
                 osp.join(build_dir, 'src'), site)
    info = build_info(arch)
    info['sources_sha256'] = sources_digest(csrc)
    shutil.copy2(
        osp.join(HERE, 'mmcv_ext_stub.py'), osp.join(site, 'mmcv', '_ext.py'))
    report['build_info'] = info
    so = find_prebuilt(osp.join(carry, 'prebuilt'),
                       info) if use_prebuilt else None
    if so:
        shutil.copy2(so, osp.join(site, 'mmcv', EXT_NAME + '.so'))
        try:
            report['import'] = timed('import', check_import, site)
            report['extension'] = 'prebuilt'
            log(f'extension: prebuilt {so}; import mmcv.ops: '
                f'{report["import"]}')
            return report
        except StepError as e:
            log(f'the prebuilt extension does not import, compiling: {e}')
    report['extension'] = 'compiled'
    so = timed('extension', compile_extension, csrc,
               osp.join(build_dir, 'ext'), arch, jobs)
    with open(osp.join(osp.dirname(so), 'build_info.json'), 'w') as f:
        json.dump(info, f, indent=1)
    shutil.copy2(so, osp.join(site, 'mmcv', EXT_NAME + '.so'))
    report['import'] = timed('import', check_import, site)
    log(f'import mmcv.ops: {report["import"]}')
    return report


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--carry',
        default='.device_check',
        help='the folder tools/device_check_prepare.sh filled')
    parser.add_argument('--site', help='install folder (put on PYTHONPATH)')
    parser.add_argument(
        '--prebuild',
        metavar='DIR',
        help='instead: compile the extension (in a temporary site, checked '
        'by the import step) and keep it with its build_info.json in DIR '
        '(CARRY/prebuilt) for a machine with the same torch, CUDA and Python')
    parser.add_argument(
        '--build-dir',
        default=None,
        help='unpacked sources and build files (default SITE/../lean_build)')
    parser.add_argument(
        '--arch', default='9.0', help='TORCH_CUDA_ARCH_LIST (9.0: Hopper)')
    parser.add_argument(
        '--jobs', type=int, default=os.cpu_count(), help='ninja jobs')
    parser.add_argument(
        '--no-prebuilt',
        action='store_true',
        help='compile even when CARRY/prebuilt matches')
    parser.add_argument(
        '--no-wheels',
        action='store_true',
        help='skip step 1 (the wheels are installed already)')
    parser.add_argument('--report', help='write the step report as json')
    return parser.parse_args(argv)


def prebuild(carry: str, dest: str, arch: str, jobs: int) -> dict:
    """Compile the extension in a temporary site (every step, the import
    check included) and copy it with its ``build_info.json`` to ``dest``."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        report = setup_env(
            carry,
            osp.join(tmp, 'site'),
            osp.join(tmp, 'build'),
            arch=arch,
            jobs=jobs,
            use_prebuilt=False)
        os.makedirs(dest, exist_ok=True)
        ext = osp.join(tmp, 'build', 'ext')
        for name in (EXT_NAME + '.so', 'build_info.json'):
            shutil.copy2(osp.join(ext, name), osp.join(dest, name))
    log(f'prebuilt extension in {dest}: {report["build_info"]}')
    return report


def main(argv=None):
    args = parse_args(argv)
    if args.prebuild:
        try:
            return prebuild(
                osp.abspath(args.carry), osp.abspath(args.prebuild), args.arch,
                args.jobs)
        except StepError as e:
            raise SystemExit(f'FAIL prebuild: step {e}') from None
    if not args.site:
        raise SystemExit('--site (or --prebuild) is required')
    site = osp.abspath(args.site)
    build_dir = osp.abspath(
        args.build_dir or osp.join(osp.dirname(site), 'lean_build'))
    try:
        report = setup_env(
            osp.abspath(args.carry),
            site,
            build_dir,
            arch=args.arch,
            jobs=args.jobs,
            use_prebuilt=not args.no_prebuilt,
            wheels=not args.no_wheels)
    except StepError as e:
        raise SystemExit(f'FAIL setup: step {e}') from None
    if args.report:
        with open(args.report, 'w') as f:
            json.dump(report, f, indent=1)
    steps = ', '.join(f'{k} {v:.0f} s' for k, v in report['steps'].items())
    print(f'PASS setup: {report["extension"]} extension; {steps}; '
          f'{report["import"]}')
    return report


if __name__ == '__main__':
    main()
