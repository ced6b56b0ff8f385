#!/usr/bin/env python3
"""Your own training code as a linpath stage: a PyTorch LeNet on MNIST that writes linpath's train output.

linpath's sweep, aggregate and render stages read any directory laid out like its own train stage's output
(docs/outputs.md, src/artifacts/):

    OUT/checkpoints/it<N>.safetensors   float32 tensors with PyTorch's names and shapes (fc1.weight [out, in], …)
    OUT/checkpoints/it<N>.json          {setting, iteration, seed, backend, test_loss, test_accuracy, model}
    OUT/train.json                      {setting, model, iterations, final_iteration, seed, backend, final, history}

so training in PyTorch (or anything that can write these files) and sweeping in linpath is one pipeline.yaml
(examples/pytorch/pipeline.yaml). `model` must be a name linpath builds (e.g. mnist_lenet_300_100,
mnist_lenet_1000_500), and the tensors must be what that model declares. `final` may be null if you do not
evaluate; the aggregate stage then takes the final result from the sweep of the final checkpoint.

Usage: train_lenet.py --data DIR (IDX files, e.g. linpath's fetch_mnist output) --out DIR --setting NAME
       [--model mnist_lenet_300_100] [--steps 200] [--checkpoints 0,10,200] [--lr 0.1] [--batch 128] [--seed 1]
Under linpath the recipe comes from the stage's params ($PIPELINE_PARAMS: {"recipe": {model, steps, lr,
batch_size, checkpoints}, "seed": N}, the seed beside the recipe as the seeds fan-out gives it; a seed inside the recipe
is read too); a flag given on the command line wins.
Needs torch (Debian: python3-torch). Deterministic for a given seed on the CPU.
"""
import argparse
import json
import math
import os
import struct
import sys


def read_idx(path, kind):
    import torch

    with open(path, "rb") as f:
        if kind == "images":
            magic, count, rows, cols = struct.unpack(">IIII", f.read(16))
            assert magic == 0x803, f"{path}: not an IDX image file"
            data = torch.frombuffer(bytearray(f.read()), dtype=torch.uint8).reshape(count, rows * cols)
            return (data.float() / 255.0 - 0.1307) / 0.3081  # torchvision's MNIST normalization, as linpath's
        magic, count = struct.unpack(">II", f.read(8))
        assert magic == 0x801, f"{path}: not an IDX label file"
        return torch.frombuffer(bytearray(f.read()), dtype=torch.uint8).long()


def write_safetensors(path, tensors, metadata):
    """safetensors by hand (no extra package): 8-byte little-endian header length, JSON header, raw float32 data."""
    header, offset, blobs = {"__metadata__": metadata}, 0, []
    for name, tensor in tensors.items():
        data = tensor.detach().contiguous().float().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)  # the format aligns the data to 8 bytes
    write_atomic(path, struct.pack("<Q", len(encoded)) + encoded + b"".join(blobs))


def write_json(path, value):
    write_atomic(path, (json.dumps(value, indent=2) + "\n").encode())


def write_atomic(path, data):
    temp = f"{path}.tmp-{os.getpid()}"
    with open(temp, "wb") as f:
        f.write(data)
    os.replace(temp, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--setting", required=True)
    parser.add_argument("--model")
    parser.add_argument("--steps", type=int)
    parser.add_argument("--checkpoints", help="comma-separated iterations; 0 and --steps are always included")
    parser.add_argument("--lr", type=float)
    parser.add_argument("--batch", type=int)
    parser.add_argument("--seed", type=int)
    args = parser.parse_args()
    recipe = {}
    if os.environ.get("PIPELINE_PARAMS"):
        with open(os.environ["PIPELINE_PARAMS"]) as f:
            params = json.load(f)
        recipe = dict(params.get("recipe", {}))
        if "seed" in params:
            recipe["seed"] = params["seed"]
    pick = lambda flag, key, default: flag if flag is not None else recipe.get(key, default)  # noqa: E731
    args.model = pick(args.model, "model", "mnist_lenet_300_100")
    args.steps = int(pick(args.steps, "steps", 200))
    args.lr = float(pick(args.lr, "lr", 0.1))
    args.batch = int(pick(args.batch, "batch_size", 128))
    args.seed = int(pick(args.seed, "seed", 1))
    listed = args.checkpoints.split(",") if args.checkpoints else recipe.get("checkpoints", [])
    if not args.model.startswith("mnist_lenet_"):
        sys.exit(f"train_lenet.py: --model {args.model}: this example trains mnist_lenet_A_B_… networks")
    import torch
    import torch.nn.functional as F

    torch.manual_seed(args.seed)
    hidden = [int(width) for width in args.model.split("_")[2:]]
    widths = [784, *hidden, 10]
    # nn.Linear layers named fc1 … fcK: exactly the tensor names linpath's LeNet declares.
    model = torch.nn.Module()
    for i in range(len(widths) - 1):
        setattr(model, f"fc{i + 1}", torch.nn.Linear(widths[i], widths[i + 1]))
    layers = [getattr(model, f"fc{i + 1}") for i in range(len(widths) - 1)]

    def logits(x):
        for layer in layers[:-1]:
            x = F.relu(layer(x))
        return layers[-1](x)

    train_x = read_idx(os.path.join(args.data, "train-images-idx3-ubyte"), "images")
    train_y = read_idx(os.path.join(args.data, "train-labels-idx1-ubyte"), "labels")
    test_x = read_idx(os.path.join(args.data, "t10k-images-idx3-ubyte"), "images")
    test_y = read_idx(os.path.join(args.data, "t10k-labels-idx1-ubyte"), "labels")

    def evaluate():
        with torch.no_grad():
            out = logits(test_x)
            loss = F.cross_entropy(out, test_y, reduction="sum").item() / len(test_y)
            accuracy = (out.argmax(1) == test_y).float().mean().item()
        return loss, accuracy

    checkpoints = sorted({0, args.steps, *(int(c) for c in listed if str(c) != "")})
    os.makedirs(os.path.join(args.out, "checkpoints"), exist_ok=True)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    generator = torch.Generator().manual_seed(args.seed)
    order, position, history, since = torch.randperm(len(train_y), generator=generator), 0, [], []
    final = None
    for iteration in range(args.steps + 1):
        if iteration in checkpoints:
            loss, accuracy = evaluate()
            name = os.path.join(args.out, "checkpoints", f"it{iteration}")
            write_safetensors(name + ".safetensors", dict(model.state_dict()), {"format": "pt", "setting": args.setting, "iteration": str(iteration), "model": args.model})
            write_json(name + ".json", {"setting": args.setting, "iteration": iteration, "seed": args.seed, "backend": "pytorch", "test_loss": loss, "test_accuracy": accuracy, "model": args.model})
            if iteration > 0:
                history.append({"iteration": iteration, "train_loss": sum(since) / len(since), "lr": args.lr})
                since = []
            final = {"test_loss": loss, "test_accuracy": accuracy}
        if iteration == args.steps:
            break
        if position + args.batch > len(order):
            order, position = torch.randperm(len(train_y), generator=generator), 0
        batch = order[position : position + args.batch]
        position += args.batch
        optimizer.zero_grad()
        loss = F.cross_entropy(logits(train_x[batch]), train_y[batch])
        loss.backward()
        optimizer.step()
        if not math.isfinite(loss.item()):
            sys.exit(f"train_lenet.py: the training loss became {loss.item()} at iteration {iteration + 1}; lower --lr")
        since.append(loss.item())
    write_json(os.path.join(args.out, "train.json"), {
        "setting": args.setting, "model": args.model, "iterations": checkpoints, "final_iteration": args.steps,
        "seed": args.seed, "backend": "pytorch", "final": final, "history": history,
    })
    print(f"train_lenet.py: {args.setting}: {args.steps} steps, checkpoints {checkpoints}, final test loss {final['test_loss']:.4f}")


if __name__ == "__main__":
    main()
