"""PyTorch equivalents of Nabla's model presets (Sources/Nabla/Models/Presets.swift).

Each function returns a torch module whose ``state_dict()`` keys, shapes and computation equal
those of ``ModelPreset.<name>.build(...)`` in Nabla, so that weights can move between the two
(safetensors) and interop scripts can train the same model in PyTorch:

    import sys; sys.path.insert(0, "Tests/Fixtures")
    from model_presets import cnn
    model = cnn()                          # ModelPreset.cnn, input [1, 28, 28], 10 outputs
    print(list(model.state_dict()))        # ['0.weight', '0.bias', '3.weight', ...]

Run as a script, it writes ``model_presets.json`` next to itself: for each configuration the
state-dict names and shapes, the parameter count, and the output of the model (in eval mode) for a
fixed input with weights set by a formula, so the Swift tests can check both naming and computation:

    venv/bin/python Tests/Fixtures/model_presets.py

Deterministic weights: parameter k (in ``named_parameters()`` order), flat element i, is
``0.1 * sin(0.37 * i + k)``; buffers keep their defaults. The input element i is ``sin(0.1 * i)``.
"""

import json
import math
import os

import torch
from torch import nn

ACTIVATIONS = {
    "relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "leaky-relu": nn.LeakyReLU,
    "elu": nn.ELU, "gelu": nn.GELU, "silu": nn.SiLU,
}


class Residual(nn.Module):
    """y = body(x) + shortcut(x), the shortcut being the identity when None (Nabla's Residual)."""

    def __init__(self, body, shortcut=None):
        super().__init__()
        self.body = body
        self.shortcut = shortcut

    def forward(self, x):
        return self.body(x) + (x if self.shortcut is None else self.shortcut(x))


class GlobalAvgPool2d(nn.Module):
    """[N, C, H, W] -> [N, C], the mean of each channel (Nabla's GlobalAvgPool2d)."""

    def forward(self, x):
        return x.mean(dim=(2, 3))


class SequenceClassifier(nn.Module):
    """Images [N, C, H, W] read as H steps of C*W features; head(rnn(x)[:, -1]) (Nabla's SequenceClassifier)."""

    def __init__(self, rnn, head, dropout=0.0):
        super().__init__()
        self.rnn = rnn
        self.dropout = nn.Dropout(dropout) if dropout > 0 else None
        self.head = head

    def forward(self, x):
        if x.dim() == 4:
            n, c, h, w = x.shape
            x = x.permute(0, 2, 1, 3).reshape(n, h, c * w)
        last = self.rnn(x)[0][:, -1]
        return self.head(last if self.dropout is None else self.dropout(last))


def mlp(in_features=784, out=10, hidden=(256, 128), activation="relu", dropout=0.0, batch_norm=False):
    """ModelPreset.mlp; with hidden=() it is ModelPreset.linear."""
    layers = [nn.Flatten()]
    width = in_features
    for size in hidden:
        layers.append(nn.Linear(width, size))
        if batch_norm:
            layers.append(nn.BatchNorm1d(size))
        layers.append(ACTIVATIONS[activation]())
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        width = size
    layers.append(nn.Linear(width, out))
    return nn.Sequential(*layers)


def linear(in_features=784, out=10):
    """ModelPreset.linear: Flatten, Linear."""
    return mlp(in_features, out, hidden=())


def cnn(in_shape=(1, 28, 28), out=10, hidden=(16, 32, 128), activation="relu", dropout=0.0, batch_norm=False):
    """ModelPreset.cnn: [Conv2d 3x3 pad 1, (BatchNorm2d), act, MaxPool2d(2)] per channel count, Flatten,
    Linear(.., hidden[-1]), act, (Dropout), Linear(.., out)."""
    channels, height, width = in_shape
    layers = []
    for size in hidden[:-1]:
        layers.append(nn.Conv2d(channels, size, 3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(size))
        layers += [ACTIVATIONS[activation](), nn.MaxPool2d(2)]
        channels, height, width = size, height // 2, width // 2
    layers += [nn.Flatten(), nn.Linear(channels * height * width, hidden[-1]), ACTIVATIONS[activation]()]
    if dropout > 0:
        layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(hidden[-1], out))
    return nn.Sequential(*layers)


def resnet_block(in_channels, out_channels, stride, activation="relu"):
    """Sequential(Residual(conv-bn-act-conv-bn, 1x1 conv-bn projection when the shape changes), act)."""
    body = nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
        ACTIVATIONS[activation](),
        nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
    )
    projection = None
    if stride != 1 or in_channels != out_channels:
        projection = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                                   nn.BatchNorm2d(out_channels))
    return nn.Sequential(Residual(body, projection), ACTIVATIONS[activation]())


def resnet(in_channels=1, out=10, widths=(32, 64, 128), activation="relu", dropout=0.0):
    """ModelPreset.resnet: stem conv-bn-act-maxpool, one block per width (stride 2 after the first),
    global average pooling, (Dropout), Linear."""
    layers = [nn.Conv2d(in_channels, widths[0], 3, padding=1, bias=False), nn.BatchNorm2d(widths[0]),
              ACTIVATIONS[activation](), nn.MaxPool2d(2)]
    channels = widths[0]
    for stage, width in enumerate(widths):
        layers.append(resnet_block(channels, width, 1 if stage == 0 else 2, activation))
        channels = width
    layers.append(GlobalAvgPool2d())
    if dropout > 0:
        layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(channels, out))
    return nn.Sequential(*layers)


def lstm(input_size=28, hidden=128, out=10, num_layers=1, dropout=0.0):
    """ModelPreset.lstm: SequenceClassifier(LSTM(input_size -> hidden), Linear(hidden -> out))."""
    rnn = nn.LSTM(input_size, hidden, num_layers=num_layers, batch_first=True,
                  dropout=dropout if num_layers > 1 else 0.0)
    return SequenceClassifier(rnn, nn.Linear(hidden, out), dropout)


# (name, Nabla preset, per-sample input shape, outputs, Nabla PresetOptions as JSON, torch builder)
CONFIGS = [
    ("linear_fmnist", "linear", [1, 28, 28], 10, {}, lambda: linear(784, 10)),
    ("linear_2d", "linear", [2], 2, {}, lambda: linear(2, 2)),
    ("mlp_fmnist", "mlp", [1, 28, 28], 10, {}, lambda: mlp(784, 10)),
    ("mlp_2d", "mlp", [2], 2, {}, lambda: mlp(2, 2)),
    ("mlp_bn_dropout_tanh", "mlp", [2], 3, {"hidden": [16, 8], "activation": "tanh", "dropout": 0.2, "batchNorm": True},
     lambda: mlp(2, 3, (16, 8), "tanh", 0.2, True)),
    ("cnn_fmnist", "cnn", [1, 28, 28], 10, {}, lambda: cnn()),
    ("cnn_bn_dropout", "cnn", [3, 16, 16], 5, {"hidden": [8, 12, 32], "dropout": 0.3, "batchNorm": True},
     lambda: cnn((3, 16, 16), 5, (8, 12, 32), dropout=0.3, batch_norm=True)),
    ("resnet_fmnist", "resnet", [1, 28, 28], 10, {}, lambda: resnet()),
    ("resnet_small_gelu", "resnet", [2, 12, 12], 4, {"hidden": [8, 16], "activation": "gelu", "dropout": 0.1},
     lambda: resnet(2, 4, (8, 16), "gelu", 0.1)),
    ("lstm_fmnist", "lstm", [1, 28, 28], 10, {}, lambda: lstm()),
    ("lstm_seq_2layer", "lstm", [5, 3], 2, {"hidden": [6, 6]}, lambda: lstm(3, 6, 2, num_layers=2)),
]


def deterministic(model):
    with torch.no_grad():
        for k, (_, p) in enumerate(model.named_parameters()):
            i = torch.arange(p.numel(), dtype=torch.float64)
            p.copy_((0.1 * torch.sin(0.37 * i + k)).reshape(p.shape).to(p.dtype))
    return model


def case(name, preset, shape, outputs, options, build):
    model = deterministic(build()).eval()
    x = torch.sin(0.1 * torch.arange(2 * math.prod(shape), dtype=torch.float64)).float().reshape([2] + shape)
    with torch.no_grad():
        y = model(x)
    return {
        "name": name, "preset": preset, "input": shape, "outputs": outputs, "options": options,
        "state": [{"name": k, "shape": list(v.shape)} for k, v in model.state_dict().items()],
        "parameter_names": [k for k, _ in model.named_parameters()],
        "parameters": sum(p.numel() for p in model.parameters()),
        "output": {"shape": list(y.shape), "data": [round(float(v), 7) for v in y.flatten()]},
    }


def main():
    torch.manual_seed(0)
    cases = [case(*config) for config in CONFIGS]
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "model_presets.json")
    with open(path, "w") as f:
        f.write('{"generator": "model_presets.py", "torch_version": "%s", "cases": [\n' % torch.__version__.split("+")[0])
        f.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in cases))
        f.write("\n]}\n")
    print(f"wrote {len(cases)} cases to {path}")


if __name__ == "__main__":
    main()
