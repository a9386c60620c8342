"""The real 1-D models of research/models.md, as their authors write them, read by `model` and
built by the real framework from the same code: every layer's name (Keras' auto-names), output
shape and parameters (trainable and not) equal, and the totals."""

from __future__ import annotations

import math
import warnings
from types import ModuleType
from typing import Any

import pytest

from conv1dexplain.modeling import from_text

pytestmark = pytest.mark.oracle

KIM_CNN = """
from tensorflow import keras
from tensorflow.keras import layers

sequence_length = 64  # 56 words padded by 4 on each side
inputs = keras.Input(shape=(sequence_length,), dtype="int32")
x = layers.Embedding(18765, 300)(inputs)
pooled = []
for width in (3, 4, 5):
    branch = layers.Conv1D(100, width, activation="relu")(x)
    branch = layers.GlobalMaxPooling1D()(branch)
    pooled.append(branch)
x = layers.Concatenate()(pooled)
x = layers.Dropout(0.5)(x)
outputs = layers.Dense(2, activation="softmax")(x)
model = keras.Model(inputs, outputs)
"""

CHAR_CNN_KIM = """
import keras
from keras.layers import Input, Embedding, Conv1D, GlobalMaxPooling1D, Concatenate, Dense, AlphaDropout
from keras.models import Model

input_size = 1014
alphabet_size = 69
conv_layers = [[256, 10], [256, 7], [256, 5], [256, 3]]
fully_connected_layers = [1024, 1024]
inputs = Input(shape=(input_size,), name="sent_input", dtype="int64")
x = Embedding(alphabet_size + 1, 128)(inputs)
convolution_output = []
for num_filters, filter_width in conv_layers:
    conv = Conv1D(filters=num_filters, kernel_size=filter_width, activation="tanh")(x)
    pool = GlobalMaxPooling1D()(conv)
    convolution_output.append(pool)
x = Concatenate()(convolution_output)
for fl in fully_connected_layers:
    x = Dense(fl, activation="selu", kernel_initializer="lecun_normal")(x)
    x = AlphaDropout(0.1)(x)
predictions = Dense(4, activation="softmax")(x)
model = Model(inputs=inputs, outputs=predictions)
"""

TUTORIAL = """
from keras.models import Sequential
from keras.layers import Dense, LSTM, Conv1D, MaxPooling1D, Embedding

top_words = 5000
max_review_length = 500
embedding_vecor_length = 32
model = Sequential()
model.add(Embedding(top_words, embedding_vecor_length, input_length=max_review_length))
model.add(Conv1D(filters=32, kernel_size=3, padding='same', activation='relu'))
model.add(MaxPooling1D(pool_size=2))
model.add(LSTM(100))
model.add(Dense(1, activation='sigmoid'))
"""

IMDB_CNN_LSTM = """
from keras.models import Sequential
from keras.layers import Dense, Dropout, Activation, Embedding, LSTM, Conv1D, MaxPooling1D

max_features = 20000
maxlen = 100
embedding_size = 128
kernel_size = 5
filters = 64
pool_size = 4
lstm_output_size = 70

model = Sequential()
model.add(Embedding(max_features, embedding_size, input_length=maxlen))
model.add(Dropout(0.25))
model.add(Conv1D(filters,
                 kernel_size,
                 padding='valid',
                 activation='relu',
                 strides=1))
model.add(MaxPooling1D(pool_size=pool_size))
model.add(LSTM(lstm_output_size))
model.add(Dense(1))
model.add(Activation('sigmoid'))
"""

FCN = """
import keras

def make_model(input_shape=(500, 1), num_classes=2):
    input_layer = keras.layers.Input(input_shape)

    conv1 = keras.layers.Conv1D(filters=64, kernel_size=3, padding="same")(input_layer)
    conv1 = keras.layers.BatchNormalization()(conv1)
    conv1 = keras.layers.ReLU()(conv1)

    conv2 = keras.layers.Conv1D(filters=64, kernel_size=3, padding="same")(conv1)
    conv2 = keras.layers.BatchNormalization()(conv2)
    conv2 = keras.layers.ReLU()(conv2)

    conv3 = keras.layers.Conv1D(filters=64, kernel_size=3, padding="same")(conv2)
    conv3 = keras.layers.BatchNormalization()(conv3)
    conv3 = keras.layers.ReLU()(conv3)

    gap = keras.layers.GlobalAveragePooling1D()(conv3)

    output_layer = keras.layers.Dense(num_classes, activation="softmax")(gap)

    return keras.models.Model(inputs=input_layer, outputs=output_layer)

model = make_model()
"""

TCN_KERAS = """
import keras
from keras import layers

inputs = keras.Input(shape=(None, 1))
x = layers.Conv1D(32, 1)(inputs)
for dilation in (1, 2, 4, 8):
    y = layers.Conv1D(32, 3, padding="causal", dilation_rate=dilation, activation="relu")(x)
    y = layers.Dropout(0.1)(y)
    y = layers.Conv1D(32, 3, padding="causal", dilation_rate=dilation, activation="relu")(y)
    x = layers.Add()([x, y])
outputs = layers.Dense(1)(x)
model = keras.Model(inputs, outputs)
"""

KERAS_MODELS = {
    "kim-cnn": (KIM_CNN, None),
    "char-cnn-kim": (CHAR_CNN_KIM, None),
    "tutorial": (TUTORIAL, "500"),
    "imdb-cnn-lstm": (IMDB_CNN_LSTM, "100"),
    "fcn-forda": (FCN, None),
    "tcn": (TCN_KERAS, None),
}

WAV2VEC = """
import torch.nn as nn

encoder = []
in_channels = 1
for kernel, stride in zip((10, 8, 4, 4, 4), (5, 4, 2, 2, 2)):
    encoder += [nn.Conv1d(in_channels, 512, kernel, stride=stride), nn.Dropout(0.0), nn.GroupNorm(1, 512), nn.ReLU()]
    in_channels = 512
context = []
for _ in range(9):
    context += [nn.ReplicationPad1d((2, 0)), nn.Conv1d(512, 512, 3), nn.Dropout(0.0), nn.GroupNorm(1, 512), nn.ReLU()]
model = nn.Sequential(nn.Sequential(*encoder), nn.Sequential(*context))
"""

WAV2VEC2_POSITIONAL = """
import torch
from torch import nn
model = nn.Sequential(nn.Conv1d(768, 768, kernel_size=128, padding=128 // 2, groups=16), nn.GELU())
"""

M5 = """
import torch.nn as nn
model = nn.Sequential(
    nn.Conv1d(1, 32, kernel_size=80, stride=16), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(4),
    nn.Conv1d(32, 32, kernel_size=3), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(4),
    nn.Conv1d(32, 64, kernel_size=3), nn.BatchNorm1d(64), nn.ReLU(), nn.MaxPool1d(4),
    nn.Conv1d(64, 64, kernel_size=3), nn.BatchNorm1d(64), nn.ReLU(), nn.MaxPool1d(4),
    nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(64, 35),
)
"""

TORCH_MODELS = {
    "wav2vec-encoder": (WAV2VEC, "1x16000"),
    "wav2vec2-positional": (WAV2VEC2_POSITIONAL, "768x49"),
    "m5-speech-commands": (M5, "1x8000"),
}


def _keras_built(keras: ModuleType, code: str) -> Any:
    keras.backend.clear_session()  # Keras' auto-names count from zero again, as a fresh process's
    namespace: dict[str, Any] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        keras_3 = code.replace("from tensorflow import keras", "import keras").replace("tensorflow.keras", "keras")
        exec(keras_3, namespace)
    return namespace["model"]


@pytest.mark.parametrize("name", sorted(KERAS_MODELS))
def test_real_keras_models_equal_keras(name: str, keras: ModuleType) -> None:
    code, input_text = KERAS_MODELS[name]
    report = from_text(code, input_text)
    assert report.error is None, report.error
    model = _keras_built(keras, code)
    if not model.built:
        model.build((None, int(input_text)))  # type: ignore[arg-type]
    layers = {layer.name: layer for layer in model.layers if type(layer).__name__ != "InputLayer"}
    # the same auto-names (Keras lists a functional model's layers by depth, we in the code's order)
    assert sorted(row.name for row in report.layers) == sorted(layers)
    for row in report.layers:
        layer = layers[row.name]
        assert row.output_shape == tuple(layer.output.shape), row.name
        trainable = sum(math.prod(w.shape) for w in layer.trainable_weights)
        frozen = layer.count_params() - trainable
        assert (row.trainable_params, row.non_trainable_params) == (trainable, frozen), row.name
    assert report.total_params == model.count_params()


@pytest.mark.parametrize("name", sorted(TORCH_MODELS))
def test_real_pytorch_models_equal_pytorch(name: str, torch: ModuleType) -> None:
    code, input_text = TORCH_MODELS[name]
    report = from_text(code, input_text)
    assert report.error is None, report.error
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    model = namespace["model"]
    leaves = [(path, m) for path, m in model.named_modules() if not isinstance(m, torch.nn.Sequential)]
    assert [row.name for row in report.layers] == [path for path, _ in leaves]
    x = torch.zeros((2, *(int(d) for d in input_text.split("x"))))
    with torch.no_grad():
        for row, (_, module) in zip(report.layers, leaves, strict=True):
            x = module.eval()(x)
            assert row.output_shape[1:] == tuple(x.shape)[1:], row.name
            trainable = sum(p.numel() for p in module.parameters() if p.requires_grad)
            assert (row.trainable_params, row.non_trainable_params) == (trainable, 0), row.name
    assert report.total_params == sum(p.numel() for p in model.parameters())
