"""edgesmith-models CLI: list, info (builder or file), build (+ sidecar), solar-family; one-line errors."""

import json

import pytest
from typer.testing import CliRunner

from edgesmith.models.cli import app, parse_params
from edgesmith.models.errors import ModelError

runner = CliRunner()


def _json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_list_names_builders_and_backbones():
    payload = _json(runner.invoke(app, ["list", "--json"]))
    assert {"cifar10-cnn", "conv-autoencoder", "box-regressor", "solar-map-cnn"} <= {
        b["name"] for b in payload["builders"]
    }
    assert "compact" in {b["name"] for b in payload["backbones"]}


def test_info_on_a_builder_with_params_and_layers():
    payload = _json(runner.invoke(app, ["info", "conv-autoencoder", "--layers", "--json"]))
    assert payload["params"] == 12_785
    assert sum(row["macs"] for row in payload["per_layer"]) == payload["macs_per_sample"]
    strided = _json(runner.invoke(app, ["info", "cifar10-cnn", "-p", "conv_stride=2", "--json"]))
    assert strided["macs_per_sample"] < 18_470_784


def test_build_saves_model_and_sidecar_then_info_reads_it(tmp_path):
    out = tmp_path / "plate.keras"
    result = runner.invoke(
        app,
        ["build", "box-regressor", str(out), "--backbone", "compact", "--input-shape", "64,64,3", "--json"],
    )
    payload = _json(result)
    assert out.exists() and payload["outputs"] == [[None, 4]]
    sidecar = json.loads((tmp_path / "plate.keras.json").read_text())
    assert sidecar["metadata"]["builder_params"] == {"backbone": "compact", "input_shape": [64, 64, 3]}
    assert _json(runner.invoke(app, ["info", str(out), "--json"]))["params"] == payload["params"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["info", "missing.keras"], "not found"),
        (["info", "cifar10-cnn", "-p", "bogus=1"], "no parameter bogus"),
        (["build", "transfer-classifier", "x.keras"], "needs backbone"),
        (["build", "unet", "x.keras", "--input-shape", "a,b"], "positive integers"),
    ],
)
def test_bad_input_is_one_red_line_and_exit_2(tmp_path, args, message):
    result = runner.invoke(app, [a if a != "x.keras" else str(tmp_path / a) for a in args])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert not any(tmp_path.iterdir())


def test_solar_family_regenerates_table_3_1():
    payload = _json(runner.invoke(app, ["solar-family", "--input-dim", "50", "--json"]))
    params = {row["name"]: row["params"] for row in payload["models"]}
    assert len(params) == 30 and params["3200-1600-832"] == 6_617_665 and params["1600"] == 83_201


def test_parse_params_literals_and_tuples():
    assert parse_params(["conv_stride=2", "lrn=False", "input_shape=32,32,3", "weights=None", "name=x"]) == {
        "conv_stride": 2,
        "lrn": False,
        "input_shape": (32, 32, 3),
        "weights": None,
        "name": "x",
    }
    with pytest.raises(ModelError, match="key=value"):
        parse_params(["oops"])
