"""safe_replace: a failure at any step (full disk, refused candidate, failed move) leaves the old file."""

import errno
import os

import pytest

from ansible_collections.dockersec.hardening.plugins.module_utils.remediate import daemon_config as dc

OLD = '{\n  "storage-driver": "vfs"\n}\n'
NEW = '{\n  "icc": false,\n  "storage-driver": "vfs"\n}\n'


@pytest.fixture
def target(tmp_path):
    path = tmp_path / "docker" / "daemon.json"
    path.parent.mkdir()
    path.write_text(OLD)
    os.chmod(str(path), 0o640)
    return path


def _listing(*dirs):
    return sorted(str(p) for d in dirs for p in d.iterdir())


def test_replaces_with_backup_first(target, tmp_path):
    backups = tmp_path / "backups"
    seen = []

    def validate(candidate):
        # The backup exists before the candidate is even validated, and the candidate is complete.
        seen.append((sorted(os.listdir(str(backups))), open(candidate).read()))

    backup = dc.safe_replace(str(target), NEW, backup_dir=str(backups), stamp="20261123T000000Z", validate=validate)
    assert backup == str(backups / "daemon.json.20261123T000000Z.bak")
    assert open(backup).read() == OLD
    assert target.read_text() == NEW
    assert oct(os.stat(str(target)).st_mode & 0o777) == "0o640"
    assert seen == [(["daemon.json.20261123T000000Z.bak"], NEW)]
    assert _listing(target.parent) == [str(target)]


def test_new_file_without_backup(tmp_path):
    path = tmp_path / "etc" / "daemon.json"
    assert dc.safe_replace(str(path), NEW, stamp="x") is None
    assert path.read_text() == NEW
    assert oct(os.stat(str(path)).st_mode & 0o777) == "0o644"


def test_disk_full_while_writing_the_candidate(target, tmp_path, monkeypatch):
    backups = tmp_path / "backups"
    real_fsync = os.fsync
    calls = []

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 2:  # the first fsync is the backup's, the second the candidate's
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_fsync(fd)

    monkeypatch.setattr(dc.os, "fsync", fsync)
    with pytest.raises(dc.WriteError) as info:
        dc.safe_replace(str(target), NEW, backup_dir=str(backups), stamp="s")
    msg = str(info.value)
    assert msg.startswith("could not write the new file in %s: disk full (ENOSPC: " % target.parent)
    assert msg.endswith("%s is unchanged and nothing was changed" % target)
    assert info.value.errno == errno.ENOSPC
    assert target.read_text() == OLD
    # Neither the temp file nor the backup of a change that never happened is left behind.
    assert _listing(target.parent, backups) == [str(target)]


def test_disk_full_while_backing_up(target, tmp_path, monkeypatch):
    backups = tmp_path / "backups"

    def fsync(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(dc.os, "fsync", fsync)
    with pytest.raises(dc.WriteError, match=r"could not back up .* disk full \(ENOSPC: .*nothing was changed"):
        dc.safe_replace(str(target), NEW, backup_dir=str(backups), stamp="s")
    assert target.read_text() == OLD
    assert _listing(target.parent, backups) == [str(target)]


def test_refused_candidate_leaves_nothing(target, tmp_path):
    backups = tmp_path / "backups"

    def validate(candidate):
        raise dc.DaemonConfigError("dockerd --validate rejected it")

    with pytest.raises(dc.DaemonConfigError):
        dc.safe_replace(str(target), NEW, backup_dir=str(backups), stamp="s", validate=validate)
    assert target.read_text() == OLD
    assert _listing(target.parent, backups) == [str(target)]


def test_refusal_that_exits_the_module_leaves_nothing(target, tmp_path):
    # module.fail_json raises SystemExit, which is no Exception: cleanup must still happen.
    def validate(candidate):
        raise SystemExit(1)

    with pytest.raises(SystemExit):
        dc.safe_replace(str(target), NEW, backup_dir=str(tmp_path / "b"), stamp="s", validate=validate)
    assert _listing(target.parent, tmp_path / "b") == [str(target)]


def test_failed_move(target, tmp_path):
    def move(src, dst):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    with pytest.raises(dc.WriteError, match=r"could not move the new file over .*read-only file system \(EROFS"):
        dc.safe_replace(str(target), NEW, backup_dir=str(tmp_path / "b"), stamp="s", move=move)
    assert target.read_text() == OLD
    assert _listing(target.parent, tmp_path / "b") == [str(target)]


@pytest.mark.parametrize("exc,text", [
    (OSError(errno.ENOSPC, "No space left on device"), "disk full (ENOSPC: No space left on device)"),
    (OSError(errno.EDQUOT, "Disk quota exceeded"), "disk quota exceeded (EDQUOT: Disk quota exceeded)"),
    (OSError(errno.ENAMETOOLONG, "File name too long"), "ENAMETOOLONG: File name too long"),
    (OSError("no errno"), "no errno"),
])
def test_describe_os_error(exc, text):
    assert dc.describe_os_error(exc) == text
