"""The one table formatter: what `make run-all` prints and what the benchmarks write."""

from cfcourse.tables import format_table


def test_plain_text_pads_to_the_widest_cell_numbers_on_the_right():
    table = format_table(["model", "RMSE"], [["bias", "0.8381"], ["neural_net", "0.8520"]])
    assert table.splitlines() == ["model        RMSE", "-----------------", "bias       0.8381", "neural_net 0.8520"]


def test_plain_text_keeps_a_minimum_width_so_a_table_keeps_its_shape_across_runs():
    assert format_table(["m", "x"], [["a", "1"]], widths=[6, 4]).splitlines()[0] == "m         x"


def test_markdown_aligns_as_asked():
    assert format_table(["a", "b"], [["1", "2"]], markdown=True) == "| a | b |\n|---|---:|\n| 1 | 2 |"
    assert format_table(["a", "b"], [["1", "2"]], align="ll", markdown=True).splitlines()[1] == "|---|---|"
