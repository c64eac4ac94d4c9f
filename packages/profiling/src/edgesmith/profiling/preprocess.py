"""Explicit image preprocessing: how pixels become model inputs, written once and recorded in every sidecar.

A spec is a comma-separated list of presets and ``key=value`` steps, applied in this order: colour
(``channels``), geometry (``shorter`` then ``resize`` then ``crop``), values (``scale``, ``offset``, then
``mean``/``std``), ``layout``. The same :class:`Preprocess` feeds calibration and evaluation, so a model
is never calibrated on different pixels than it is scored on::

    p = Preprocess.parse("mobilenet,resize=224")        # x * (1/127.5) - 1 at 224×224, NHWC
    p = Preprocess.parse("shorter=256,crop=224,torch")  # resize keeping aspect, centre crop, ImageNet norm
    batch = p.apply_images([pil_image, ...])            # float32 (N, 224, 224, 3)

Steps: ``resize=H[xW]`` stretches to exactly H×W; ``shorter=N`` scales the shorter side to N keeping the
aspect ratio; ``crop=H[xW]`` takes the centre H×W (never a resize); ``scale=1/255`` and ``offset=-1``
give ``x * scale + offset``; ``mean=a/b/c`` and ``std=a/b/c`` then give ``(x - mean) / std`` per
channel; ``channels=rgb|bgr|gray``; ``layout=nhwc|nchw``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

PRESETS: dict[str, str] = {
    "0-1": "scale=1/255",
    "raw": "scale=1",
    "mobilenet": "scale=1/127.5,offset=-1",
    "inception": "scale=1/127.5,offset=-1",
    "caffe": "channels=bgr,mean=103.939/116.779/123.68",
    "torch": "scale=1/255,mean=0.485/0.456/0.406,std=0.229/0.224/0.225",
}
"""Named value ranges: ``mobilenet``/``inception`` map 0-255 to [-1, 1], ``caffe`` is BGR minus the ImageNet
mean (Keras ResNet50/VGG16), ``torch`` is 0-1 then ImageNet mean/std, ``0-1`` divides by 255, ``raw`` keeps
0-255."""

CHANNELS = ("rgb", "bgr", "gray")
LAYOUTS = ("nhwc", "nchw")


class PreprocessError(ValueError):
    """A preprocessing spec that cannot be parsed; the message shows the accepted form."""


def _number(text: str, key: str) -> float:
    try:
        if "/" in text:
            num, den = text.split("/", 1)
            return float(num) / float(den)
        return float(text)
    except (ValueError, ZeroDivisionError):
        raise PreprocessError(
            f"{key}={text!r} is not a number; write e.g. {key}=1/255 or {key}=0.5"
        ) from None


def _size(text: str, key: str) -> tuple[int, int]:
    parts = text.lower().replace("×", "x").split("x")
    try:
        dims = [int(p) for p in parts]
    except ValueError:
        raise PreprocessError(
            f"{key}={text!r} is not a size; write {key}=224 or {key}=480x640 (HxW)"
        ) from None
    if len(dims) not in (1, 2) or any(d < 1 for d in dims):
        raise PreprocessError(f"{key}={text!r} is not a size; write {key}=224 or {key}=480x640 (HxW)")
    return (dims[0], dims[-1])


def _triple(text: str, key: str) -> tuple[float, ...]:
    values = tuple(_number(v, key) for v in text.split("/"))
    if len(values) not in (1, 3):
        raise PreprocessError(
            f"{key}={text!r}: give one value or three (R/G/B order of the model's channels)"
        )
    return values


@dataclasses.dataclass(frozen=True)
class Preprocess:
    """The steps from decoded pixels (uint8 0-255, RGB) to the model's float32 input batch."""

    resize: tuple[int, int] | None = None
    shorter: int | None = None
    crop: tuple[int, int] | None = None
    scale: float = 1.0 / 255.0
    offset: float = 0.0
    mean: tuple[float, ...] | None = None
    std: tuple[float, ...] | None = None
    channels: str = "rgb"
    layout: str = "nhwc"
    explicit: bool = False  # False: nothing was asked for and the 0-1 default applies

    @classmethod
    def parse(cls, spec: str | None) -> Preprocess:
        """From ``"mobilenet,resize=224"``; ``None`` or empty gives the 0-1 default (``explicit=False``)."""
        if spec is None or not spec.strip():
            return cls()
        fields: dict[str, Any] = {"explicit": True}
        for item in (s.strip() for s in spec.split(",")):
            if not item:
                continue
            if "=" not in item:
                if item.lower() not in PRESETS:
                    raise PreprocessError(
                        f"unknown preprocessing preset {item!r}; presets: {', '.join(PRESETS)} "
                        "(or steps such as resize=224,scale=1/127.5,offset=-1)"
                    )
                preset = cls.parse(PRESETS[item.lower()])
                for f in ("scale", "offset", "mean", "std"):
                    fields[f] = getattr(preset, f)
                if preset.channels != "rgb":
                    fields["channels"] = preset.channels
                continue
            key, value = (p.strip() for p in item.split("=", 1))
            key = key.lower()
            if key in ("resize", "crop"):
                fields[key] = _size(value, key)
            elif key == "shorter":
                fields[key] = _size(value, key)[0]
            elif key in ("scale", "offset"):
                fields[key] = _number(value, key)
            elif key in ("mean", "std"):
                fields[key] = _triple(value, key)
            elif key == "channels":
                if value.lower() not in CHANNELS:
                    raise PreprocessError(f"channels={value!r}: use one of {', '.join(CHANNELS)}")
                fields[key] = value.lower()
            elif key == "layout":
                if value.lower() not in LAYOUTS:
                    raise PreprocessError(f"layout={value!r}: use nhwc or nchw")
                fields[key] = value.lower()
            else:
                raise PreprocessError(
                    f"unknown preprocessing step {key!r}; steps: resize, shorter, crop, scale, offset, "
                    "mean, std, channels, layout"
                )
        if fields.get("std") and any(s == 0 for s in fields["std"]):
            raise PreprocessError("std must not contain 0")
        return cls(**fields)

    # -- fitting to a model ------------------------------------------------------------------------
    def fit_input(self, shape: Sequence[int | None] | None) -> Preprocess:
        """Fill what the spec left open from a model input shape (``(N, H, W, C)`` or ``(N, C, H, W)``):
        the output size (a stretch resize), the layout and grey vs colour. Explicit steps win."""
        if shape is None or len(shape) != 4:
            return self
        dims = list(shape)
        nchw = dims[1] in (1, 3) and dims[3] not in (1, 3)
        h, w, c = (dims[2], dims[3], dims[1]) if nchw else (dims[1], dims[2], dims[3])
        changes: dict[str, Any] = {}
        if self.layout == "nhwc" and nchw and "layout" not in self._given():
            changes["layout"] = "nchw"
        if c == 1 and self.channels == "rgb" and "channels" not in self._given():
            changes["channels"] = "gray"
        if h and w and self.resize is None and self.crop is None and self.shorter is None:
            changes["resize"] = (int(h), int(w))
        return dataclasses.replace(self, **changes) if changes else self

    def _given(self) -> set[str]:
        defaults = Preprocess()
        return {
            f.name for f in dataclasses.fields(self) if getattr(self, f.name) != getattr(defaults, f.name)
        }

    @property
    def output_hw(self) -> tuple[int, int] | None:
        """The (H, W) of the images this produces, if fixed."""
        return self.crop or self.resize

    # -- applying ----------------------------------------------------------------------------------
    def _geometry(self, img: Any) -> Any:
        from PIL import Image

        if self.shorter:
            w, h = img.size
            k = self.shorter / min(w, h)
            img = img.resize((max(1, round(w * k)), max(1, round(h * k))), Image.Resampling.BILINEAR)
        if self.resize:
            img = img.resize((self.resize[1], self.resize[0]), Image.Resampling.BILINEAR)
        if self.crop:
            ch, cw = self.crop
            w, h = img.size
            if ch > h or cw > w:
                raise PreprocessError(
                    f"crop={ch}x{cw} is larger than the {h}x{w} image; "
                    f"add shorter={max(ch, cw)} or resize= first"
                )
            left, top = (w - cw) // 2, (h - ch) // 2
            img = img.crop((left, top, left + cw, top + ch))
        return img

    def image_array(self, img: Any) -> np.ndarray:
        """One PIL image -> float32 ``(H, W, C)`` after colour, geometry and values (layout not applied)."""
        img = img.convert("L" if self.channels == "gray" else "RGB")
        a = np.asarray(self._geometry(img), dtype=np.float32)
        if a.ndim == 2:
            a = a[..., np.newaxis]
        if self.channels == "bgr":
            a = a[..., ::-1]
        return self._values(a)

    def _values(self, a: np.ndarray) -> np.ndarray:
        a = a * np.float32(self.scale) + np.float32(self.offset)
        if self.mean is not None:
            a = a - np.asarray(self.mean, np.float32)
        if self.std is not None:
            a = a / np.asarray(self.std, np.float32)
        return a.astype(np.float32, copy=False)

    def _layout(self, batch: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(batch.transpose(0, 3, 1, 2) if self.layout == "nchw" else batch)

    def apply_images(self, images: Iterable[Any]) -> np.ndarray:
        """PIL images -> one float32 batch; every image must come out the same size (set resize or crop)."""
        arrays = [self.image_array(img) for img in images]
        if not arrays:
            return np.zeros((0, 0, 0, 0), np.float32)
        shapes = {a.shape for a in arrays}
        if len(shapes) > 1:
            raise PreprocessError(
                f"images come out in {len(shapes)} different sizes; "
                "add resize=HxW or crop=HxW to --preprocess"
            )
        return self._layout(np.stack(arrays))

    def apply_uint8(self, images: np.ndarray) -> np.ndarray:
        """A uint8 image array ``(N, H, W[, C])`` (0-255) -> float32 batch, through the same steps."""
        from PIL import Image

        x = np.asarray(images)
        if x.ndim == 4 and x.shape[-1] == 1:
            x = x[..., 0]
        return self.apply_images(Image.fromarray(np.ascontiguousarray(a)) for a in x)

    def describe(self) -> str:
        """A canonical spec string that parses back to this preprocessing (recorded in sidecars)."""
        parts = []
        if self.channels != "rgb":
            parts.append(f"channels={self.channels}")
        if self.shorter:
            parts.append(f"shorter={self.shorter}")
        if self.resize:
            parts.append(f"resize={self.resize[0]}x{self.resize[1]}")
        if self.crop:
            parts.append(f"crop={self.crop[0]}x{self.crop[1]}")
        parts.append(f"scale={_fmt(self.scale)}")
        if self.offset:
            parts.append(f"offset={_fmt(self.offset)}")
        if self.mean is not None:
            parts.append("mean=" + "/".join(_fmt(v) for v in self.mean))
        if self.std is not None:
            parts.append("std=" + "/".join(_fmt(v) for v in self.std))
        if self.layout != "nhwc":
            parts.append(f"layout={self.layout}")
        return ",".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {"spec": self.describe(), "explicit": self.explicit}


def _fmt(v: float) -> str:
    frac = Fraction(v).limit_denominator(1000)
    if frac.denominator != 1 and abs(float(frac) - v) < 1e-9 and abs(frac.numerator) == 1:
        return f"{frac.numerator}/{frac.denominator}"
    return format(v, ".10g")


__all__ = ["CHANNELS", "LAYOUTS", "PRESETS", "Preprocess", "PreprocessError"]
