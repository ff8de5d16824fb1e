"""使用说明 and 关于 (issue 13, item 15): the guide covers certificates and handing over the .cer,
报送到U盘, 核验, Excel import and city totals, and no longer calls a copied .yibao a submission;
关于 credits every bundled font."""

import re

from yibao_desktop import paths
from yibao_desktop.ui.dialogs import AboutDialog, GuideDialog, about_text

MENU_PATH = re.compile(r"“(文件|编辑|导出|视图|帮助) › ([^”›]+?)(?: › [^”]+)?”")


def _guide() -> str:
    return paths.resource("help", "guide.md").read_text(encoding="utf-8")


def test_the_guide_covers_what_a_county_and_a_city_do():
    guide = _guide()
    for words in ("签名设置", "新建单位证书", "导出公钥证书（.cer）", "添加受信任证书", "## 六、报送到U盘",
                  "manifest.json", "询问是否覆盖", "## 七、核验报送包", "U盘根目录", "verify-package",
                  "## 八、从 Excel 导入", "import-xlsx", "撤销", "## 九、汇总多个报送包", "导出 › 汇总多个报送包…",
                  "yibao-desktop aggregate", "打开示例"):
        assert words in guide, words


def test_the_guide_no_longer_calls_a_copied_yibao_a_submission():
    guide = _guide()
    assert "可直接复制到 U 盘备份或报送" not in guide
    for line in guide.splitlines():
        if ".yibao" in line and "报送" in line and "复制" in line:
            assert "不能作为报送材料" in line or "备份" in line, line


def test_every_menu_the_guide_names_exists(window):
    menus = {}
    for menu_action in window.menuBar().actions():
        title = menu_action.text().split("(")[0]
        menus[title] = {a.text() for a in menu_action.menu().actions() if a.text()}
    named = set(MENU_PATH.findall(_guide()))
    assert len(named) >= 8
    for menu, item in named:
        assert item in menus[menu], (menu, item, menus[menu])


def test_about_credits_every_bundled_font(qtbot):
    about = about_text()
    fonts = sorted(p.name for p in paths.fonts_dir().iterdir() if p.suffix in (".ttf", ".otf", ".txt"))
    assert len(fonts) == 8
    for name in fonts:
        assert name in about, name
    for family in ("思源黑体", "思源宋体", "霞鹜文楷", "SIL Open Font License"):
        assert family in about
    for dialog in (AboutDialog(None), GuideDialog(None)):
        qtbot.add_widget(dialog)
