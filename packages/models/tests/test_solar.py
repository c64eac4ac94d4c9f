"""Document 002's solar forecasters: Table 3.1 MLP family and Table 3.2 map CNN, with its parameter counts."""

import numpy as np
import pytest

from edgesmith.models import (
    ModelError,
    count_params,
    mlp_param_count,
    pyramid_topologies,
    solar_map_cnn,
    solar_mlp,
    solar_mlp_family,
)


def test_family_is_table_3_1():
    family = solar_mlp_family(input_dim=50)
    assert len(family) == 30
    names = [spec.name for spec in family]
    assert names[:3] == ["50", "100", "200"] and names[9] == "25600"
    assert names[10] == "50-25" and names[19] == "25600-12800"
    assert names[20] == "50-25-13" and names[26] == "3200-1600-832" and names[29] == "25600-12800-6656"
    assert sum(len(spec.hidden) == 3 for spec in family) == 10


def test_document_parameter_counts_with_its_50_inputs():
    by_name = {spec.name: spec for spec in solar_mlp_family(input_dim=50)}
    assert by_name["3200-1600-832"].params == 6_617_665
    assert by_name["1600"].params == 83_201
    assert by_name["3200"].params == 166_401  # document 002, section 4 (figure 4.8)
    assert by_name["800-400-208"].params == 444_817
    assert by_name["400-200"].params == 100_801
    # the Keras models agree with the formula
    assert count_params(by_name["3200-1600-832"].build()) == 6_617_665
    assert count_params(solar_mlp(50, 1600)) == 83_201


def test_default_input_dim_and_forward_pass():
    spec = solar_mlp_family()[10]
    assert spec.input_dim == 49 and spec.params == mlp_param_count(49, (50, 25))
    model = spec.build()
    assert model(np.zeros((3, 49), np.float32)).shape == (3, 1)
    assert pyramid_topologies(((4, 2),), n_nets=3) == [(4, 2), (8, 4), (16, 8)]


def test_map_cnn_is_table_3_2():
    model = solar_map_cnn()
    assert count_params(model) == 4_352_641
    assert model.get_layer("flatten_1").output_shape == (None, 33_856)
    assert model(np.zeros((2, 50, 50, 1), np.float32)).shape == (2, 1)
    assert solar_map_cnn(output_activation="relu").get_layer("dense_2").activation.__name__ == "relu"


def test_bad_widths_are_model_errors():
    with pytest.raises(ModelError, match="positive"):
        solar_mlp(50, (100, 0))
    with pytest.raises(ModelError, match="input_dim"):
        solar_mlp(0, 10)
