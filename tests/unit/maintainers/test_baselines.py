"""Tests of the benchmark's baselines (scripts/maintainers/baselines.py) and of its report (scripts/maintainers/benchmark.py).

The data is planted: ratings made of a known global mean, known user and movie
biases and a little noise, so a correct closed-form solver must find the biases
again. Nothing here runs a notebook, and only the one SVD test needs scikit-surprise.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from cfcourse.metrics import rmse
from course_testing import load_script

benchmark = load_script("maintainers/benchmark")  # puts scripts/maintainers/ on the path, where baselines is

from baselines import (  # noqa: E402
    DEFAULT_REGULARISATION_GRID,
    BiasModel,
    choose_bias_regularisation,
    fit_closed_form_biases,
    fit_global_mean,
)

N_USERS, N_MOVIES = 200, 150
PLANTED_MEAN = 3.5


@pytest.fixture(scope="module")
def planted():
    """Half of all user-movie pairs rated as mean + user bias + movie bias + noise, split 80/10/10."""
    rng = np.random.default_rng(0)
    user_bias = rng.normal(0, 0.5, N_USERS)
    movie_bias = rng.normal(0, 0.5, N_MOVIES)
    pairs = rng.choice(N_USERS * N_MOVIES, size=N_USERS * N_MOVIES // 2, replace=False)
    users, movies = np.divmod(pairs, N_MOVIES)
    ratings = PLANTED_MEAN + user_bias[users] + movie_bias[movies] + rng.normal(0, 0.2, len(pairs))
    frame = pd.DataFrame({"user_idx": users, "movie_idx": movies, "rating": ratings})
    split = rng.choice(["train", "val", "test"], size=len(frame), p=[0.8, 0.1, 0.1])
    parts = {name: frame[split == name].reset_index(drop=True) for name in ("train", "val", "test")}
    return parts, user_bias, movie_bias


def fit_on_train(train, user_reg=1.0, movie_reg=1.0):
    return fit_closed_form_biases(train["user_idx"], train["movie_idx"], train["rating"],
                                  N_USERS, N_MOVIES, user_reg, movie_reg)


def test_closed_form_biases_recover_the_planted_biases(planted):
    parts, user_bias, movie_bias = planted
    model = fit_on_train(parts["train"])
    # Biases are only defined up to a constant shared between users and movies, so compare
    # the full offset mu + b_u + b_i for every pair rather than each bias on its own.
    fitted = model.global_mean + model.user_bias[:, None] + model.movie_bias[None, :]
    truth = PLANTED_MEAN + user_bias[:, None] + movie_bias[None, :]
    assert np.abs(fitted - truth).mean() < 0.05
    assert np.corrcoef(model.movie_bias, movie_bias)[0, 1] > 0.98


def test_closed_form_biases_beat_the_global_mean_on_held_out_ratings(planted):
    parts, _, _ = planted
    train, test = parts["train"], parts["test"]
    biases = fit_on_train(train).predict(test["user_idx"], test["movie_idx"])
    mean_only = fit_global_mean(train["rating"], N_USERS, N_MOVIES).predict(test["user_idx"], test["movie_idx"])
    assert rmse(test["rating"], biases) < 0.5 * rmse(test["rating"], mean_only)
    # The planted noise is 0.2, so a solver that found the biases gets close to it.
    assert rmse(test["rating"], biases) < 0.25


def test_global_mean_predicts_the_training_mean_everywhere():
    model = fit_global_mean([1.0, 2.0, 4.5], n_users=3, n_movies=4)
    np.testing.assert_allclose(model.predict([0, 1, 2], [3, 0, 1]), 2.5)


def test_a_user_or_movie_missing_from_training_keeps_a_zero_bias():
    model = fit_closed_form_biases([0, 0, 1], [0, 1, 0], [5.0, 4.0, 3.0], n_users=3, n_movies=3,
                                   user_reg=1.0, movie_reg=1.0)
    assert model.user_bias[2] == 0.0 and model.movie_bias[2] == 0.0
    assert model.predict([2], [2])[0] == pytest.approx(4.0)


def test_more_regularisation_pulls_a_sparse_user_towards_zero():
    users, movies, ratings = [0, 1, 1, 1], [0, 0, 1, 2], [5.0, 3.0, 3.0, 3.0]
    light = fit_closed_form_biases(users, movies, ratings, 2, 3, user_reg=0.1, movie_reg=0.1)
    heavy = fit_closed_form_biases(users, movies, ratings, 2, 3, user_reg=10.0, movie_reg=0.1)
    assert 0 < heavy.user_bias[0] < light.user_bias[0]


def test_predictions_stay_on_the_rating_scale():
    model = BiasModel(3.0, user_bias=np.array([4.0, -4.0]), movie_bias=np.zeros(1), rating_range=(0.5, 5.0))
    np.testing.assert_allclose(model.predict([0, 1], [0, 0]), [5.0, 0.5])


def test_the_chosen_regularisation_is_the_best_of_the_grid(planted):
    parts, _, _ = planted
    (user_reg, movie_reg), val_rmse = choose_bias_regularisation(parts["train"], parts["val"], N_USERS, N_MOVIES)
    assert user_reg in DEFAULT_REGULARISATION_GRID and movie_reg in DEFAULT_REGULARISATION_GRID
    val = parts["val"]
    for other in DEFAULT_REGULARISATION_GRID:
        model = fit_on_train(parts["train"], other, other)
        assert val_rmse <= rmse(val["rating"], model.predict(val["user_idx"], val["movie_idx"])) + 1e-12


# --- The report ----------------------------------------------------------------------------------------


def example_results():
    Result = benchmark.Result
    return [
        Result("global mean", 1.04, 0.002),
        Result("user + movie biases (closed form)", 0.86, 0.02),
        Result("bias (lesson 03)", 0.84, 6.0, epochs=12, val_rmse=0.83),
        Result("neural_net (lesson 04)", 0.87, 8.0, epochs=10, val_rmse=0.86),
        Result(benchmark.REFERENCE_MODEL, 0.80, 3.0, epochs=40, val_rmse=0.79,
               settings={"n_factors": 50}, search="best of 24 settings, searched in 30.0 s"),
        Result("make run-all (6 lessons, kernel starts included)", None, 150.0),
    ]


def test_ratios_divide_by_the_tuned_svd_row():
    records = {r["model"]: r for r in benchmark.with_ratios(example_results())}
    reference = records[benchmark.REFERENCE_MODEL]
    assert reference["rmse_ratio"] == 1.0 and reference["time_ratio"] == 1.0
    assert records["bias (lesson 03)"]["rmse_ratio"] == pytest.approx(0.84 / 0.80)
    assert records["bias (lesson 03)"]["time_ratio"] == pytest.approx(2.0)
    assert records["bias (lesson 03)"]["seconds_per_epoch"] == pytest.approx(0.5)
    run_all = records["make run-all (6 lessons, kernel starts included)"]
    assert run_all["rmse_ratio"] is None and run_all["time_ratio"] == pytest.approx(50.0)


def table_cells(table: str, model: str) -> list[str]:
    row = next(line for line in table.splitlines() if line.startswith(f"| {model} |"))
    return [cell.strip() for cell in row.strip("|").split("|")]


def test_the_table_shows_ratios_and_leaves_missing_values_blank():
    table = benchmark.markdown_table(benchmark.with_ratios(example_results()))
    assert table.splitlines()[0] == "| model | test RMSE | train s | s/epoch | RMSE / tuned SVD | time / tuned SVD |"
    assert table_cells(table, benchmark.REFERENCE_MODEL) == [benchmark.REFERENCE_MODEL, "0.8000", "3.00", "0.0750",
                                                             "1.000", "1.00"]
    assert table_cells(table, "bias (lesson 03)") == ["bias (lesson 03)", "0.8400", "6.00", "0.500", "1.050", "2.00"]
    assert table_cells(table, "global mean")[3] == ""
    assert table_cells(table, "make run-all (6 lessons, kernel starts included)")[1:] == ["", "150", "", "", "50.0"]


@pytest.mark.parametrize("seconds, shown", [(None, ""), (0.000312, "0.000312"), (1.0, "1.00"), (12.0, "12.0"),
                                            (99.96, "100"), (412.3, "412"), (1234.5, "1234")])
def test_seconds_keep_three_significant_figures(seconds, shown):
    assert benchmark.format_seconds(seconds) == shown


def section(date="2026-01-01 00:00 UTC"):
    return {"date": date, "machine": benchmark.machine_description(*benchmark.BENCHMARK_LIBRARIES), "rows": benchmark.with_ratios(example_results())}


def test_the_report_is_written_as_markdown_and_json(tmp_path):
    report = {"synthetic": section()}
    markdown_file = benchmark.write_report(report, tmp_path)
    markdown = markdown_file.read_text()
    assert markdown_file == tmp_path / "benchmark.md"
    assert markdown.startswith("## Benchmark on synthetic (2026-01-01 00:00 UTC)")
    assert benchmark.markdown_table(report["synthetic"]["rows"]) in markdown
    assert "n_factors=50 (validation RMSE 0.7900; best of 24 settings, searched in 30.0 s)" in markdown
    assert f"{report['synthetic']['machine']['cpu_count']} CPUs" in markdown
    assert json.loads((tmp_path / "benchmark.json").read_text()) == {"datasets": report}


def test_a_run_on_one_dataset_keeps_the_other_datasets_sections(tmp_path):
    benchmark.write_report({"ml-100k": section("2026-01-01 00:00 UTC"), "synthetic": section()}, tmp_path)
    benchmark.write_report({"synthetic": section("2026-02-02 00:00 UTC")}, tmp_path)
    datasets = json.loads((tmp_path / "benchmark.json").read_text())["datasets"]
    assert {name: value["date"] for name, value in datasets.items()} == {
        "ml-100k": "2026-01-01 00:00 UTC", "synthetic": "2026-02-02 00:00 UTC"}
    markdown = (tmp_path / "benchmark.md").read_text()
    assert "## Benchmark on ml-100k (2026-01-01" in markdown and "## Benchmark on synthetic (2026-02-02" in markdown


def test_the_promises_are_checked_both_ways():
    rows = benchmark.with_ratios(example_results())
    assert benchmark.promises_kept(rows) == [
        "- FAILS: bias (lesson 03) 0.8400 < SVD (surprise, tuned) 0.8000",
        "- FAILS: neural_net (lesson 04) 0.8700 < user + movie biases (closed form) 0.8600"]
    for row in rows:
        row["test_rmse"] = {"bias (lesson 03)": 0.79, "neural_net (lesson 04)": 0.85}.get(row["model"], row["test_rmse"])
    assert [line.split(":")[0] for line in benchmark.promises_kept(rows)] == ["- holds", "- holds"]


def test_svd_beats_the_global_mean_on_planted_data(planted):
    pytest.importorskip("surprise")
    parts, _, _ = planted
    algorithm, seconds = benchmark.fit_svd(benchmark.surprise_trainset(parts["train"]), {})
    test = parts["test"]
    mean_only = fit_global_mean(parts["train"]["rating"], N_USERS, N_MOVIES)
    assert seconds > 0
    assert benchmark.svd_rmse(algorithm, test) < rmse(test["rating"], mean_only.predict(test["user_idx"],
                                                                                         test["movie_idx"]))
