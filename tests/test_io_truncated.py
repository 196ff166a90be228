"""Tests of skimgproc.io._truncated: truncated PNG, JPEG, TIFF and GIF files,
built here by cutting complete files short, refused by default (whatever
Pillow's global LOAD_TRUNCATED_IMAGES says) and read as far as their data
goes with allow_truncated=True."""

import io

import numpy as np
import pytest
from PIL import Image, ImageFile

from skimgproc import read_image, read_images

RNG = np.random.default_rng(0)
GRAY = RNG.integers(0, 256, size=(64, 80), dtype=np.uint8)
FORMATS = {"PNG": "png", "JPEG": "jpg", "TIFF": "tif", "GIF": "gif"}


def encoded(fmt, image=GRAY, **kwargs):
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def cut(tmp_path, fmt, fraction, **kwargs):
    """A file of ``fmt`` holding the first ``fraction`` of a complete one."""
    data = encoded(fmt, **kwargs)
    path = tmp_path / f"cut.{FORMATS[fmt]}"
    path.write_bytes(data[: int(len(data) * fraction)])
    return path


@pytest.fixture(params=[False, True], ids=["pillow-default", "load-truncated-on"])
def pillow_switch(request, monkeypatch):
    # The application's switch: skimgproc must refuse either way.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", request.param)


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("fraction", [0.5, 0.999])
def test_truncated_files_are_refused(tmp_path, fmt, fraction, pillow_switch):
    path = cut(tmp_path, fmt, fraction)
    with pytest.raises(ValueError, match=rf"cut\.{FORMATS[fmt]}'.*the {fmt} file "
                       r"is truncated \(.*\)\. Pass allow_truncated=True"):
        read_image(path)


def test_progressive_jpeg_and_compressed_tiff_cut_short(tmp_path):
    path = cut(tmp_path, "JPEG", 0.3, progressive=True)
    with pytest.raises(ValueError, match="before the end-of-image marker"):
        read_image(path)
    # Pillow writes a compressed TIFF's directory last: cut, nothing names it.
    path = cut(tmp_path, "TIFF", 0.5, compression="tiff_lzw")
    with pytest.raises(ValueError, match=r"truncated \(its TIFF directory starts "
                       r"at byte \d+, past the end"):
        read_image(path)


@pytest.mark.parametrize("fmt", ["PNG", "TIFF", "GIF"])
def test_allow_truncated_reads_the_rows_present(tmp_path, fmt):
    # GIF rows in file order (Pillow interlaces them by default).
    kwargs = {"interlace": False} if fmt == "GIF" else {}
    path = cut(tmp_path, fmt, 0.5, **kwargs)
    image = read_image(path, allow_truncated=True)
    expected = read_image(cut(tmp_path, fmt, 1.0, **kwargs))  # GIF: quantised
    assert image.shape == GRAY.shape
    # Half the data: the first rows as in the whole file, the last ones 0.
    np.testing.assert_array_equal(image[:10], expected[:10])
    assert not image[-10:].any()


def test_allow_truncated_jpeg_is_completed_grey(tmp_path, pillow_switch):
    smooth = np.add.outer(np.arange(64), np.arange(80)).astype(np.uint8)
    data = encoded("JPEG", smooth, quality=95)
    path = tmp_path / "cut.jpg"
    path.write_bytes(data[: len(data) // 2])
    image = read_image(path, allow_truncated=True)
    assert np.abs(image[:8].astype(int) - smooth[:8]).max() <= 4
    assert (image[-8:] == 128).all()  # libjpeg's grey for the missing blocks


def test_complete_files_with_trailing_data_still_read(tmp_path):
    # Bytes after a JPEG's end-of-image marker (cameras append some) are
    # not a truncation.
    path = tmp_path / "tail.jpg"
    path.write_bytes(encoded("JPEG") + b"trailing bytes")
    assert read_image(path).shape == GRAY.shape


def test_read_images_passes_allow_truncated(tmp_path):
    path = cut(tmp_path, "PNG", 0.5)
    with pytest.raises(ValueError, match="the PNG file is truncated"):
        read_images([path])
    assert read_images([path], allow_truncated=True).shape == (1, 64, 80)
    with pytest.raises(ValueError, match="'allow_truncated' parameter of read_image"):
        read_image(path, allow_truncated="yes")
