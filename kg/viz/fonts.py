"""A CJK font for matplotlib figures, so 南京 is drawn as characters and not as boxes.

matplotlib keeps a font cache; when it was built before ``fonts-noto-cjk`` was
installed, the font is on the system but unknown to matplotlib. ``use_cjk_font``
asks fontconfig (``fc-match``) for the file and registers it, then puts it first
in ``font.sans-serif``.

>>> name = use_cjk_font()
>>> name is None or "CJK" in name
True
"""
from __future__ import annotations

import shutil
import subprocess

# fontconfig family names, best first (fonts-noto-cjk on Debian provides the first).
CANDIDATES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei")


def _known_cjk(fm) -> str | None:
    return next((f.name for f in fm.fontManager.ttflist
                 if "CJK" in f.name or f.name in CANDIDATES), None)


def use_cjk_font() -> str | None:
    """Make matplotlib draw Chinese; returns the font's family name (None if no CJK font exists)."""
    import matplotlib
    from matplotlib import font_manager as fm

    name = _known_cjk(fm)
    if name is None and shutil.which("fc-match"):
        for family in CANDIDATES:
            path = subprocess.run(["fc-match", "-f", "%{file}", f"{family}:lang=zh-cn"],
                                  capture_output=True, text=True).stdout.strip()
            if path and any(tag in path for tag in ("CJK", "SourceHan", "wqy", "NotoSansSC")):
                fm.fontManager.addfont(path)
                name = fm.FontProperties(fname=path).get_name()
                break
    if name is not None:
        rest = [f for f in matplotlib.rcParams["font.sans-serif"] if f != name]
        matplotlib.rcParams["font.sans-serif"] = [name, *rest]
        matplotlib.rcParams["axes.unicode_minus"] = False  # the CJK font lacks U+2212
    return name
