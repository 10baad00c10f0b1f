"""Every exercise's answer and its likely mistakes, written as a learner would write them (with pandas and
numpy, not with the judges' code), for the unit tests on generated data and the nbval tier on the course's.

``SOLUTIONS[id](context)`` is the right answer; ``MISTAKES[id]`` the mistakes the judge models, each with a
piece of the hint it must get. ``context`` is what the lesson's cell passes to ``check``, as a dict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from cfcourse import ranking
from cfcourse.protocol import Protocol


@dataclass(frozen=True)
class LikelyMistake:
    what: str  # a few words, for the test's id
    answer: Callable[[dict], object]  # the mistaken answer, from the cell's context
    hint: str  # a piece of the hint it must get, and no other mistake of its exercise

    def __str__(self):
        return self.what


# -- reading a model and scoring, as the worked solutions do ----------------------------------------------

def weights(model, name):
    return [np.asarray(w, dtype=np.float64) for w in model.get_layer(name).get_weights()]


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def rmse(a, b):
    return float(np.sqrt(np.mean((np.asarray(a, float) - np.asarray(b, float)) ** 2)))


def mse(a, b):
    return rmse(a, b) ** 2


def predictions(model, frame):
    inputs = {"user": frame.user_idx.to_numpy(), "movie": frame.movie_idx.to_numpy()}
    return model.predict(inputs, batch_size=8192, verbose=0).ravel()


def rating_layer(model):
    layer = model.get_layer("rating")
    return float(layer.scale), float(layer.offset)


def top_k_lists(data, models: dict, k: int = 10, seed: int = 42) -> tuple[dict, np.ndarray]:
    """Each model's top-k lists and the relevant mask on lesson 06's protocol (every qualifying user)."""
    protocol = Protocol(data, data.train, data.test, also_excluded=[data.val], threshold=4.0,
                        max_users=max(2000, data.n_users), seed=seed)
    all_movies = np.arange(data.n_movies, dtype="int32")
    lists = {}
    for name, model in models.items():
        batches = []
        for start in range(0, len(protocol.users), 64):
            users = protocol.users[start:start + 64]
            pairs = {"user": np.repeat(users, data.n_movies).astype("int32"), "movie": np.tile(all_movies, len(users))}
            scores = model.predict(pairs, batch_size=65536, verbose=0).reshape(len(users), data.n_movies)
            batches.append(ranking.top_k_movies(scores, protocol.exclude[start:start + 64], k))
        lists[name] = np.concatenate(batches)
    return lists, protocol.relevant


def lesson_contexts(data, models: dict, bpr) -> dict:
    """What each lesson's exercise cells pass to check, by lesson number: ``models`` are the rating models by
    name (dot_product, bias, neural_net), ``bpr`` lesson 07's list model."""
    recommended, relevant = top_k_lists(data, models)
    return {"01": {"data": data}, "02": {"data": data, "model": models["dot_product"]},
            "03": {"data": data, "model": models["bias"]}, "04": {"data": data, "model": models["neural_net"]},
            "05": {"data": data, "model": models["bias"]},
            "06": {"data": data, "recommended": recommended, "relevant": relevant},
            "07": {"data": data, "model": bpr}, "08": {"data": data}}


# -- lesson 01 ---------------------------------------------------------------------------------------------

def movie_mean_rmse(c, rows="val", means_from="train", keep_unseen=True, squared=False):
    data = c["data"]
    train, scored = data.train, getattr(data, rows)
    means = scored.movie_idx.map(getattr(data, means_from).groupby("movie_idx").rating.mean())
    if keep_unseen:
        means = means.fillna(train.rating.mean())
    else:
        scored, means = scored[means.notna()], means.dropna()
    return (mse if squared else rmse)(scored.rating, means)


def encode_by_unique(ids):
    return np.unique(ids, return_inverse=True)[1]


# -- lessons 02 to 04: the models' forward passes ----------------------------------------------------------

def dot_product_predict(model, squash=True, stretch=True, shift=True, all_pairs=False):
    (users,), (movies,) = weights(model, "user_factors"), weights(model, "movie_factors")
    scale, offset = rating_layer(model)

    def predict(u, m):
        score = users[u] @ movies[m].T if all_pairs else np.sum(users[u] * movies[m], axis=1)
        return finish(score, scale, offset, squash, stretch, shift)
    return predict


def finish(score, scale, offset, squash=True, stretch=True, shift=True):
    """The model's last steps after the score, or a learner's slip in them."""
    value = sigmoid(score) if squash else score
    value = value * scale if squash and stretch else value
    return value + offset if squash and stretch and shift else value


def bias_predict(model, with_biases=True, biases_after=False, **steps):
    (users,), (movies,) = weights(model, "user_factors"), weights(model, "movie_factors")
    (user_bias,), (movie_bias,) = weights(model, "user_bias"), weights(model, "movie_bias")
    scale, offset = rating_layer(model)

    def predict(u, m):
        score = np.sum(users[u] * movies[m], axis=1)
        bias = user_bias[u, 0] + movie_bias[m, 0]
        if biases_after:
            return finish(score, scale, offset) + bias
        return finish(score + bias if with_biases else score, scale, offset, **steps)
    return predict


def network_predict(model, keep=1.0, relu=True, **steps):
    (users,), (movies,) = weights(model, "user_factors"), weights(model, "movie_factors")
    (hidden_kernel, hidden_bias), (score_kernel, score_bias) = weights(model, "hidden"), weights(model, "score")
    scale, offset = rating_layer(model)

    def predict(u, m):
        both = np.concatenate([users[u], movies[m]], axis=1) * keep
        hidden = both @ hidden_kernel + hidden_bias
        return finish((np.maximum(hidden, 0) if relu else hidden) @ score_kernel + score_bias, scale, offset,
                      **steps).ravel()
    return predict


def within_half_star(c, rows="val", test=lambda error: np.abs(error) <= 0.5, percent=False):
    frame = getattr(c["data"], rows)
    share = float(np.mean(test(predictions(c["model"], frame) - frame.rating.to_numpy())))
    return 100 * share if percent else share


ASKED_FACTORS = 20  # the parameter-counting exercises ask about the models with 20 factors


def table_parameters(c, rows=("n_users", "n_movies")):
    """The embedding tables' weights: a vector per user and per movie (or per the rows named)."""
    return sum(getattr(c["data"], row) for row in rows) * ASKED_FACTORS


def network_parameters(c, dense_biases=True, hidden_inputs=2, tables=True):
    units = c["model"].get_layer("hidden").units
    hidden = hidden_inputs * ASKED_FACTORS * units + (units if dense_biases else 0)
    score = units + (1 if dense_biases else 0)
    return (table_parameters(c) if tables else 0) + hidden + score


def trained_models_count(c):
    return c["model"].count_params()


def bias_table(c):
    return c["data"].movies.assign(bias=weights(c["model"], "movie_bias")[0][:, 0])


def lowest_bias_movies(c, at_least=50, highest=False):
    movies = bias_table(c)
    kept = movies[movies.n_ratings >= at_least]
    return (kept.nlargest(5, "bias") if highest else kept.nsmallest(5, "bias")).movie_idx.tolist()


def lowest_mean_movies(c):
    data = c["data"]
    movies = data.movies.assign(mean=data.train.groupby("movie_idx").rating.mean())
    return movies[movies.n_ratings >= 50].nsmallest(5, "mean").movie_idx.tolist()


def bias_only_rmse(c, rows="val", squash=True, squared=False):
    model, frame = c["model"], getattr(c["data"], rows)
    score = weights(model, "user_bias")[0][frame.user_idx, 0] + weights(model, "movie_bias")[0][frame.movie_idx, 0]
    scale, offset = rating_layer(model)
    predicted = sigmoid(score) * scale + offset if squash else score + offset
    return (mse if squared else rmse)(frame.rating, predicted)


def rare_movie_rmse(c, counts=None, rare=lambda count: count < 20, squared=False):
    data, model = c["data"], c["model"]
    counts = np.bincount(data.train.movie_idx, minlength=data.n_movies) if counts is None else counts
    rows = data.val[rare(counts[data.val.movie_idx])]
    return (mse if squared else rmse)(rows.rating, predictions(model, rows))


# -- lesson 05 ---------------------------------------------------------------------------------------------

def nearest_movies(c, cosine=True, at_least=50, leave_out_query=True):
    data, factors = c["data"], weights(c["model"], "movie_factors")[0]
    query = int(data.movies.n_ratings.idxmax())
    vectors = factors / np.linalg.norm(factors, axis=1, keepdims=True) if cosine else factors
    similarity = pd.Series(vectors @ vectors[query])
    candidates = data.movies[data.movies.n_ratings >= at_least].movie_idx
    if leave_out_query:
        candidates = candidates[candidates != query]
    return similarity[candidates].nlargest(3).index.tolist()


def user_pca_share(c, layer="user_factors", centre=True, square=True):
    users = weights(c["model"], layer)[0]
    values = np.linalg.svd(users - users.mean(axis=0) if centre else users, compute_uv=False)
    values = values**2 if square else values
    return float(values[0] / np.sum(values))


def bias_mean_correlation(c, ratings=None, at_least=20, method="pearson"):
    data = c["data"]
    means = (data.train if ratings is None else ratings).groupby("movie_idx").rating.mean()
    movies = data.movies.assign(bias=weights(c["model"], "movie_bias")[0][:, 0], mean=means)
    movies = movies[movies.n_ratings >= at_least].dropna()
    return float(movies.bias.corr(movies["mean"], method=method))


# -- lesson 06 ---------------------------------------------------------------------------------------------

def recall_at_k(divide_by=lambda relevant: len(relevant)):
    def recall(recommended, relevant):
        return len(set(recommended) & set(relevant)) / divide_by(relevant)
    return recall


def popular_list(c, exclude=("train", "val"), counts_from="train"):
    data = c["data"]
    if counts_from == "all":
        source = data.movies.set_index("movie_idx").n_ratings
    else:
        source = data.train.movie_idx.value_counts()
    counts = source.reindex(range(data.n_movies), fill_value=0)
    rated = {movie for part in exclude for movie in getattr(data, part).query("user_idx == 0").movie_idx}
    ranked = counts.drop(list(rated)).rename("count").rename_axis("movie_idx").reset_index()
    return ranked.sort_values(["count", "movie_idx"], ascending=[False, True]).movie_idx.head(10).tolist()


def hit_rate(c, model="neural_net", per="user"):
    hits = ranking.hits_at_k(c["recommended"][model], c["relevant"])
    return {"user": hits.any(axis=1).mean(), "users": hits.any(axis=1).sum(), "place": hits.mean(),
            "hits": hits.sum(axis=1).mean()}[per]


# -- lesson 07 ---------------------------------------------------------------------------------------------

def uniform_negative(c, exclude_rated=True, low=0):
    """rng.integers(low, low + n_movies), redrawn while rated: ``low=1`` is the off-by-one slip."""
    data = c["data"]
    rated = data.train.groupby("user_idx").movie_idx.apply(set)

    def sample(user, rng):
        movie = int(rng.integers(low, low + data.n_movies))
        while exclude_rated and movie in rated.get(user, set()):
            movie = int(rng.integers(low, low + data.n_movies))
        return movie
    return sample


def popular_negative(c):
    """Draws the movie of a random train rating (popularity), then redraws rated ones: the popularity mistake."""
    data = c["data"]
    rated, movies = data.train.groupby("user_idx").movie_idx.apply(set), data.train.movie_idx.to_numpy()

    def sample(user, rng):
        movie = int(movies[rng.integers(len(movies))])
        while movie in rated.get(user, set()):
            movie = int(movies[rng.integers(len(movies))])
        return movie
    return sample


def bpr_by_hand(c, with_bias=True, transform=lambda d: np.logaddexp(0, -d), swapped=False, mean=False):
    (users,), (movies,), (bias,) = (weights(c["model"], name) for name in ("users", "movies", "movie_bias"))

    def loss(u, rated, sampled):
        if swapped:
            rated, sampled = sampled, rated
        d = np.sum(users[u] * (movies[rated] - movies[sampled]), axis=1)
        if with_bias:
            d = d + bias[rated, 0] - bias[sampled, 0]
        return transform(d).mean() if mean else transform(d)
    return loss


def log_q(c, frame=None, log=np.log, share=True, sign=1):
    data = c["data"]
    frame = data.train if frame is None else frame
    counts = np.bincount(frame.movie_idx, minlength=data.n_movies).astype(float)
    with np.errstate(divide="ignore"):
        values = counts / len(frame) if share else counts
        return values if log is None else sign * log(values)


def ease_by_hand(zero_diagonal=True, by_rows=False, sign=-1, with_l2=True):
    def weights_of(x, l2):
        p = np.linalg.inv(x.T @ x + (l2 if with_l2 else 0) * np.eye(x.shape[1]))
        b = sign * (p / np.diag(p)[:, None] if by_rows else p / np.diag(p))
        if zero_diagonal:
            np.fill_diagonal(b, 0.0)
        return b
    return weights_of


def time_order(c, ascending=True, by="timestamp", kind="stable"):
    ratings = c["data"].ratings
    user = ratings.user_idx.value_counts().idxmax()
    return ratings[ratings.user_idx == user].sort_values(by, ascending=ascending, kind=kind).movie_idx.to_numpy()


def causal_mask(n, offset=0, transpose=False):
    mask = np.tril(np.ones((n, n), dtype=bool), offset)
    return mask.T if transpose else mask


def next_movie_examples(c, lost_per_user=1, per_user=True):
    train = c["data"].train
    return len(train) - (lost_per_user * train.user_idx.nunique() if per_user else 1)


def mistake(what, answer, hint):
    return LikelyMistake(what, answer, hint)


SOLUTIONS = {
    "01.train_mean": lambda c: c["data"].train.rating.mean(),
    "01.movie_mean_rmse": movie_mean_rmse,
    "01.encode": lambda c: encode_by_unique,
    "01.q.tuning_split": lambda c: "b",
    "02.n_parameters": table_parameters,
    "02.predict": lambda c: dot_product_predict(c["model"]),
    "02.within_half_star": within_half_star,
    "02.q.learning_rate": lambda c: "(b)",
    "03.predict": lambda c: bias_predict(c["model"]),
    "03.lowest_bias_movies": lowest_bias_movies,
    "03.bias_only_rmse": bias_only_rmse,
    "03.q.bias_parameters": lambda c: c["data"].n_users + c["data"].n_movies,
    "04.n_parameters": network_parameters,
    "04.predict": lambda c: network_predict(c["model"]),
    "04.rare_movie_rmse": rare_movie_rmse,
    "04.q.dropout": lambda c: "B",
    "05.nearest_movies": nearest_movies,
    "05.user_pca_share": user_pca_share,
    "05.bias_mean_correlation": bias_mean_correlation,
    "05.q.bias_units": lambda c: "b",
    "06.recall_at_k": lambda c: recall_at_k(),
    "06.popular_list": popular_list,
    "06.hit_rate": hit_rate,
    "06.q.recall_example": lambda c: 2 / 4,
    "07.uniform_negative": uniform_negative,
    "07.bpr_loss": bpr_by_hand,
    "07.log_q": log_q,
    "07.ease_weights": lambda c: ease_by_hand(),
    "07.q.bpr_at_zero": lambda c: float(np.log(2)),
    "07.q.ease_identity": lambda c: "(b)",
    "08.time_order": lambda c: time_order(c),
    "08.causal_mask": lambda c: causal_mask,
    "08.next_movie_examples": lambda c: next_movie_examples(c),
    "08.q.window_examples": lambda c: 30,
    "08.q.hides_future": lambda c: "(b)",
}

TEST_INSTEAD_OF_VALIDATION = "measured on the test ratings"
MEAN_SQUARED = "mean squared error"
ANOTHER_MODEL = "another model's hit rate"

MISTAKES = {
    "01.train_mean": [
        mistake("all ratings", lambda c: c["data"].ratings.rating.mean(), "mean of all ratings"),
        mistake("train and validation", lambda c: pd.concat([c["data"].train, c["data"].val]).rating.mean(),
                "includes the validation ratings"),
        mistake("validation", lambda c: c["data"].val.rating.mean(), "validation ratings' mean"),
        mistake("test", lambda c: c["data"].test.rating.mean(), "test ratings' mean"),
    ],
    "01.movie_mean_rmse": [
        mistake("global mean", lambda c: rmse(c["data"].val.rating, c["data"].train.rating.mean()), "one global mean"),
        mistake("means from all ratings", lambda c: movie_mean_rmse(c, means_from="ratings"),
                "include the validation ratings themselves"),
        mistake("unseen movies dropped", lambda c: movie_mean_rmse(c, keep_unseen=False), "absent from train"),
        mistake("MSE", lambda c: movie_mean_rmse(c, squared=True), MEAN_SQUARED),
        mistake("on train", lambda c: movie_mean_rmse(c, rows="train"), "measured on the training ratings"),
        mistake("on test", lambda c: movie_mean_rmse(c, rows="test"), TEST_INSTEAD_OF_VALIDATION),
    ],
    "01.encode": [
        mistake("factorize", lambda c: lambda ids: pd.factorize(ids)[0], "first appear"),
        mistake("from 1", lambda c: lambda ids: encode_by_unique(ids) + 1, "start at 0"),
        mistake("gaps kept", lambda c: lambda ids: ids - ids.min(), "keep the gaps"),
        mistake("ids", lambda c: lambda ids: ids, "IDs unchanged"),
    ],
    "01.q.tuning_split": [mistake("train", lambda c: "a", "rewards memorising"),
                          mistake("test", lambda c: "c", "test is touched once")],
    "02.n_parameters": [
        mistake("user table", lambda c: table_parameters(c, rows=("n_users",)), "user table only"),
        mistake("movie table", lambda c: table_parameters(c, rows=("n_movies",)), "movie table only"),
        mistake("one per row", lambda c: c["data"].n_users + c["data"].n_movies, "one number per user and movie"),
        mistake("full matrix", lambda c: c["data"].n_users * c["data"].n_movies, "full user × movie table"),
        mistake("off by one", lambda c: table_parameters(c) + 1, "count the weights of each trainable"),
        mistake("trained model", trained_models_count, "trained model's count"),
    ],
    "02.predict": [
        mistake("all pairs", lambda c: dot_product_predict(c["model"], all_pairs=True), "every user with every movie"),
        mistake("raw score", lambda c: dot_product_predict(c["model"], squash=False), "raw score"),
        mistake("sigmoid only", lambda c: dot_product_predict(c["model"], stretch=False), "between 0 and 1"),
        mistake("no offset", lambda c: dot_product_predict(c["model"], shift=False), "stretched but not shifted"),
    ],
    "02.within_half_star": [
        mistake("percentage", lambda c: within_half_star(c, percent=True), "not a percentage"),
        mistake("signed error", lambda c: within_half_star(c, test=lambda error: error <= 0.5), "absolute error"),
        mistake("on train", lambda c: within_half_star(c, rows="train"), "measured on the training ratings"),
        mistake("on test", lambda c: within_half_star(c, rows="test"), TEST_INSTEAD_OF_VALIDATION),
    ],
    "02.q.learning_rate": [mistake("sets it", lambda c: "a", "still says 0.001"),
                           mistake("raises", lambda c: "c", "does Python complain")],
    "03.predict": [
        mistake("no biases", lambda c: bias_predict(c["model"], with_biases=False), "left out the biases"),
        mistake("biases after", lambda c: bias_predict(c["model"], biases_after=True), "come in too late"),
        mistake("raw score", lambda c: bias_predict(c["model"], squash=False), "raw score"),
        mistake("sigmoid only", lambda c: bias_predict(c["model"], stretch=False), "between 0 and 1"),
        mistake("no offset", lambda c: bias_predict(c["model"], shift=False), "stretched but not shifted"),
    ],
    "03.lowest_bias_movies": [
        mistake("no filter", lambda c: lowest_bias_movies(c, at_least=0), "fewer than 50 ratings"),
        mistake("highest", lambda c: lowest_bias_movies(c, highest=True), "highest biases"),
        mistake("mean rating", lowest_mean_movies, "lowest mean ratings"),
        mistake("MovieLens ids", lambda c: c["data"].movies.movie[lowest_bias_movies(c)].tolist(), "MovieLens ids"),
        mistake("a set", lambda c: set(lowest_bias_movies(c)), "no order"),
        mistake("the biases' Series", lambda c: bias_table(c).query("n_ratings >= 50").bias.nsmallest(5),
                "in its index"),
    ],
    "03.bias_only_rmse": [
        mistake("full model", lambda c: rmse(c["data"].val.rating, predictions(c["model"], c["data"].val)),
                "full model's RMSE"),
        mistake("no sigmoid", lambda c: bias_only_rmse(c, squash=False), "still go through the model's last layers"),
        mistake("MSE", lambda c: bias_only_rmse(c, squared=True), MEAN_SQUARED),
        mistake("on test", lambda c: bias_only_rmse(c, rows="test"), "measured on test"),
        mistake("on train", lambda c: bias_only_rmse(c, rows="train"), "measured on the training ratings"),
    ],
    "03.q.bias_parameters": [mistake("per layer", lambda c: 2, "not one number per layer"),
                             mistake("per pair", lambda c: c["data"].n_users * c["data"].n_movies, "not one per pair")],
    "04.n_parameters": [
        mistake("no dense biases", lambda c: network_parameters(c, dense_biases=False), "Dense layers' biases"),
        mistake("one vector in", lambda c: network_parameters(c, hidden_inputs=1), "side by side"),
        mistake("tables only", table_parameters, "embedding tables only"),
        mistake("dense only", lambda c: network_parameters(c, tables=False), "dense layers only"),
        mistake("off by one", lambda c: network_parameters(c) - 1, "count the weights of each trainable"),
        mistake("trained model", trained_models_count, "trained model's count"),
    ],
    "04.predict": [
        mistake("dropout scaled", lambda c: network_predict(c["model"], keep=0.5), "dropout does nothing"),
        mistake("no relu", lambda c: network_predict(c["model"], relu=False), "activation you left out"),
        mistake("sigmoid only", lambda c: network_predict(c["model"], stretch=False), "between 0 and 1"),
        mistake("raw score", lambda c: network_predict(c["model"], squash=False), "raw score"),
    ],
    "04.rare_movie_rmse": [
        mistake("all splits counted", lambda c: rare_movie_rmse(c, c["data"].movies.n_ratings.to_numpy()),
                "all three splits"),
        mistake("at most 20", lambda c: rare_movie_rmse(c, rare=lambda count: count <= 20), "leaves out exactly 20"),
        mistake("every movie", lambda c: rare_movie_rmse(c, rare=lambda count: count >= 0),
                "over all validation ratings"),
        mistake("MSE", lambda c: rare_movie_rmse(c, squared=True), MEAN_SQUARED),
        mistake("frequent movies", lambda c: rare_movie_rmse(c, rare=lambda count: count >= 20), "20 or more"),
    ],
    "04.q.dropout": [mistake("drops", lambda c: "a", "predict twice"), mistake("halves", lambda c: "c", "inverted")],
    "05.nearest_movies": [
        mistake("query kept", lambda c: nearest_movies(c, leave_out_query=False), "itself"),
        mistake("dot product", lambda c: nearest_movies(c, cosine=False), "largest dot products"),
        mistake("no filter", lambda c: nearest_movies(c, at_least=0), "fewer than 50 ratings"),
    ],
    "05.user_pca_share": [
        mistake("not centred", lambda c: user_pca_share(c, centre=False), "not centred"),
        mistake("not squared", lambda c: user_pca_share(c, square=False), "not itself a variation"),
        mistake("movie factors", lambda c: user_pca_share(c, layer="movie_factors"), "movie factors"),
        mistake("percentage", lambda c: 100 * user_pca_share(c), "not a percentage"),
    ],
    "05.bias_mean_correlation": [
        mistake("no filter", lambda c: bias_mean_correlation(c, at_least=0), "fewer than 20"),
        mistake("filter of 50", lambda c: bias_mean_correlation(c, at_least=50), "at least 50 ratings"),
        mistake("all ratings' means", lambda c: bias_mean_correlation(c, c["data"].ratings), "validation and test"),
        mistake("Spearman", lambda c: bias_mean_correlation(c, method="spearman"), "Spearman"),
    ],
    "05.q.bias_units": [mistake("yes", lambda c: "a", "before or after the sigmoid")],
    "06.recall_at_k": [
        mistake("precision", lambda c: recall_at_k(lambda relevant: 10), "precision@k"),
        mistake("capped", lambda c: recall_at_k(lambda relevant: min(10, len(relevant))), "caps"),
        mistake("hits", lambda c: recall_at_k(lambda relevant: 1), "number of hits"),
    ],
    "06.popular_list": [
        mistake("rated kept", lambda c: popular_list(c, exclude=()), "already rated"),
        mistake("all splits counted", lambda c: popular_list(c, counts_from="all"), "all three splits"),
        mistake("test left out", lambda c: popular_list(c, exclude=("train", "val", "test")), "rated only in test"),
        mistake("validation kept", lambda c: popular_list(c, exclude=("train",)), "in validation too"),
        mistake("MovieLens ids", lambda c: c["data"].movies.movie[popular_list(c)].tolist(), "MovieLens ids"),
    ],
    "06.hit_rate": [
        mistake("precision", lambda c: hit_rate(c, per="place"), "mean precision@k"),
        mistake("count", lambda c: hit_rate(c, per="users"), "not a share"),
        mistake("hits per list", lambda c: hit_rate(c, per="hits"), "mean number of hits"),
        mistake("bias lists", lambda c: hit_rate(c, model="bias"), ANOTHER_MODEL),
        mistake("dot-product lists", lambda c: hit_rate(c, model="dot_product"), ANOTHER_MODEL),
    ],
    "06.q.recall_example": [mistake("precision", lambda c: 2 / 10, "precision@10"),
                            mistake("hits", lambda c: 2, "number of hits")],
    "07.uniform_negative": [
        mistake("rated kept", lambda c: uniform_negative(c, exclude_rated=False), "rated in train"),
        mistake("popularity", popular_negative, "favour popular movies"),
        mistake("shifted range", lambda c: uniform_negative(c, low=1), "shifted by one"),
    ],
    "07.bpr_loss": [
        mistake("swapped", lambda c: bpr_by_hand(c, swapped=True), "wrong way round"),
        mistake("log-likelihood", lambda c: bpr_by_hand(c, transform=lambda d: -np.logaddexp(0, -d)), "all negative"),
        mistake("probability", lambda c: bpr_by_hand(c, transform=sigmoid), "probabilities"),
        mistake("no bias", lambda c: bpr_by_hand(c, with_bias=False), "movie bias"),
        mistake("mean", lambda c: bpr_by_hand(c, mean=True), "not their mean"),
    ],
    "07.log_q": [
        mistake("counts", lambda c: log_q(c, share=False), "logs of each movie's count"),
        mistake("shares", lambda c: log_q(c, log=None), "shares themselves"),
        mistake("log10", lambda c: log_q(c, log=np.log10), "base-10"),
        mistake("all ratings", lambda c: log_q(c, c["data"].ratings), "validation and test too"),
        mistake("minus", lambda c: log_q(c, sign=-1), "all positive"),
        mistake("per rating", lambda c: log_q(c)[c["data"].train.movie_idx], "one value per movie"),
        mistake("value_counts", lambda c: np.log(c["data"].train.movie_idx.value_counts() / len(c["data"].train)),
                "index is not 0, 1, 2"),
    ],
    "07.ease_weights": [
        mistake("by rows", lambda c: ease_by_hand(by_rows=True), "each row"),
        mistake("sign", lambda c: ease_by_hand(sign=1), "wrong sign"),
        mistake("no l2", lambda c: ease_by_hand(with_l2=False), "leaves out the penalty"),
        mistake("diagonal kept", lambda c: ease_by_hand(zero_diagonal=False), "diagonal of B must be 0"),
    ],
    "07.q.bpr_at_zero": [
        mistake("probability", lambda c: 0.5, "probability"),
        mistake("negative", lambda c: -float(np.log(2)), "not negative"),
        mistake("zero", lambda c: 0, "tie is not a win"),
        mistake("log10", lambda c: float(np.log10(2)), "base-10"),
    ],
    "07.q.ease_identity": [mistake("zeros", lambda c: "a", "rebuilds nothing"),
                           mistake("co-ratings", lambda c: "c", "co-ratings")],
    "08.time_order": [
        mistake("latest first", lambda c: time_order(c, ascending=False), "latest to the earliest"),
        mistake("default sort", lambda c: time_order(c, kind="quicksort"), "same second"),
        mistake("by movie", lambda c: time_order(c, by="movie_idx"), "sorted by movie index"),
        mistake("one split", lambda c: time_order(c)[:3], "all splits"),
    ],
    "08.causal_mask": [
        mistake("future", lambda c: lambda n: causal_mask(n, transpose=True), "later places"),
        mistake("not itself", lambda c: lambda n: causal_mask(n, offset=-1), "look at itself"),
        mistake("no mask", lambda c: lambda n: np.ones((n, n), dtype=bool), "no mask at all"),
    ],
    "08.next_movie_examples": [
        mistake("every rating", lambda c: next_movie_examples(c, lost_per_user=0), "last movie has no next"),
        mistake("one sequence", lambda c: next_movie_examples(c, per_user=False), "one sequence"),
        mistake("two lost", lambda c: next_movie_examples(c, lost_per_user=2), "not two"),
    ],
    "08.q.window_examples": [mistake("every movie", lambda c: 31, "target only"),
                             mistake("one guess", lambda c: 1, "at every place")],
    "08.q.hides_future": [mistake("padding", lambda c: "a", "padding tokens"),
                          mistake("positions", lambda c: "c", "where a movie is")],
}

#: Every modelled mistake as (exercise id, mistake), for parametrised tests.
ALL_MISTAKES = [(exercise_id, each) for exercise_id, mistakes in MISTAKES.items() for each in mistakes]
