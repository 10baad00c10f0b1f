"""Which run a lesson saves into: lesson 06's protocol, changed, makes an experiment like a training parameter."""

from __future__ import annotations

import pytest

from cfcourse.parameters import ParameterError
from cfcourse.published import PUBLISHED_RANKING_PROTOCOL
from cfcourse.runs import ranking_run


def test_the_published_protocol_ranks_into_the_courses_own_run(tmp_path, capsys):
    paths = ranking_run("synthetic", str(tmp_path), None, **PUBLISHED_RANKING_PROTOCOL)
    assert paths.run is None and paths.ranking_file == tmp_path / "metrics" / "synthetic" / "ranking.json"
    assert capsys.readouterr().out == ""


def test_another_k_ranks_into_a_run_named_after_it(tmp_path, capsys):
    paths = ranking_run("synthetic", str(tmp_path), None, **{**PUBLISHED_RANKING_PROTOCOL, "k": 5})
    assert paths.run == "k-5"
    assert paths.ranking_file == tmp_path / "experiments" / "synthetic" / "k-5" / "metrics" / "ranking.json"
    assert "Your parameters: k=5 (course: 10). This run, 'k-5', saves to" in capsys.readouterr().out


def test_a_named_run_is_used_as_it_is(tmp_path):
    assert ranking_run("synthetic", str(tmp_path), "mine", **PUBLISHED_RANKING_PROTOCOL).run == "mine"


@pytest.mark.parametrize("name, value", [("k", 0), ("k", 2.5), ("threshold", -1), ("threshold", "4")])
def test_a_bad_protocol_value_is_named(tmp_path, name, value):
    with pytest.raises(ParameterError, match=f"parameter '{name}'"):
        ranking_run("synthetic", str(tmp_path), None, **{**PUBLISHED_RANKING_PROTOCOL, name: value})
