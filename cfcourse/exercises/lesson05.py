"""Lesson 05's exercises: inside the trained bias model. Context: ``data`` and the loaded bias ``model``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cfcourse.exercises.answers import judge_choice, judge_movies, judge_number, number
from cfcourse.exercises.definitions import QUESTION, Exercise, Question
from cfcourse.exercises.probes import table

MIN_RATINGS = 50
MIN_RATINGS_CORRELATION = 20
NEAREST = 3


#: The Exercises' first cell, under its heading, and the code cell under it.
INTRO = """
Each exercise below has a cell to fill in: replace the `...` with your answer and run the cell. `check`
then says `correct`, or `not yet` with a hint, or `not attempted` while the `...` is still there. It
computes the expected answer from this lesson's `data` and the bias `model` it loaded. Worked solutions
wait at the very end of the notebook, folded under **Solutions**: try first.
"""
SETUP = """
import numpy as np

from cfcourse.exercises import check
"""


def unit_rows(matrix):
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def judge_nearest_movies(answer, context):
    data, model = context.data, context.model
    factors = table(model, "movie_factors")
    n_ratings = data.movies.n_ratings.to_numpy()
    query = int(np.argmax(n_ratings))  # the most-rated movie; the first of any tie
    others = np.arange(len(n_ratings)) != query
    well_rated = n_ratings >= MIN_RATINGS

    def nearest(similarity, keep):
        candidates = np.flatnonzero(keep)
        return candidates[np.argsort(-similarity[candidates], kind="stable")][:NEAREST]

    cosine = unit_rows(factors) @ unit_rows(factors)[query]
    judge_movies(answer, list(nearest(cosine, well_rated & others)), data.movies, [
        (lambda: nearest(cosine, well_rated),
         "the most-rated movie itself is in your list: every vector is most similar to itself; leave it out"),
        (lambda: nearest(factors @ factors[query], well_rated & others),
         "those have the largest dot products, which favour long vectors: cosine similarity ignores the lengths"),
        (lambda: nearest(cosine, others),
         f"some of those have fewer than {MIN_RATINGS} ratings, whose vectors are mostly noise: keep only the movies "
         f"with at least {MIN_RATINGS} (data.movies.n_ratings)"),
    ])


NEAREST_MOVIES = Exercise(
    "05.nearest_movies", judge_nearest_movies, title="The nearest neighbours", prompt=f"""
Among movies with at least {MIN_RATINGS} ratings (`data.movies.n_ratings`), which {NEAREST}
have the factor vectors with the highest cosine similarity with the factor vector of the most-rated
movie (not counting that movie itself)? Give their movie indices or titles, most similar first.
""", stub="""
nearest_movies = ...  # a list of 3 movie indices or titles
check("05.nearest_movies", nearest_movies, data=data, model=model)
""", solution_text="""
Normalise every factor vector to length 1; then a dot product *is* the cosine similarity. Leave the
query itself out (every vector is most similar to itself) and keep only well-rated movies.
""", solution_code="""
movie_factor_table = model.get_layer("movie_factors").get_weights()[0]
unit_vectors = movie_factor_table / np.linalg.norm(movie_factor_table, axis=1, keepdims=True)
most_rated_movie = int(data.movies.n_ratings.idxmax())
cosine = unit_vectors @ unit_vectors[most_rated_movie]
allowed = (data.movies.n_ratings >= 50).to_numpy() & (np.arange(data.n_movies) != most_rated_movie)
candidates = np.flatnonzero(allowed)
nearest_movies = candidates[np.argsort(-cosine[candidates], kind="stable")][:3].tolist()
check("05.nearest_movies", nearest_movies, data=data, model=model, solution=True)
""")


def first_direction_share(matrix, centre=True, square=True):
    values = np.linalg.svd(matrix - matrix.mean(axis=0) if centre else matrix, compute_uv=False)
    weights = values**2 if square else values
    return float(weights[0] / weights.sum())


def judge_user_pca_share(answer, context):
    model = context.model
    users = table(model, "user_factors")
    judge_number(number(answer), first_direction_share(users), 1e-6, [
        (lambda: first_direction_share(users, centre=False),
         "the factors were not centred: PCA measures the variation around each column's mean"),
        (lambda: first_direction_share(users, square=False),
         "a singular value is not itself a variation: re-read how the lesson turned singular values into shares"),
        (lambda: first_direction_share(table(model, "movie_factors")),
         "those are the movie factors; this exercise is about the user factors"),
        (lambda: 100 * first_direction_share(users), "give a share between 0 and 1, not a percentage"),
    ])


USER_PCA_SHARE = Exercise(
    "05.user_pca_share", judge_user_pca_share, title="The users' main direction", prompt="""
Do the lesson's PCA on the *user* factors: what share of their
variation lies along the first principal direction (within 1e-6)?
""", stub="""
user_share = ...
check("05.user_pca_share", user_share, data=data, model=model)
""", solution_text="""
As for the movies: centre the user factors, take the singular values, and the share of a
direction is its squared singular value over the sum of all of them.
""", solution_code="""
user_factor_table = model.get_layer("user_factors").get_weights()[0]
user_singular_values = np.linalg.svd(user_factor_table - user_factor_table.mean(axis=0), compute_uv=False)
user_share = user_singular_values[0] ** 2 / np.sum(user_singular_values**2)
check("05.user_pca_share", user_share, data=data, model=model, solution=True)
""")


def judge_bias_mean_correlation(answer, context):
    data, model = context.data, context.model
    bias = table(model, "movie_bias")[:, 0]
    train_mean = data.train.groupby("movie_idx").rating.mean().reindex(range(data.n_movies)).to_numpy()
    all_mean = data.ratings.groupby("movie_idx").rating.mean().reindex(range(data.n_movies)).to_numpy()
    counted = data.movies.n_ratings.to_numpy() >= MIN_RATINGS_CORRELATION

    def correlation(means, keep, method="pearson"):
        keep = keep & ~np.isnan(means)
        return float(pd.Series(bias[keep]).corr(pd.Series(means[keep]), method=method))

    spearman = ("that is a rank (Spearman) correlation: the exercise asks for Pearson's, on the values themselves")
    judge_number(number(answer), correlation(train_mean, counted), 1e-6, [
        (lambda: correlation(train_mean, np.ones_like(counted)),
         f"that includes movies with fewer than {MIN_RATINGS_CORRELATION} ratings, whose biases are mostly noise"),
        (lambda: correlation(train_mean, data.movies.n_ratings.to_numpy() >= MIN_RATINGS),
         f"that keeps the movies with at least {MIN_RATINGS} ratings, the nearest-movies exercise's rule; this one "
         f"keeps those with at least {MIN_RATINGS_CORRELATION}"),
        (lambda: correlation(all_mean, counted),
         "those means include validation and test ratings: the exercise asks for each movie's training ratings"),
        (lambda: correlation(train_mean, counted, method="spearman"), spearman),
        (lambda: spearman_ordinal(bias, train_mean, counted), spearman),
    ])


BIAS_MEAN_CORRELATION = Exercise(
    "05.bias_mean_correlation", judge_bias_mean_correlation, title="Bias against mean rating", prompt=f"""
Among movies with at least {MIN_RATINGS_CORRELATION} ratings, what is the correlation
(Pearson's, as `np.corrcoef` gives) between a movie's learned bias and its mean *training* rating
(within 1e-6)? Close to 1 would mean the bias is little more than the average.
""", stub="""
bias_mean_correlation = ...
check("05.bias_mean_correlation", bias_mean_correlation, data=data, model=model)
""", solution_text="""
The mean training rating per movie, the bias per movie, the movies with enough ratings, and
`np.corrcoef`. The correlation is high but not 1: the bias corrects each average for who did the rating.
""", solution_code="""
train_means = data.train.groupby("movie_idx").rating.mean()
by_movie = data.movies.assign(bias=model.get_layer("movie_bias").get_weights()[0][:, 0],
                              train_mean=train_means)
by_movie = by_movie[by_movie.n_ratings >= 20].dropna(subset=["train_mean"])
bias_mean_correlation = np.corrcoef(by_movie.bias, by_movie.train_mean)[0, 1]
check("05.bias_mean_correlation", bias_mean_correlation, data=data, model=model, solution=True)
""")


def spearman_ordinal(bias, means, keep) -> float:
    """Spearman's correlation with ties broken by position (double argsort), as a hand-made rank gives."""
    keep = keep & ~np.isnan(means)
    ranks = [np.argsort(np.argsort(values[keep], kind="stable"), kind="stable") for values in (bias, means)]
    return float(np.corrcoef(*ranks)[0, 1])


def judge_bias_units(answer, context):
    judge_choice("05.q.bias_units", answer, "a943077e90d7cd3e", "ab", {
        "5a401d4ea6f0c342": "look at where the bias is added, before or after the sigmoid, and at how steep the "
                            "sigmoid is in the middle and at the ends",
    })


BIAS_UNITS = Exercise(
    "05.q.bias_units", judge_bias_units, kind=QUESTION, prompt="""
The bias is added before the sigmoid. Is a movie bias of 0.5 worth half a star: (a) yes, (b) no?
""", stub="""
bias_in_stars = ...  # "a" or "b"
check("05.q.bias_units", bias_in_stars, data=data)
""", solution_text="""
**(b) no.** The sigmoid is steep in the middle and flat at the ends, so what a bias is worth in stars
depends on the rest of the score; only the order of the biases is meaningful.
""", solution_code="""
check("05.q.bias_units", "b", data=data, solution=True)
""")


#: The questionnaire, in the order asked: its checked questions are exercises above.
QUESTIONNAIRE = [
    Question("Name the two ways to read an embedding table out of a Keras model. When do you need the second?", """
From the layer's weights (`get_weights()[0]` is the table), or through a sub-model's `predict`. The
sub-model reaches outputs that are not stored tables, such as the `affinity` of a user and a movie.
"""),
    Question("How does a movie's learned bias differ from its average rating?", """
The average mixes a movie's quality with its audience; the bias is what the model adds for the movie
*after* accounting for who rated it.
"""),
    Question("Why does cosine similarity divide by the vectors' lengths?", """
So that only the direction counts, which tastes a movie expresses, and not how strongly.
"""),
    BIAS_UNITS,
    Question("""
Why does the lesson show only movies with at least `min_ratings` ratings, and recommend only among
them?
""", "A movie with a few ratings gives the model too little evidence: its weights are mostly noise."),
    Question("PCA directions have no names. How does the lesson find out what one means?", """
By reading the titles at the two ends of the direction.
"""),
]

#: Every exercise of the lesson, in the order its notebook asks them.
EXERCISES = [NEAREST_MOVIES, USER_PCA_SHARE, BIAS_MEAN_CORRELATION, BIAS_UNITS]
