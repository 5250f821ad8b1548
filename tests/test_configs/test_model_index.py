# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""model-index.yml and the metafiles (mmpose's schema): every listed config
exists, every model config under configs/ is listed, and mim reads the index
through the package's .mim folder."""
import glob
import os.path as osp

import pytest
import yaml
from modelindex.load_model_index import load

from conftest import REPO_ROOT

MODEL_INDEX = osp.join(REPO_ROOT, 'model-index.yml')
CONFIG_ROOT = osp.join(REPO_ROOT, 'configs')
TASKS = {'Hand 3D Keypoint'}


def rel(path):
    return osp.relpath(path, REPO_ROOT).replace(osp.sep, '/')


def model_configs():
    """Every config under configs/ except _base_ (all of them are models)."""
    found = glob.glob(osp.join(CONFIG_ROOT, '**', '*.py'), recursive=True)
    return sorted(rel(c) for c in found if '_base_' not in rel(c))


def metafiles():
    found = glob.glob(osp.join(CONFIG_ROOT, '**', '*.yml'), recursive=True)
    return sorted(rel(c) for c in found if '_base_' not in rel(c))


def imports():
    with open(MODEL_INDEX) as f:
        return yaml.safe_load(f)['Import']


def listed_models():
    """``{config path: (metafile, model dict)}`` over all imported files."""
    models = {}
    for metafile in imports():
        with open(osp.join(REPO_ROOT, metafile)) as f:
            data = yaml.safe_load(f)
        for model in data.get('Models', []):
            assert model['Config'] not in models, (
                f'{model["Config"]} is listed twice ({metafile} and '
                f'{models[model["Config"]][0]})')
            models[model['Config']] = (metafile, model)
    return models


def suggested_entry(config):
    """A metafile entry to paste for ``config`` (and where)."""
    folder = osp.dirname(config)
    existing = sorted(glob.glob(osp.join(REPO_ROOT, folder, '*.yml')))
    target = rel(existing[0]) if existing else \
        f'{folder}/a2jt_{osp.basename(folder)}.yml (new: also add it to ' \
        'model-index.yml Import)'
    name = osp.splitext(osp.basename(config))[0]
    return (f'  -> in {target}:\n'
            f'- Config: {config}\n'
            '  In Collection: A2J-Transformer\n'
            '  Metadata:\n'
            '    Architecture: [A2J-Transformer, ResNet, Deformable DETR]\n'
            '    Training Data: <dataset>\n'
            f'  Name: {name}\n'
            '  Results:  # only the paper\'s numbers, marked as such\n'
            '  - Dataset: <dataset> (paper-reported)\n'
            '    Metrics: {<metric>: <value>}\n'
            '    Task: Hand 3D Keypoint\n')


def test_imports_are_the_metafiles():
    listed = imports()
    assert len(listed) == len(set(listed)), 'model-index.yml imports twice'
    missing_files = [
        m for m in listed if not osp.isfile(osp.join(REPO_ROOT, m))
    ]
    assert not missing_files, \
        f'model-index.yml imports missing files: {missing_files}'
    not_imported = sorted(set(metafiles()) - set(listed))
    assert not not_imported, (
        'metafiles not imported by model-index.yml (add them under '
        f'Import:): {not_imported}')


def test_model_index_is_valid():
    index = load(MODEL_INDEX)
    index.build_models_with_collections()
    errors = index.check(silent=True)
    assert not errors, '\n'.join(errors)
    assert len(index.models) == len(listed_models())


def test_listed_configs_exist_and_follow_the_schema():
    models = listed_models()
    assert models, 'model-index.yml lists no model'
    names = set()
    for config, (metafile, model) in models.items():
        where = f'{metafile}: {config}'
        assert osp.isfile(osp.join(REPO_ROOT, config)), \
            f'{where}: the config does not exist'
        name = osp.splitext(osp.basename(config))[0]
        assert model['Name'] == name, f'{where}: Name must be {name}'
        assert name not in names, f'{where}: Name {name} is used twice'
        names.add(name)
        assert model['In Collection'] == 'A2J-Transformer', where
        meta = model['Metadata']
        assert meta.get('Architecture') and meta.get('Training Data'), \
            f'{where}: Metadata needs Architecture and Training Data'
        # no trained weights of this project exist
        assert 'Weights' not in model, f'{where}: no weights exist'
        for result in model.get('Results', []):
            assert set(result) == {'Dataset', 'Metrics', 'Task'}, where
            assert result['Task'] in TASKS, where
            assert result['Dataset'].endswith('(paper-reported)'), (
                f'{where}: results can only be the paper\'s, marked '
                '"(paper-reported)" in Dataset')
            assert result['Metrics'] and all(
                isinstance(v, (int, float))
                for v in result['Metrics'].values()), where


def test_every_model_config_is_listed():
    listed = set(listed_models())
    missing = [c for c in model_configs() if c not in listed]
    if missing:
        pytest.fail(
            f'{len(missing)} config(s) under configs/ are not in any '
            'metafile imported by model-index.yml:\n' +
            '\n'.join(suggested_entry(c) for c in missing))


def test_mim_search_reads_the_index():
    mim_index = osp.join(REPO_ROOT, 'a2jt_mmpose', '.mim', 'model-index.yml')
    assert osp.realpath(mim_index) == osp.realpath(MODEL_INDEX), (
        'a2jt_mmpose/.mim/model-index.yml must link to ../../model-index.yml')
    with open(osp.join(REPO_ROOT, 'MANIFEST.in')) as f:
        assert 'a2jt_mmpose/.mim/model-index.yml' in f.read()
    from mim.commands.search import get_model_info
    info = get_model_info('a2jt_mmpose', to_dict=True)
    expected = {m['Name']: c for c, (_, m) in listed_models().items()}
    assert set(info) == set(expected)
    for name, row in info.items():
        assert row['config'] == expected[name]
        assert 'weight' not in row or row['weight'] != row['weight']  # NaN
    paper = info['a2jt_res50-dc5_1xb12-42e_interhand3d-256x256']
    assert paper['interhand2.6m (paper-reported)/mpjpe-all'] == 9.63
