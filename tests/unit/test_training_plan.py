"""The training plan: the lessons' own values on small data, the large-data settings past the threshold."""

from __future__ import annotations

import pytest

from cfcourse.training_plan import (
    LARGE_BATCH_SIZE,
    LARGE_TRAINING_SET,
    NETWORK_LEARNING_RATE,
    SGD_LEARNING_RATE,
    plan_training,
)

LESSON_VALUES = dict(learning_rate=1e-2, batch_size=2048, epochs=20, l2=5e-5)


def test_small_data_trains_exactly_as_the_parameters_say():
    for network in (False, True):
        plan = plan_training(LARGE_TRAINING_SET - 1, **LESSON_VALUES, network=network)
        assert (plan.optimizer, plan.learning_rate, plan.batch_size, plan.epochs, plan.l2) == ("adam", 1e-2, 2048, 20, 5e-5)
        assert (plan.penalised, plan.steps_per_execution, plan.large) == ("table", 1, False)


def test_large_data_trains_the_embedding_models_with_sgd_and_row_penalties():
    plan = plan_training(LARGE_TRAINING_SET, **LESSON_VALUES)
    assert (plan.optimizer, plan.learning_rate, plan.batch_size) == ("sgd", SGD_LEARNING_RATE, LARGE_BATCH_SIZE)
    assert plan.penalised == "rows" and plan.large
    assert plan.epochs == 20  # early stopping still decides


def test_large_data_keeps_adam_for_the_network_in_large_batches():
    plan = plan_training(20_000_000, **LESSON_VALUES, network=True)
    assert (plan.optimizer, plan.learning_rate, plan.batch_size) == ("adam", NETWORK_LEARNING_RATE, LARGE_BATCH_SIZE)
    assert plan.penalised == "rows"


def test_describe_says_which_values_apply_in_one_line():
    small = plan_training(80_668, **LESSON_VALUES).describe()
    assert small == ("80,668 training ratings: Adam at rate 0.01, batch 2,048, L2 5e-05 on the whole tables, "
                     "at most 20 epochs, as the parameters say.")
    large = plan_training(20_000_076, **LESSON_VALUES).describe()
    assert "\n" not in large
    assert large.startswith("20,000,076 training ratings, 500,000 or more: SGD at rate 200, batch 16,384, L2 5e-07 "
                            "on the rows in each batch")
    assert "in place of learning_rate, batch_size and l2" in large


@pytest.mark.parametrize("n_train, argument", [(1_000, "embeddings_regularizer"), (LARGE_TRAINING_SET, "activity_regularizer")])
def test_the_penalty_goes_where_the_plan_says(n_train, argument):
    import keras

    plan = plan_training(n_train, **LESSON_VALUES)
    (name, regularizer), = plan.embedding_penalty().items()
    assert name == argument
    assert isinstance(regularizer, keras.regularizers.L2) and regularizer.l2 == pytest.approx(plan.l2)
    layer = keras.layers.Embedding(10, 3, **plan.embedding_penalty())
    assert getattr(layer, argument) is not None


@pytest.mark.parametrize("n_train, optimizer", [(1_000, "Adam"), (LARGE_TRAINING_SET, "SGD")])
def test_each_call_makes_a_fresh_optimizer(n_train, optimizer):
    plan = plan_training(n_train, **LESSON_VALUES)
    first, second = plan.make_optimizer(), plan.make_optimizer()
    assert type(first).__name__ == optimizer and first is not second
    assert float(first.learning_rate) == pytest.approx(plan.learning_rate)


def test_sgd_with_row_penalty_moves_only_the_rows_in_the_batch():
    """The fact the large-data plan rests on: one SGD step with the row penalty leaves every row
    the batch did not look up exactly as it was, where the whole-table penalty moves them all."""
    import keras
    import numpy as np

    def rows_moved(plan):
        keras.utils.set_random_seed(0)
        movie = keras.Input(shape=(), dtype="int32")
        table = keras.layers.Embedding(50, 4, **plan.embedding_penalty())
        model = keras.Model(movie, keras.layers.Dense(1)(table(movie)))
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        before = table.get_weights()[0].copy()
        model.train_on_batch(np.array([3, 7], dtype="int32"), np.array([1.0, 2.0]))
        return set(np.flatnonzero((table.get_weights()[0] != before).any(axis=1)))

    assert rows_moved(plan_training(LARGE_TRAINING_SET, **LESSON_VALUES)) == {3, 7}
    assert len(rows_moved(plan_training(1_000, **LESSON_VALUES))) == 50
