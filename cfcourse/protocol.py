"""Generated: edit the cells marked ``#@save`` in notebooks/06_evaluate_recommendations.ipynb, not this file.

Lesson 6 — Judging recommendations: top-10 lists, not RMSE. Defined here: Protocol.

Regenerate with ``python scripts/maintainers/generate_saved_code.py`` (``make execute-notebooks`` runs it).
"""

import numpy as np


class Protocol:
    """Who is judged, and on what: the evaluated users and, one row each, two masks over the movies.

    The evaluated ``users`` are those who liked a movie in ``target`` (a seeded sample of ``max_users`` of them
    when more qualify). ``exclude`` marks the movies that are not
    their candidates (rated in ``fit`` or in any of ``also_excluded``), ``relevant`` the movies they
    liked in ``target``. ``ratings_per_movie`` counts ``fit``'s ratings: "most popular" ranks by it,
    and a list's popularity is measured with it.
    """

    def __init__(self, data, fit, target, *, threshold, max_users, seed, also_excluded=()):
        liked = self.liked(target, threshold)
        self.qualifying = np.unique(liked.user_idx)
        self.users = self.qualifying
        if len(self.qualifying) > max_users:
            self.users = np.sort(np.random.default_rng(seed).choice(self.qualifying, max_users, replace=False))
        self.row_of_user = np.full(data.n_users, -1)
        self.row_of_user[self.users] = np.arange(len(self.users))
        self.n_movies = data.n_movies
        self.exclude = self.mask(fit)
        for ratings in also_excluded:
            self.exclude |= self.mask(ratings)
        self.relevant = self.mask(liked)
        self.ratings_per_movie = np.bincount(fit.movie_idx, minlength=data.n_movies)

    @staticmethod
    def liked(ratings, threshold):
        """The rows of ``ratings`` that count as liked: a rating of ``threshold`` or more; every row for "all"."""
        return ratings if threshold == "all" else ratings[ratings.rating >= threshold]

    def mask(self, ratings):
        """True at (row of an evaluated user, movie) for every row of ``ratings`` by an evaluated user."""
        rows = self.row_of_user[ratings.user_idx.to_numpy()]
        mask = np.zeros((len(self.users), self.n_movies), dtype=bool)
        mask[rows[rows >= 0], ratings.movie_idx.to_numpy()[rows >= 0]] = True
        return mask
