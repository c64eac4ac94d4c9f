"""The edgesmith-data CLI: samples written in real formats load back; errors are one line with exit 2."""

import json

import numpy as np
from typer.testing import CliRunner

from edgesmith.datasets import load_cifar10, load_mnist, load_oahu_grid, solar_maps
from edgesmith.datasets.cli import app

runner = CliRunner()


def test_sample_mnist_then_inspect(tmp_path):
    result = runner.invoke(app, ["sample", "mnist", str(tmp_path / "mnist")])
    assert result.exit_code == 0, result.output
    sidecar = json.loads((tmp_path / "mnist" / "edgesmith-sample.json").read_text())
    assert sidecar["format"] == "mnist-idx" and sidecar["counts"]["test"] == 359
    splits = load_mnist(tmp_path / "mnist")
    assert splits.test.x.shape == (359, 28, 28, 1)
    result = runner.invoke(app, ["inspect", "mnist", str(tmp_path / "mnist"), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["splits"]["test"]["samples"] == 359 and summary["name"] == "mnist"


def test_sample_refuses_non_empty_folder(tmp_path):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "keep.txt").write_text("x")
    result = runner.invoke(app, ["sample", "cifar10", str(tmp_path / "busy")])
    assert result.exit_code == 2
    assert "already exists and is not an empty folder" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["busy"]  # no temp folder left behind


def test_sample_cifar10_loads_with_the_binary_loader(tmp_path):
    assert runner.invoke(app, ["sample", "cifar10", str(tmp_path / "c")]).exit_code == 0
    splits = load_cifar10(tmp_path / "c")
    assert splits.info["format"] == "binary" and splits.train.classes[0] == "0"
    assert sum(splits.sizes().values()) == 1797


def test_sample_solar_keeps_positions_for_maps(tmp_path):
    csv = tmp_path / "grid.csv"
    args = ["sample", "solar", str(csv), "--sensors", "6", "--duration", "60"]
    assert runner.invoke(app, args).exit_code == 0
    grid = load_oahu_grid(csv)
    assert grid.shape == (60, 6) and "positions_m" in grid.attrs
    assert solar_maps(grid, target="S00", size=8).train.x.shape[1:] == (8, 8, 1)
    assert np.isfinite(grid.to_numpy()).all()


def test_inspect_errors_are_one_line(tmp_path):
    result = runner.invoke(app, ["inspect", "cifar10", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "does not exist" in result.output
    result = runner.invoke(app, ["inspect", "plates", str(tmp_path / "x.csv")])
    assert result.exit_code == 2 and "--images" in result.output


def test_inspect_image_folder_table(tmp_path):
    from PIL import Image

    for cls in ("nico", "not_nico"):
        (tmp_path / cls).mkdir()
        for i in range(10):
            Image.fromarray(np.full((12, 12, 3), i * 20, np.uint8)).save(tmp_path / cls / f"{i}.png")
    result = runner.invoke(app, ["inspect", "images", str(tmp_path), "--size", "8x8"])
    assert result.exit_code == 0, result.output
    assert "nico" in result.output and "(8, 8, 3)" in result.output
    bad = runner.invoke(app, ["inspect", "images", str(tmp_path), "--size", "eight"])
    assert bad.exit_code != 0 and "HEIGHTxWIDTH" in bad.output
