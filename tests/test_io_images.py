"""Tests of skimgproc.io._images: one image file in and out (read_image,
write_image), hostile and broken files, atomic writes.

Files are built byte by byte where Pillow would not write them (bombs,
truncated data, 16-bit colour), and results are compared with Pillow used
directly, or with values known analytically.
"""

import os
import stat
import struct
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

import skimgproc
from skimgproc import read_image, read_images, write_image

RNG = np.random.default_rng(0)
RGB = RNG.integers(0, 256, size=(20, 30, 3), dtype=np.uint8)


def png_bytes(width, height, bit_depth, colour_type, raw_rows):
    """A PNG file from scratch: signature, IHDR, one IDAT, IEND."""

    def chunk(kind, data):
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    idat = zlib.compress(b"".join(b"\x00" + row for row in raw_rows))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat)
            + chunk(b"IEND", b""))


def save(path, array, **kwargs):
    Image.fromarray(array).save(path, **kwargs)
    return path


def listing(folder):
    return sorted(os.listdir(folder))

# -- reading ------------------------------------------------------------------


def test_read_image_rgb_png_round_trip(tmp_path):
    path = save(tmp_path / "a.png", RGB)
    out = read_image(path, mode="RGB")
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, RGB)
    np.testing.assert_array_equal(read_image(path, mode=None), RGB)


def test_read_image_gray_uses_luma_weights(tmp_path):
    path = save(tmp_path / "a.png", RGB)
    gray = read_image(path)
    luma = RGB @ np.array([0.299, 0.587, 0.114])
    assert gray.shape == RGB.shape[:2]
    assert gray.dtype == np.uint8
    assert np.abs(gray - luma).max() <= 1.0


def test_read_image_gray_file_as_rgb_repeats_channels(tmp_path):
    gray = RGB[..., 0]
    path = save(tmp_path / "g.png", gray)
    out = read_image(path, mode="RGB")
    assert out.shape == gray.shape + (3,)
    for c in range(3):
        np.testing.assert_array_equal(out[..., c], gray)


def test_read_image_sixteen_bit_gray_keeps_values(tmp_path):
    values = (np.arange(24 * 16).reshape(24, 16) * 170).astype(np.uint16)
    path = save(tmp_path / "g16.png", values)
    out = read_image(path)
    assert out.dtype == np.uint16 and out.max() > 255
    np.testing.assert_array_equal(out, values)
    np.testing.assert_array_equal(read_image(path, mode="RGB")[..., 2], values)


def test_read_image_big_endian_sixteen_bit_png(tmp_path):
    values = np.array([[0, 300], [65535, 1024]], dtype=">u2")
    path = tmp_path / "be.png"
    path.write_bytes(png_bytes(2, 2, 16, 0, [row.tobytes() for row in values]))
    out = read_image(path)
    assert out.dtype == np.uint16
    np.testing.assert_array_equal(out, values.astype(np.uint16))


def test_read_image_float_tiff_keeps_negative_values(tmp_path):
    values = np.linspace(-5, 5, 12, dtype=np.float32).reshape(3, 4)
    path = save(tmp_path / "f.tif", values)
    out = read_image(path)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, values)


def test_read_image_palette_with_transparency(tmp_path):
    index = np.array([[0, 1], [1, 0]], dtype=np.uint8)
    im = Image.fromarray(index, mode="P")
    im.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    path = tmp_path / "p.png"
    im.save(path, transparency=0)
    rgba = read_image(path, mode=None)
    assert rgba.shape == (2, 2, 4)
    np.testing.assert_array_equal(rgba[..., 3], np.where(index == 0, 0, 255))
    np.testing.assert_array_equal(rgba[1, 0, :3], [0, 0, 255])
    rgb = read_image(path, mode="RGB")
    np.testing.assert_array_equal(rgb[0, 0], [255, 0, 0])
    gray = read_image(path)
    assert gray[1, 0] == round(0.114 * 255)


def test_read_image_rgba_and_bilevel(tmp_path):
    rgba = np.dstack([RGB, np.full(RGB.shape[:2], 7, np.uint8)])
    path = save(tmp_path / "a.png", rgba)
    np.testing.assert_array_equal(read_image(path, mode=None), rgba)
    np.testing.assert_array_equal(read_image(path, mode="RGB"), RGB)
    bits = RNG.random((9, 11)) > 0.5
    path = save(tmp_path / "b.png", bits)
    assert read_image(path, mode=None).dtype == bool
    np.testing.assert_array_equal(read_image(path), bits * 255)


def test_read_image_applies_exif_orientation(tmp_path):
    image = np.arange(6 * 10, dtype=np.uint8).reshape(6, 10) * 4
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    path = tmp_path / "rotated.png"
    Image.fromarray(image).save(path, exif=exif)
    np.testing.assert_array_equal(read_image(path), np.rot90(image, k=-1))
    exif[0x0112] = 2  # mirrored
    Image.fromarray(image).save(path, exif=exif)
    np.testing.assert_array_equal(read_image(path), image[:, ::-1])


def test_read_image_resize(tmp_path):
    path = save(tmp_path / "a.png", RGB)
    out = read_image(path, mode="RGB", resize=(10, 15))
    assert out.shape == (10, 15, 3)
    # A constant image stays constant under any resampling.
    path = save(tmp_path / "c.png", np.full((30, 40), 77, np.uint16) * 300)
    out = read_image(path, resize=(7, 9))
    assert out.shape == (7, 9) and out.dtype == np.uint16
    assert np.all(out == 77 * 300)


def test_read_image_format_from_content_not_extension(tmp_path):
    path = save(tmp_path / "actually_png.jpg", RGB, format="PNG")
    np.testing.assert_array_equal(read_image(path, mode="RGB"), RGB)


def sixteen_bit_rgb(tmp_path):
    values = (RNG.integers(0, 65536, size=(5, 7, 3))).astype(">u2")
    path = tmp_path / "rgb16.png"
    path.write_bytes(png_bytes(7, 5, 16, 2, [row.tobytes() for row in values]))
    return path, values.astype(np.uint16)


def test_read_image_sixteen_bit_colour_with_opencv(tmp_path):
    pytest.importorskip("cv2")
    path, values = sixteen_bit_rgb(tmp_path)
    out = read_image(path, mode="RGB")
    assert out.dtype == np.uint16
    np.testing.assert_array_equal(out, values)
    gray = read_image(path)
    luma = values @ np.array([0.299, 0.587, 0.114])
    assert gray.dtype == np.uint16 and np.abs(gray - luma).max() <= 1.0


def test_read_image_sixteen_bit_colour_without_opencv_refuses(tmp_path):
    path, _ = sixteen_bit_rgb(tmp_path)
    with skimgproc.config_context(accelerate=False):
        with pytest.raises(ValueError, match=r"rgb16\.png.*16-bit colour"):
            read_image(path, mode="RGB")


# -- hostile and broken files -------------------------------------------------


def test_decompression_bomb_refused_before_decoding(tmp_path):
    # A 100000 x 100000 PNG header with a few bytes of data: 10**10 pixels.
    path = tmp_path / "bomb.png"
    path.write_bytes(png_bytes(100_000, 100_000, 8, 0, [b"\x00" * 16]))
    assert path.stat().st_size < 200
    limit = Image.MAX_IMAGE_PIXELS
    with pytest.raises(ValueError, match=r"bomb\.png.*100000 x 100000.*max_pixels"):
        read_image(path)
    with pytest.raises(ValueError, match="max_pixels"):
        read_images([path])
    assert Image.MAX_IMAGE_PIXELS == limit  # Pillow's setting untouched


def test_max_pixels_is_the_callers_limit(tmp_path):
    path = save(tmp_path / "a.png", RGB)  # 600 pixels
    with pytest.raises(ValueError, match="600 pixels, more than max_pixels=599"):
        read_image(path, max_pixels=599)
    assert read_image(path, max_pixels=600).shape == (20, 30)


def test_pillow_limit_neither_warns_nor_refuses_allowed_images(tmp_path, monkeypatch):
    # With Pillow's global limit far below the image, Pillow alone would warn
    # (and refuse above twice the limit); the caller's max_pixels decides.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    path = save(tmp_path / "a.png", RGB)
    np.testing.assert_array_equal(read_image(path, mode="RGB"), RGB)
    assert Image.MAX_IMAGE_PIXELS == 100
    with pytest.raises(ValueError, match="max_pixels=500"):
        read_image(path, max_pixels=500)


def test_default_max_pixels_is_no_more_permissive_than_pillows_default(tmp_path):
    from skimgproc.io import DEFAULT_MAX_PIXELS

    # Pillow's default limit, above which it warns of a decompression bomb.
    assert DEFAULT_MAX_PIXELS == 1024 * 1024 * 1024 // 4 // 3 == 89_478_485
    path = tmp_path / "big.png"  # declares 12000 x 10000: 120 megapixels
    path.write_bytes(png_bytes(12_000, 10_000, 8, 0, [b"\x00" * 16]))
    with pytest.raises(ValueError, match=r"120000000 pixels, more than max_pixels"):
        read_image(path)
    # The caller may raise it: then the (truncated) data is what fails.
    with pytest.raises(ValueError, match=r"big\.png.*the file is truncated"):
        read_image(path, max_pixels=120_000_000)


def test_pillow_limit_checked_by_a_plugin_itself_is_explained(tmp_path, monkeypatch):
    # TIFF's plugin checks its tiles against Pillow's global limit while
    # decoding: the application's setting, which skimgproc leaves alone.
    path = tmp_path / "a.tif"
    write_image(path, RGB)  # 600 pixels
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    with pytest.raises(ValueError, match=r"a\.tif.*Image\.MAX_IMAGE_PIXELS"):
        read_image(path)
    assert Image.MAX_IMAGE_PIXELS == 100


def test_formats_identified_as_pillow_identifies_them(tmp_path):
    # The identification loop replaces Image.open's: every format Pillow
    # writes here reads back as Pillow reads it.
    for ext in ("png", "bmp", "gif", "tif", "ppm", "webp", "jpg"):
        path = save(tmp_path / f"a.{ext}", RGB)
        with Image.open(path) as im:
            expected = np.asarray(im.convert("RGB"))
        np.testing.assert_array_equal(read_image(path, mode="RGB"), expected)


@pytest.mark.parametrize("kind", ["png", "jpg"])
@pytest.mark.parametrize("fraction", [0.3, 0.9])
def test_truncated_files_raise_naming_the_file(tmp_path, kind, fraction):
    full = save(tmp_path / f"full.{kind}", RGB)
    data = full.read_bytes()
    path = tmp_path / f"cut.{kind}"
    path.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(ValueError, match=f"cut.{kind}"):
        read_image(path)


def test_tiny_header_fragment(tmp_path):
    path = tmp_path / "stub.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(ValueError, match="stub.png"):
        read_image(path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    with pytest.raises(ValueError, match=r"empty\.png.*empty \(0 bytes\)"):
        read_image(path)


def test_text_file_named_png(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("this is not an image\n")
    with pytest.raises(ValueError, match=r"notes\.png.*not an image"):
        read_image(path)


def test_wrong_extension_text_file(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match=r"table\.csv.*'\.csv'"):
        read_image(path)


def test_directory_and_missing_path(tmp_path):
    with pytest.raises(IsADirectoryError, match=str(tmp_path)):
        read_image(tmp_path)
    with pytest.raises(FileNotFoundError, match="nothing.png"):
        read_image(tmp_path / "nothing.png")
    with pytest.raises(FileNotFoundError, match="nothing.png"):
        read_images([tmp_path / "nothing.png"])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(mode="CMYK"), "'mode' parameter of read_image"),
        (dict(resize=(0, 4)), "'resize' parameter"),
        (dict(resize=5), "'resize' parameter"),
        (dict(max_pixels=0), "'max_pixels' parameter"),
        (dict(max_pixels=1.5), "'max_pixels' parameter"),
    ],
)
def test_read_image_bad_parameters(tmp_path, kwargs, match):
    path = save(tmp_path / "a.png", RGB)
    with pytest.raises(ValueError, match=match):
        read_image(path, **kwargs)


def test_read_image_bad_path_type():
    with pytest.raises(ValueError, match="'path' argument of read_image"):
        read_image(3)

# -- writing ------------------------------------------------------------------


def test_write_image_minmax_like_scipy_imsave(tmp_path):
    path = tmp_path / "g.png"
    write_image(path, np.array([[-1.0, 0.0, 1.0]]))
    np.testing.assert_array_equal(read_image(path), [[0, 128, 255]])
    ramp = np.linspace(0.0, 1.0, 256)[None]  # exactly 0..255 after scaling
    write_image(path, ramp)
    np.testing.assert_array_equal(read_image(path)[0], np.arange(256))
    write_image(path, np.full((2, 2), 3.5))  # constant: 0, as bytescale did
    np.testing.assert_array_equal(read_image(path), 0)


def test_write_image_clip(tmp_path):
    path = tmp_path / "g.png"
    write_image(path, np.array([[-5.0, 0.4, 0.6, 254.5, 300.0]]), rescale="clip")
    np.testing.assert_array_equal(read_image(path), [[0, 0, 1, 254, 255]])


def test_write_image_uint8_and_bool_unchanged(tmp_path):
    path = tmp_path / "c.png"
    write_image(path, RGB, rescale="clip")
    np.testing.assert_array_equal(read_image(path, mode="RGB"), RGB)
    write_image(path, np.array([[True, False]]))
    np.testing.assert_array_equal(read_image(path), [[255, 0]])


def test_write_image_keeps_sixteen_bits_and_floats_without_rescale(tmp_path):
    values = np.array([[0, 1000], [40000, 65535]], dtype=np.int64)
    for name in ("a.png", "a.tif"):
        write_image(tmp_path / name, values, rescale=None)
        out = read_image(tmp_path / name)
        assert out.dtype == np.uint16
        np.testing.assert_array_equal(out, values)
    floats = np.array([[-1.5, 0.25], [3.0, 1e6]])
    write_image(tmp_path / "f.tif", floats, rescale=None)
    np.testing.assert_array_equal(read_image(tmp_path / "f.tif"), floats)


@pytest.mark.parametrize(
    "name, values, match",
    [
        ("a.png", np.array([[0.5]]), "float values need a gray image saved as TIFF"),
        ("a.jpg", np.array([[0, 1000]]), "beyond 0..255"),
        ("a.png", np.array([[-1, 3]]), "beyond 0..255"),
    ],
)
def test_write_image_without_rescale_refuses_lossy(tmp_path, name, values, match):
    with pytest.raises(ValueError, match=match):
        write_image(tmp_path / name, values, rescale=None)
    assert listing(tmp_path) == []


@pytest.mark.parametrize("name", ["a.jpg", "a.tif", "a.pdf", "a.bmp"])
def test_write_image_formats_from_extension(tmp_path, name):
    path = tmp_path / name
    yy, xx = np.mgrid[0:40, 0:60]
    smooth = np.dstack([xx * 4, yy * 6, 255 - xx * 4]).astype(np.uint8)
    write_image(path, smooth)
    fmt = {"jpg": "JPEG", "tif": "TIFF", "pdf": "PDF", "bmp": "BMP"}[name[2:]]
    if fmt == "PDF":
        assert path.read_bytes().startswith(b"%PDF")
        return
    with Image.open(path) as im:
        assert im.format == fmt
    tolerance = 3 if fmt == "JPEG" else 0  # JPEG is lossy
    error = np.abs(read_image(path, mode="RGB").astype(int) - smooth).mean()
    assert error <= tolerance


@pytest.mark.parametrize(
    "image, match",
    [
        (np.array([[np.nan, 1.0]]), "NaN"),
        (np.array([[np.inf, 1.0]]), "inf"),
        (np.zeros(5), "one image"),
        (np.zeros((2, 2, 5)), "one image"),
        (np.zeros((0, 4)), "0 feature|empty"),
        (np.array([["a", "b"]]), "non-numeric"),
    ],
)
def test_write_image_bad_arrays(tmp_path, image, match):
    with pytest.raises(ValueError, match=match):
        write_image(tmp_path / "x.png", image)
    assert listing(tmp_path) == []


def test_write_image_bad_destination(tmp_path):
    with pytest.raises(ValueError, match=r"unknown image file extension '\.xyz'"):
        write_image(tmp_path / "a.xyz", RGB)
    with pytest.raises(ValueError, match="unknown image file extension"):
        write_image(tmp_path / "noextension", RGB)
    with pytest.raises(FileNotFoundError, match="missing"):
        write_image(tmp_path / "missing" / "a.png", RGB)
    (tmp_path / "folder.png").mkdir()
    with pytest.raises(IsADirectoryError, match="folder.png"):
        write_image(tmp_path / "folder.png", RGB)
    with pytest.raises(ValueError, match="'rescale' parameter of write_image"):
        write_image(tmp_path / "a.png", RGB, rescale="auto")
    assert listing(tmp_path) == ["folder.png"]


def test_failed_write_keeps_existing_file_and_leaves_nothing(tmp_path):
    path = save(tmp_path / "keep.jpg", RGB)
    before = path.read_bytes()
    rgba = np.dstack([RGB, RGB[..., :1]])
    with pytest.raises(ValueError, match=r"keep\.jpg.*JPEG"):
        write_image(path, rgba)  # JPEG has no alpha: Pillow fails mid-write
    assert path.read_bytes() == before
    assert listing(tmp_path) == ["keep.jpg"]


def test_interrupted_write_keeps_existing_file(tmp_path, monkeypatch):
    path = save(tmp_path / "keep.png", RGB)
    before = path.read_bytes()

    def half_then_fail(self, fp, *args, **kwargs):
        fp.write(b"\x89PNG partial")
        raise KeyboardInterrupt  # not even an Exception

    monkeypatch.setattr(Image.Image, "save", half_then_fail)
    with pytest.raises(KeyboardInterrupt):
        write_image(path, RGB[..., 0])
    assert path.read_bytes() == before
    assert listing(tmp_path) == ["keep.png"]


def test_write_image_permissions_and_symlinks(tmp_path):
    umask = os.umask(0)
    os.umask(umask)
    path = tmp_path / "new.png"
    write_image(path, RGB)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
    os.chmod(path, 0o600)
    write_image(path, RGB[..., 1])  # replacing keeps the old permissions
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    link = tmp_path / "link.png"
    link.symlink_to(path)
    write_image(link, RGB[..., 2])
    assert link.is_symlink()
    np.testing.assert_array_equal(read_image(path), RGB[..., 2])


def test_write_image_read_only_input_untouched(tmp_path):
    image = np.linspace(-3, 3, 12).reshape(3, 4)
    image.flags.writeable = False
    copy = image.copy()
    write_image(tmp_path / "r.png", image)
    np.testing.assert_array_equal(image, copy)


@settings(max_examples=30, deadline=None)
@given(arrays(np.uint8, st.tuples(st.integers(1, 9), st.integers(1, 9),
                                  st.sampled_from([3, 4]))))
def test_png_round_trip_is_lossless(tmp_path_factory, image):
    path = tmp_path_factory.mktemp("rt") / "x.png"
    write_image(path, image)
    np.testing.assert_array_equal(read_image(path, mode=None), image)


def test_write_image_of_a_batch_of_one_names_the_shape_given(tmp_path):
    # Not "a 5-D array": the message speaks of what the caller passed.
    with pytest.raises(ValueError, match=r"one image.*shape \(1, 4, 5, 3\)"):
        write_image(tmp_path / "x.png", np.zeros((1, 4, 5, 3)))


def test_write_image_leaves_a_read_only_file_alone(tmp_path):
    path = save(tmp_path / "keep.png", RGB)
    before = path.read_bytes()
    os.chmod(path, 0o444)
    with pytest.raises(PermissionError, match=r"read-only.*keep\.png"):
        write_image(path, RGB[..., 0])
    assert path.read_bytes() == before
    assert listing(tmp_path) == ["keep.png"]


def test_write_image_minmax_of_the_largest_floats(tmp_path):
    # max - min overflows float64: the values still map onto 0..255.
    top = np.finfo(np.float64).max
    image = np.array([[-top, -top / 2, 0.0, top / 2, top]])
    write_image(tmp_path / "huge.png", image)
    expected = np.floor((image / top + 1) / 2 * 255 + 0.5)  # [-top, top] to 0..255
    np.testing.assert_array_equal(read_image(tmp_path / "huge.png"), expected)
