"""A CJK font for matplotlib, so that figures label places in Chinese without empty boxes.

The font is Noto Sans CJK, shipped on PyPI by ``manimgx-fonts-cjk`` (SIL Open Font
License; a dependency of citykg, so ``pip install`` brings it everywhere). Its file is
registered with matplotlib's ``font_manager`` explicitly; nothing depends on fonts
installed on the system.

The file is a variable font whose default instance is weight 100. matplotlib cannot pick
another instance, so it draws that one; we register the face as weight 400 so that
matplotlib's font matching takes it for ordinary text instead of logging a fallback
warning on every figure.

>>> family = setup_cjk_font()
>>> family
'Noto Sans CJK SC'
>>> from matplotlib import font_manager
>>> font_manager.findfont(family).endswith(".ttc")
True
"""
from __future__ import annotations

import dataclasses
from functools import lru_cache
from pathlib import Path

FAMILY = "Noto Sans CJK SC"


class FontMissing(RuntimeError):
    """The CJK font package is not installed."""


def font_file() -> Path:
    """Path of the Noto Sans CJK collection inside the installed package."""
    try:
        import manimgx_fonts_cjk
    except ImportError:
        raise FontMissing("the CJK font package is missing: pip install manimgx-fonts-cjk") from None
    path = Path(manimgx_fonts_cjk.__file__).parent / "NotoSansCJK-VF.otf.ttc"
    if not path.is_file():
        raise FontMissing(f"CJK font file not found: {path}")
    return path


@lru_cache(maxsize=1)
def setup_cjk_font() -> str:
    """Register the CJK font and make it matplotlib's first sans-serif; returns the family."""
    import matplotlib

    from matplotlib import font_manager

    path = str(font_file())
    manager = font_manager.fontManager
    if not any(e.fname == path for e in manager.ttflist):
        manager.addfont(path)
    # see the module doc: the default instance reports weight 100
    manager.ttflist = [dataclasses.replace(e, weight=400) if e.fname == path else e
                       for e in manager.ttflist]
    if hasattr(manager, "_findfont_cached"):  # font lookups made before the change are cached
        manager._findfont_cached.cache_clear()
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [FAMILY, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False  # ASCII hyphen-minus, in every font
    return FAMILY
