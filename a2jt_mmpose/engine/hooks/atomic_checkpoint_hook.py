# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""A ``CheckpointHook`` whose saves survive a kill at any moment."""
import hashlib
import os
import os.path as osp
import pickle
import re
from typing import Iterable, List

from mmengine.dist import is_main_process, master_only
from mmengine.fileio import FileClient, LocalBackend, get_file_backend
from mmengine.hooks import CheckpointHook
from mmengine.logging import print_log

from mmpose.registry import HOOKS

#: what every temporary file of this hook ends with (not ``.pth``)
TMP_SUFFIX = '.a2jt-tmp'
#: ``.<target name>.<pid>.a2jt-tmp``: hidden, never a ``*.pth`` match
TMP_PATTERN = re.compile(r'^\..+\.\d+' + re.escape(TMP_SUFFIX) + '$')
#: runtime-info key of the files that the newest checkpoint replaced
PENDING_KEY = 'atomic_ckpt_pending_removal'


def temp_name(filename: str) -> str:
    """The temporary name that ``filename`` is written under before it is
    renamed, e.g. ``epoch_3.pth`` -> ``.epoch_3.pth.<pid>.a2jt-tmp``."""
    return f'.{filename}.{os.getpid()}{TMP_SUFFIX}'


def fsync_dir(dirname: str) -> None:
    """Make the entries of ``dirname`` (a rename into it) durable. A no-op
    where directories cannot be opened (Windows)."""
    try:
        fd = os.open(dirname, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # file systems that do not sync directories
    finally:
        os.close(fd)


def commit_file(tmp_path: str, target: str) -> None:
    """fsync the complete file ``tmp_path``, rename it over ``target`` (one
    atomic step: ``target`` is the old or the new file, never a part of
    one) and fsync the folder."""
    fd = os.open(tmp_path, os.O_RDWR | getattr(os, 'O_BINARY', 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp_path, target)
    fsync_dir(osp.dirname(osp.abspath(target)))


def write_text_atomic(path: str, text: str) -> None:
    """Write ``text`` to ``path`` through a flushed, fsynced temporary file
    in the same folder and a rename: ``path`` never holds a part of it."""
    dirname, basename = osp.split(osp.abspath(path))
    tmp_path = osp.join(dirname, temp_name(basename))
    try:
        with open(tmp_path, 'w') as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp_path, path)
    except BaseException:
        _remove_quietly(tmp_path)
        raise
    fsync_dir(dirname)


def remove_temp_files(dirnames: Iterable[str]) -> List[str]:
    """Delete the temporary files that a killed save left in ``dirnames``
    (names matching :data:`TMP_PATTERN` only); return their paths."""
    removed = []
    for dirname in dict.fromkeys(dirnames):
        if not dirname or not osp.isdir(dirname):
            continue
        for name in sorted(os.listdir(dirname)):
            path = osp.join(dirname, name)
            if TMP_PATTERN.match(name) and osp.isfile(path):
                _remove_quietly(path)
                removed.append(path)
    return removed


def _remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """mmengine's ``CheckpointHook`` (the same arguments, file names and
    checkpoint contents) whose saves a kill at any moment cannot break.

    mmengine 0.10.7 removes the oldest checkpoint (``max_keep_ckpts``) and
    the previous best one before it writes the new file, writes that file
    in place and rewrites ``last_checkpoint`` in place: a run killed during
    a save can be left with a truncated newest checkpoint, none complete,
    and a ``last_checkpoint`` naming a deleted file, so ``--resume`` fails.
    This hook saves every checkpoint (``epoch_N.pth`` / ``iter_N.pth``,
    ``best_*.pth``, the ``save_last`` one and the published one) in this
    order:

    1. write it to ``.<name>.<pid>.a2jt-tmp`` in the same folder, fsync
       the file, ``os.replace`` it over ``<name>``, fsync the folder;
    2. rewrite ``last_checkpoint`` the same way (it names complete files
       only, never a temporary one);
    3. only then delete the checkpoints it replaces (the one rotated out
       by ``max_keep_ckpts``, the previous best).

    A kill at any moment therefore leaves every complete checkpoint that
    was not yet rotated out, ``last_checkpoint`` naming a complete file, and
    at worst a temporary file (deleted at the next save or start) or a
    replaced checkpoint not yet deleted. The latter is listed under the
    runtime-info key ``atomic_ckpt_pending_removal`` inside the newest
    checkpoint, so a resumed run deletes it in ``before_train``; mmengine's
    ``keep_ckpt_ids`` / ``last_ckpt`` / ``best_ckpt`` bookkeeping is the
    parent's, so a resumed run rotates the same files.

    Only local folders are supported (the renames are what makes the save
    atomic); any other storage backend is refused in ``before_train``.

    Args:
        **kwargs: the arguments of :class:`mmengine.hooks.CheckpointHook`
            (``interval``, ``by_epoch``, ``max_keep_ckpts``, ``save_last``,
            ``save_best``, ``rule``, ``out_dir``, ``filename_tmpl``, ...).
    """

    def before_train(self, runner) -> None:
        """Refuse non-local storage, then the parent's set-up, then delete
        stray temporary files and the checkpoints the resumed one replaced.
        """
        out_dir = runner.work_dir if self.out_dir is None else self.out_dir
        if self.file_client_args is None:
            backend = get_file_backend(out_dir, backend_args=self.backend_args)
        else:
            backend = FileClient.infer_client(self.file_client_args,
                                              out_dir).client
        if not isinstance(backend, LocalBackend):
            raise ValueError(
                f'{type(self).__name__} writes checkpoints atomically to a '
                f'local folder only, but default_hooks.checkpoint saves to '
                f'{out_dir!r} through {type(backend).__name__}; set '
                'default_hooks.checkpoint.type="CheckpointHook" for that '
                'storage')
        super().before_train(runner)
        if is_main_process():
            self._remove_temp_files(runner)
            self._remove_pending(runner)
        else:
            runner.message_hub.update_info(PENDING_KEY, [])

    def _remove_temp_files(self, runner) -> None:
        for path in remove_temp_files([self.out_dir, runner.work_dir]):
            runner.logger.warning(
                f'Removed {path}, a part of a checkpoint whose save was '
                'interrupted')

    def _kept_paths(self, runner) -> set:
        """Checkpoints that must never be deleted as "replaced"."""
        kept = {self.last_ckpt, runner.message_hub.get_info('last_ckpt')}
        for step in getattr(self, 'keep_ckpt_ids', ()):
            kept.add(
                self.file_backend.join_path(self.out_dir,
                                            self.filename_tmpl.format(step)))
        kept.add(getattr(self, 'best_ckpt_path', None))
        kept.update(getattr(self, 'best_ckpt_path_dict', {}).values())
        kept.discard(None)
        return {osp.abspath(path) for path in kept}

    def _queue_removal(self, runner, paths: Iterable[str]) -> None:
        pending = list(runner.message_hub.get_info(PENDING_KEY) or [])
        pending += [path for path in paths if path not in pending]
        runner.message_hub.update_info(PENDING_KEY, pending)

    def _remove_pending(self, runner) -> None:
        """Delete the checkpoints that a complete newer one replaced (main
        process only) and empty the list."""
        kept = self._kept_paths(runner)
        for path in runner.message_hub.get_info(PENDING_KEY) or []:
            if osp.abspath(path) in kept:
                continue
            if self.file_backend.isfile(path):
                self.file_backend.remove(path)
            elif self.file_backend.isdir(path):
                # checkpoints saved by deepspeed are directories
                self.file_backend.rmtree(path)
            else:
                continue
            runner.logger.info(f'Removed the replaced checkpoint {path}')
        runner.message_hub.update_info(PENDING_KEY, [])

    def _atomic_save(self, runner, filename: str, **kwargs) -> None:
        """``runner.save_checkpoint`` to a temporary name, then commit it as
        ``out_dir/filename``."""
        tmp_name = temp_name(filename)
        tmp_path = osp.join(self.out_dir, tmp_name)
        target = osp.join(self.out_dir, filename)
        if is_main_process():
            self._remove_temp_files(runner)
        try:
            runner.save_checkpoint(
                self.out_dir,
                tmp_name,
                self.file_client_args,
                backend_args=self.backend_args,
                **kwargs)
            if is_main_process():
                commit_file(tmp_path, target)
        except BaseException:
            if is_main_process():
                _remove_quietly(tmp_path)
            raise

    def _save_checkpoint_with_step(self, runner, step, meta):
        """The parent's bookkeeping, with the save made atomic and the
        rotated-out checkpoint deleted after ``last_checkpoint`` names the
        new one."""
        rotated = []
        if self.max_keep_ckpts > 0:
            # _save_checkpoint and _save_best_checkpoint may both save `step`
            if not (len(self.keep_ckpt_ids) > 0
                    and self.keep_ckpt_ids[-1] == step):
                if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
                    old_step = self.keep_ckpt_ids.popleft()
                    rotated.append(
                        self.file_backend.join_path(
                            self.out_dir, self.filename_tmpl.format(old_step)))
                self.keep_ckpt_ids.append(step)
                runner.message_hub.update_info('keep_ckpt_ids',
                                               list(self.keep_ckpt_ids))

        ckpt_filename = self.filename_tmpl.format(step)
        self.last_ckpt = self.file_backend.join_path(self.out_dir,
                                                     ckpt_filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        # recorded inside the new checkpoint: a run resumed from it deletes
        # these files if this save is killed before it does
        self._queue_removal(runner, rotated)

        self._atomic_save(
            runner,
            ckpt_filename,
            save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler,
            meta=meta,
            by_epoch=self.by_epoch,
            **self.args)

        if not is_main_process():
            runner.message_hub.update_info(PENDING_KEY, [])
            return
        write_text_atomic(
            osp.join(runner.work_dir, 'last_checkpoint'), self.last_ckpt)
        self._remove_pending(runner)

    def _save_best_checkpoint(self, runner, metrics) -> None:
        """The parent's best-checkpoint logic; the previous best is deleted
        after the new one and the checkpoint recording it are complete."""
        if not self.save_best:
            return

        if self.by_epoch:
            ckpt_filename = self.filename_tmpl.format(runner.epoch)
            cur_type, cur_time = 'epoch', runner.epoch
        else:
            ckpt_filename = self.filename_tmpl.format(runner.iter)
            cur_type, cur_time = 'iter', runner.iter

        meta = dict(epoch=runner.epoch, iter=runner.iter)

        if 'auto' in self.key_indicators:
            self._init_rule(self.rules, [list(metrics.keys())[0]])

        best_ckpt_updated = False
        for key_indicator, rule in zip(self.key_indicators, self.rules):
            key_score = metrics[key_indicator]

            if len(self.key_indicators) == 1:
                best_score_key = 'best_score'
                runtime_best_ckpt_key = 'best_ckpt'
                best_ckpt_path = self.best_ckpt_path
            else:
                best_score_key = f'best_score_{key_indicator}'
                runtime_best_ckpt_key = f'best_ckpt_{key_indicator}'
                best_ckpt_path = self.best_ckpt_path_dict[key_indicator]

            if best_score_key not in runner.message_hub.runtime_info:
                best_score = self.init_value_map[rule]
            else:
                best_score = runner.message_hub.get_info(best_score_key)

            if key_score is None or not self.is_better_than[key_indicator](
                    key_score, best_score):
                continue

            best_ckpt_updated = True
            best_score = key_score
            runner.message_hub.update_info(best_score_key, best_score)

            best_ckpt_name = f'best_{key_indicator}_{ckpt_filename}'
            # Replace illegal characters for filename with `_`
            best_ckpt_name = best_ckpt_name.replace('/', '_')
            new_path = self.file_backend.join_path(self.out_dir,
                                                   best_ckpt_name)
            if best_ckpt_path and best_ckpt_path != new_path:
                self._queue_removal(runner, [best_ckpt_path])
            if len(self.key_indicators) == 1:
                self.best_ckpt_path = new_path
            else:
                self.best_ckpt_path_dict[key_indicator] = new_path
            runner.message_hub.update_info(runtime_best_ckpt_key, new_path)
            self._atomic_save(
                runner,
                best_ckpt_name,
                save_optimizer=False,
                save_param_scheduler=False,
                meta=meta,
                by_epoch=False)
            runner.logger.info(
                f'The best checkpoint with {best_score:0.4f} {key_indicator} '
                f'at {cur_time} {cur_type} is saved to {best_ckpt_name}.')

        if not best_ckpt_updated:
            return
        if self.last_ckpt is not None:
            # as the parent: save the regular checkpoint again so that the
            # message hub inside it names the new best one; this also writes
            # last_checkpoint and then deletes the previous best
            self._save_checkpoint_with_step(runner, cur_time, meta)
        elif is_main_process():
            self._remove_pending(runner)
        else:
            runner.message_hub.update_info(PENDING_KEY, [])

    @master_only
    def _publish_model(self, runner, ckpt_path: str) -> None:
        """The parent's ``published_keys`` copy, written atomically."""
        from mmengine.runner import save_checkpoint
        from mmengine.runner.checkpoint import _load_checkpoint
        checkpoint = _load_checkpoint(ckpt_path)
        removed_keys = []
        for key in list(checkpoint.keys()):
            if key not in self.published_keys:
                removed_keys.append(key)
                checkpoint.pop(key)
        if removed_keys:
            print_log(
                f'Key {removed_keys} will be removed because they are not '
                'found in published_keys. If you want to keep them, '
                f'please set `{removed_keys}` in published_keys',
                logger='current')
        sha = hashlib.sha256(pickle.dumps(checkpoint)).hexdigest()
        final_path = osp.splitext(ckpt_path)[0] + f'-{sha[:8]}.pth'
        tmp_path = osp.join(
            osp.dirname(final_path), temp_name(osp.basename(final_path)))
        try:
            save_checkpoint(checkpoint, tmp_path)
            commit_file(tmp_path, final_path)
        except BaseException:
            _remove_quietly(tmp_path)
            raise
        print_log(
            f'The checkpoint ({ckpt_path}) is published to '
            f'{final_path}.',
            logger='current')
