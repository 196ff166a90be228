"""Whether an image file ends before its data does: truncated files, found
from the file's own structure.

Pillow refuses most truncated files, but only while the application leaves
``ImageFile.LOAD_TRUNCATED_IMAGES`` off; with it on (a process-wide switch
that many programs set) a truncated JPEG decodes silently, its lower part
grey. skimgproc never reads nor sets that switch: it walks the file's
structure (the markers of a JPEG up to its end of image, the chunks of a
PNG up to IEND, the blocks of a GIF up to its trailer, the strips or tiles
a TIFF declares), so that a truncated file is refused whatever the switch
says, or, when the caller accepts truncated files, decoded as far as its
data goes, for this one image.
"""

import io
import os
import struct

__all__ = ["decode_partial", "missing_end", "unidentified_truncation"]

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# JPEG markers without a length: TEM, restart markers, SOI, EOI.
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8), 0xD8})
_EOI, _SOS = 0xD9, 0xDA
_EOI_BYTES = b"\xff\xd9"


def _png_end(file, size):
    file.seek(len(_PNG_SIGNATURE))
    while True:
        header = file.read(8)
        if len(header) < 8:
            return "it ends before its IEND chunk"
        length, kind = struct.unpack(">I4s", header)
        end = file.tell() + length + 4  # data and CRC
        if end > size:
            name = kind.decode("latin-1")
            return f"its {name} chunk needs {end - size} bytes more than the file has"
        if kind == b"IEND":
            return None
        file.seek(end)


def _jpeg_scan_end(data, pos):
    """The position of the marker that ends the entropy-coded data from
    ``pos`` (a 0xFF not followed by a stuffed 0x00 or a restart marker)."""
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= len(data):
            return -1
        following = data[pos + 1]
        if following == 0 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            pos += 1 if following == 0xFF else 2
            continue
        return pos


def _jpeg_end(data):
    pos = 2  # after SOI
    while True:
        if pos + 1 >= len(data):
            return "it ends before its end-of-image marker (EOI)"
        if data[pos] != 0xFF:
            return None  # not the structure walked here: Pillow's to judge
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == _EOI:
            return None
        if marker in _STANDALONE:
            pos += 2
            continue
        if pos + 4 > len(data):
            return "it ends inside a marker segment"
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        pos += 2 + length
        if pos > len(data):
            return "it ends inside a marker segment"
        if marker == _SOS:
            pos = _jpeg_scan_end(data, pos)
            if pos < 0:
                return "it ends inside its image data, before the end-of-image marker"


def _gif_sub_blocks(data, pos):
    """The position after a chain of data sub-blocks, or -1 past the end."""
    while pos < len(data):
        length = data[pos]
        pos += 1 + length
        if length == 0:
            return pos if pos <= len(data) else -1
    return -1


def _gif_end(data):
    if len(data) < 13:
        return "it ends inside its header"
    flags = data[10]
    pos = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    while pos < len(data):
        block = data[pos]
        if block == 0x3B:  # trailer
            return None
        if block == 0x21:  # extension: label, then sub-blocks
            pos = _gif_sub_blocks(data, pos + 2)
        elif block == 0x2C:  # image: descriptor, colour table, LZW data
            if pos + 10 > len(data):
                break
            flags = data[pos + 9]
            pos += 10 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
            pos = _gif_sub_blocks(data, pos + 1)
        else:
            return None  # not the structure walked here: Pillow's to judge
        if pos < 0:
            break
    return "it ends inside its image data, before the GIF trailer"


def _tiff_end(im, size):
    tags = getattr(im, "tag_v2", {})
    for offsets_tag, counts_tag in ((273, 279), (324, 325)):  # strips, tiles
        offsets, counts = tags.get(offsets_tag), tags.get(counts_tag)
        if offsets is None or counts is None:
            continue
        offsets = offsets if isinstance(offsets, tuple) else (offsets,)
        counts = counts if isinstance(counts, tuple) else (counts,)
        end = max((o + c for o, c in zip(offsets, counts, strict=False)), default=0)
        if end > size:
            return f"its image data needs {end - size} bytes more than the file has"
    return None


def missing_end(path, im):
    """Why the file of the opened image ``im`` is truncated, or None.

    Only PNG, JPEG (and MPO), GIF and TIFF are walked; other formats are
    left to Pillow's decoder, which refuses the truncated files it notices.
    """
    size = os.path.getsize(path)
    with open(path, "rb") as file:
        if im.format == "PNG":
            return _png_end(file, size)
        if im.format == "TIFF":
            return _tiff_end(im, size)
        if im.format in ("JPEG", "MPO"):
            return _jpeg_end(file.read())
        if im.format == "GIF":
            return _gif_end(file.read())
    return None


def unidentified_truncation(path):
    """Why a file is a truncated TIFF that Pillow could not identify (its
    first directory lies past the end, as when a TIFF written with its
    directory last is cut short), or None."""
    with open(path, "rb") as file:
        header = file.read(8)
    order = {b"II*\x00": "<", b"MM\x00*": ">"}.get(header[:4])
    if order is None or len(header) < 8:
        return None
    offset = struct.unpack(order + "I", header[4:])[0]
    size = os.path.getsize(path)
    if offset + 2 > size:
        return (f"its TIFF directory starts at byte {offset}, past the end of the "
                f"file's {size} bytes")
    return None


def decode_partial(path, im, factory):
    """Load ``im`` from a truncated file as far as its data goes, for this
    image only: a JPEG closed with the end-of-image marker its file lacks
    (what Pillow does under ``LOAD_TRUNCATED_IMAGES``: the rest is grey),
    other formats with the rows decoded before the end (the rest is 0).

    ``factory`` opens a file object as ``im``'s format.
    """
    if im.format in ("JPEG", "MPO"):
        with open(path, "rb") as file:
            data = file.read()
        whole = factory(io.BytesIO(data + _EOI_BYTES), os.fspath(path))
        whole.load()
        return whole
    try:
        im.load()
        return im
    except (OSError, SyntaxError, struct.error, IndexError):
        # The decoder wrote the rows it could into the image's memory
        # before it ran out of data.
        core = getattr(im, "im", None)
        if core is None:
            raise
        return im._new(core)
