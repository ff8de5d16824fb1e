"""报送到U盘 offers a stick, or the folder used last time: never a local disk."""

import pytest

from yibao_desktop.drives import DRIVE_REMOVABLE, Drive, is_removable, preselect


@pytest.mark.parametrize("root, removable", [
    ("/", False), ("/home", False), ("/boot/efi", False), ("/media", False), ("/run/media", False),
    ("/media/zhang/KINGSTON", True), ("/run/media/zhang/U盘", True), ("/mnt", True), ("/mnt/usb", True),
    ("/mediafiles", False), ("/mnt2/x", False),
])
def test_linux_sticks_are_the_mounts_under_media_and_mnt(root, removable):
    assert is_removable(root, platform="linux") is removable


def test_windows_asks_get_drive_type():
    asked = []

    def drive_type(root):
        asked.append(root)
        return DRIVE_REMOVABLE if root == "E:\\" else 3  # DRIVE_FIXED

    assert is_removable("E:/", platform="win32", drive_type=drive_type)
    assert not is_removable("C:/", platform="win32", drive_type=drive_type)
    assert asked == ["E:\\", "C:\\"]


def _drive(root, removable, read_only=False):
    return Drive(root, "", 8 << 30, removable, read_only)


LOCAL = [_drive("/", False), _drive("/home", False)]
STICK = _drive("/media/zhang/KINGSTON", True)


def test_a_local_disk_is_never_chosen_in_advance():
    assert preselect(LOCAL, None) is None
    assert preselect(LOCAL + [_drive("/media/zhang/CDROM", True, read_only=True)], None) is None


def test_a_stick_is_chosen():
    assert preselect(LOCAL + [STICK], None) == STICK.root


def test_the_last_folder_wins_on_the_stick_or_without_one():
    on_stick = "/media/zhang/KINGSTON/2025报送"
    here = {on_stick, "/home/zhang/报送"}
    assert preselect(LOCAL + [STICK], on_stick, is_dir=here.__contains__) == on_stick
    assert preselect(LOCAL, "/home/zhang/报送", is_dir=here.__contains__) == "/home/zhang/报送"
    # a stick is plugged in: it is offered rather than last year's local folder
    assert preselect(LOCAL + [STICK], "/home/zhang/报送", is_dir=here.__contains__) == STICK.root
    # the last folder is gone (the old stick): nothing local is offered
    assert preselect(LOCAL, "/media/zhang/OLD/报送", is_dir=here.__contains__) is None


def test_windows_last_folder_on_the_stick():
    drives = [_drive("C:/", False), _drive("E:/", True)]
    assert preselect(drives, "E:/报送", is_dir=lambda p: True) == "E:/报送"
    assert preselect(drives, "D:/旧", is_dir=lambda p: True) == "E:/"
