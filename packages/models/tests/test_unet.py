"""U-Net (document 004's segmentation model): shapes, skip connections, both up-sampling modes."""

import numpy as np
import pytest

from edgesmith.datasets.tf_runtime import keras
from edgesmith.models import ModelError, count_flops, unet


@pytest.mark.parametrize("upsample", ["upsampling", "transpose"])
def test_unet_segments_per_pixel(upsample):
    model = unet(input_shape=(32, 64, 3), num_classes=8, base_filters=4, depth=3, upsample=upsample)
    out = model(np.random.default_rng(0).random((2, 32, 64, 3), dtype=np.float32)).numpy()
    assert out.shape == (2, 32, 64, 8)
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, rtol=1e-5)
    concats = [layer for layer in model.layers if isinstance(layer, keras.layers.Concatenate)]
    assert len(concats) == 3  # one skip connection per level
    has_transpose = any(isinstance(layer, keras.layers.Conv2DTranspose) for layer in model.layers)
    assert has_transpose == (upsample == "transpose")
    assert count_flops(model) > 0


def test_binary_unet_and_bad_shapes():
    model = unet(input_shape=(16, 16, 1), num_classes=1, base_filters=4, depth=2, batchnorm=False)
    assert model.output_shape == (None, 16, 16, 1)
    assert model.get_layer("segmentation").activation.__name__ == "sigmoid"
    with pytest.raises(ModelError, match="divisible"):
        unet(input_shape=(30, 64, 3), depth=3)
    with pytest.raises(ModelError, match="upsample"):
        unet(input_shape=(32, 32, 3), upsample="bilinear")
