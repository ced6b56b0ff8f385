#!/usr/bin/env python3
"""PyTorch peer of the sweep stage: the usual loop (load lerp weights, evaluate the full MNIST test set) at each x.

Reads a safetensors checkpoint pair in the layout of docs/outputs.md (PyTorch tensor names and shapes), builds
LeNet-300-100 (fc1..fcN) or the small conv net with BatchNorm (conv1/bn1/conv2/bn2/fc) from the tensor names,
and prints one JSON object: points/s of the loop, the curve, and the multiply-adds per example.
Without torch it prints {"error": ...} and exits 3.
"""
import argparse
import json
import os
import struct
import sys
import time


def read_safetensors(path):
    """Tiny safetensors reader: 8-byte little-endian header length, JSON header, raw little-endian data."""
    import torch

    with open(path, "rb") as f:
        raw = f.read()
    (length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + length])
    data = raw[8 + length :]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise ValueError(f"{path}: {name} has dtype {info['dtype']}, expected F32")
        begin, end = info["data_offsets"]
        tensors[name] = torch.frombuffer(bytearray(data[begin:end]), dtype=torch.float32).reshape(info["shape"]).clone()
    return tensors


def read_mnist_test(data_dir):
    """The 10k test images (IDX), normalized as torchvision/open_lth do, as an N×1×28×28 tensor, and the labels."""
    import torch

    with open(os.path.join(data_dir, "t10k-images-idx3-ubyte"), "rb") as f:
        magic, count, rows, cols = struct.unpack(">IIII", f.read(16))
        assert magic == 0x803, "bad IDX magic for images"
        images = torch.frombuffer(bytearray(f.read()), dtype=torch.uint8).reshape(count, 1, rows, cols)
    with open(os.path.join(data_dir, "t10k-labels-idx1-ubyte"), "rb") as f:
        magic, count2 = struct.unpack(">II", f.read(8))
        assert magic == 0x801 and count2 == count, "bad IDX labels"
        labels = torch.frombuffer(bytearray(f.read()), dtype=torch.uint8).long()
    x = (images.float() / 255.0 - 0.1307) / 0.3081
    return x, labels


def build_model(state):
    import torch
    from torch import nn

    if "conv1.weight" in state:
        # conv 5×5/2 pad 2 → BN → ReLU → conv 3×3/2 pad 1 → BN → ReLU → flatten (C, H, W) → fc (src/ml/models/conv-bn.ts);
        # an fc with as many inputs as channels means a global average pool instead (the model's earlier form).
        c1, cin, k1, _ = state["conv1.weight"].shape
        c2, _, k2, _ = state["conv2.weight"].shape

        class ConvBn(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1 = nn.Conv2d(cin, c1, k1, stride=2, padding=k1 // 2, bias="conv1.bias" in state)
                self.bn1 = nn.BatchNorm2d(c1)
                self.conv2 = nn.Conv2d(c1, c2, k2, stride=2, padding=k2 // 2, bias="conv2.bias" in state)
                self.bn2 = nn.BatchNorm2d(c2)
                self.fc = nn.Linear(*reversed(state["fc.weight"].shape))

            def forward(self, x):
                x = torch.relu(self.bn1(self.conv1(x)))
                x = torch.relu(self.bn2(self.conv2(x)))
                pooled = x.mean(dim=(2, 3)) if self.fc.in_features == x.shape[1] else x.flatten(1)
                return self.fc(pooled)

            def load(self, flat):
                # PyTorch's BatchNorm also keeps num_batches_tracked, which checkpoints need not carry.
                result = self.load_state_dict(flat, strict=False)
                missing = [k for k in result.missing_keys if not k.endswith("num_batches_tracked")]
                if missing or result.unexpected_keys:
                    raise SystemExit(f"checkpoint does not fit the conv net: missing {missing}, unexpected {result.unexpected_keys}")

        return "conv_bn", ConvBn()

    layers = sorted((k for k in state if k.startswith("fc") and k.endswith(".weight")), key=lambda k: int(k[2:].split(".")[0]))

    class Mlp(nn.Module):
        def __init__(self):
            super().__init__()
            self.fcs = nn.ModuleList(nn.Linear(*reversed(state[k].shape)) for k in layers)

        def forward(self, x):
            x = x.flatten(1)
            for i, fc in enumerate(self.fcs):
                x = fc(x)
                if i < len(self.fcs) - 1:
                    x = torch.relu(x)
            return x

        def load(self, flat):
            mapped = {}
            for i, k in enumerate(layers):
                name = k.split(".")[0]
                mapped[f"fcs.{i}.weight"] = flat[f"{name}.weight"]
                mapped[f"fcs.{i}.bias"] = flat[f"{name}.bias"]
            self.load_state_dict(mapped)

    return "mlp_" + "_".join(str(state[k].shape[0]) for k in layers), Mlp()


def multiply_adds(model, example):
    """Multiply-adds of one forward pass of one example (linear and conv layers), counted with hooks."""
    import torch
    from torch import nn

    total = [0]

    def hook(module, inputs, output):
        if isinstance(module, nn.Linear):
            total[0] += module.in_features * module.out_features
        elif isinstance(module, nn.Conv2d):
            kh, kw = module.kernel_size
            total[0] += output[0].numel() * module.in_channels * kh * kw // module.groups

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv2d))]
    with torch.no_grad():
        model(example)
    for h in handles:
        h.remove()
    return total[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", required=True, help="safetensors of θ_t")
    parser.add_argument("--end", required=True, help="safetensors of θ_T")
    parser.add_argument("--data", required=True, help="directory holding t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte")
    parser.add_argument("--points", type=int, default=100)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=1000, help="evaluation batch size")
    args = parser.parse_args()
    began = time.perf_counter()
    try:
        import torch
        from torch.nn import functional as F
    except ImportError as error:
        print(json.dumps({"error": f"torch not available ({error}); on Debian: apt-get install -y python3-torch libopenblas0-pthread"}))
        sys.exit(3)

    torch.set_num_threads(args.threads)
    start, end = read_safetensors(args.start), read_safetensors(args.end)
    if start.keys() != end.keys():
        raise SystemExit(f"{args.start} and {args.end} hold different tensors")
    x_test, y_test = read_mnist_test(args.data)
    name, model = build_model(start)
    model.eval()
    load = model.load
    load(start)
    macs = multiply_adds(model, x_test[:1])

    xs = [i / (args.points - 1) for i in range(args.points)]
    rows = []
    loop_began = time.perf_counter()
    for x in xs:
        load({k: torch.lerp(start[k], end[k], x) for k in start})  # (1−x)·θ_t + x·θ_T
        loss_sum = torch.zeros((), dtype=torch.float64)
        wrong = 0
        with torch.no_grad():
            for b in range(0, len(y_test), args.batch):
                logits = model(x_test[b : b + args.batch])
                target = y_test[b : b + args.batch]
                loss_sum += F.cross_entropy(logits, target, reduction="sum").double()
                wrong += int((logits.argmax(1) != target).sum())
        rows.append({"x": x, "test_loss": float(loss_sum) / len(y_test), "test_error": wrong / len(y_test)})
    loop_s = time.perf_counter() - loop_began
    print(json.dumps({
        "runner": "pytorch",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "model": name,
        "points": args.points,
        "examples": len(y_test),
        "multiply_adds_per_example": macs,
        "loop_s": loop_s,
        "total_s": time.perf_counter() - began,
        "points_per_s": args.points / loop_s,
        "gflops": 2 * macs * len(y_test) * args.points / loop_s / 1e9,
        "rows": rows,
    }))


if __name__ == "__main__":
    main()
