"""What scripts/run_course.py does for lesson 06: its protocol values name an experiment, and its table."""

from __future__ import annotations

from course_testing import load_script

run_course = load_script("run_course")


def test_another_ranking_protocol_makes_an_experiment_and_the_published_one_does_not():
    assert run_course.run_name({"k": 5}) == "k-5"
    assert run_course.run_name({"k": 10, "threshold": 4.0}) is None


def test_the_ranking_table_has_one_row_per_model_in_file_order():
    metrics = {"precision": 0.07602, "recall": 0.1082, "ndcg": 0.11712, "coverage": 0.00689, "mean_popularity": 191.212}
    ranking = {"dataset": "ml-latest-small", "k": 10, "threshold": 4.0, "users_evaluated": 559,
               "users_qualifying": 559, "max_users": 2000, "models": {"random": {**metrics, "ndcg": 0.0015}, "most_popular": metrics}}
    lines = run_course.format_ranking_table(ranking).splitlines()
    assert lines[0] == "Top-10 lists for 559 users of ml-latest-small (relevant: a test rating of 4.0 or more)"
    assert lines[1].split() == ["model", "precision@10", "recall@10", "NDCG@10", "coverage", "mean", "popularity"]
    assert [line.split()[0] for line in lines[3:]] == ["random", "most_popular"]
    assert lines[4].split() == ["most_popular", "0.0760", "0.1082", "0.1171", "0.0069", "191.2"]


def test_the_ranking_table_says_when_the_users_are_a_sample():
    ranking = {"dataset": "synthetic-25m", "k": 10, "threshold": 4.0, "users_evaluated": 2000,
               "users_qualifying": 151234, "max_users": 2000, "models": {}}
    title = run_course.format_ranking_table(ranking).splitlines()[0]
    assert title == ("Top-10 lists for 2,000 users (a seeded sample of the 151,234 who qualify) of synthetic-25m "
                     "(relevant: a test rating of 4.0 or more)")
