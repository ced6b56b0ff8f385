#!/usr/bin/env python3
"""(linpath: copied from shared/gpu/probe/torch_probe.py, the reference PyTorch side of GPU benchmarks; the one change is
PROBE_TF32_PASSES.) PyTorch comparator for .gpu/probe.bundle.mjs: the same matmul, LeNet-300-100 sweep, ResNet-20 point and
training (LeNet-300-100 SGD, ResNet-20 SGD+momentum+wd with BatchNorm in training mode), float32, once with TF32
disabled and once with TF32 allowed. One JSON line per result on stdout, appended to $TORCH_JSONL (default
$OUT/torch.jsonl). Falls back to CPU when CUDA is absent (local testing).

Environment: PROBE_SMALL=1 (tiny sizes), PROBE_BUDGET_S (soft time budget, default 100), TORCH_TRAIN_BUDGET_S
(seconds per training run, one per TF32 mode, default 30; reserved so that the other sections cannot starve it),
PROBE_MM_N, PROBE_LENET_N, PROBE_LENET_POINTS, PROBE_RESNET_N, PROBE_RESNET_BATCH, PROBE_TRAIN_* (overrides)."""
import json
import math
import os
import platform
import statistics
import sys
import time
import traceback

import torch
import torch.nn as nn
import torch.nn.functional as F

T0 = time.perf_counter()
SMALL = os.environ.get("PROBE_SMALL") == "1"


def num(k, d):
    v = os.environ.get(k)
    return int(v) if v not in (None, "") else d


CFG = dict(
    mmN=num("PROBE_MM_N", 256 if SMALL else 4096), mmReps=num("PROBE_MM_REPS", 5), mmBatch=num("PROBE_MM_BATCH", 2 if SMALL else 10),
    lenetN=num("PROBE_LENET_N", 1000 if SMALL else 10000), lenetPoints=num("PROBE_LENET_POINTS", 10 if SMALL else 100),
    resN=num("PROBE_RESNET_N", 64 if SMALL else 10000), resBatch=num("PROBE_RESNET_BATCH", 32 if SMALL else 1000),
    resReps=num("PROBE_RESNET_REPS", 3), budgetS=float(os.environ.get("PROBE_BUDGET_S") or 100),
)
OUTFILE = os.environ.get("TORCH_JSONL") or os.path.join(os.environ.get("OUT", "."), "torch.jsonl")
DEV = torch.device("cuda" if torch.cuda.is_available() else "cpu")
DEADLINE = T0 + CFG["budgetS"]
MODE = {"tf32": None, "reserve": 0.0}  # reserve: seconds kept for the training runs still to come


def left():
    return DEADLINE - MODE["reserve"] - time.perf_counter()


def r3(v):
    return round(v, 3) if isinstance(v, float) and math.isfinite(v) else v


def emit(d):
    line = json.dumps({"probe": "torch", "tf32": MODE["tf32"], "t_s": r3(time.perf_counter() - T0), **d})
    print(line, flush=True)
    try:
        with open(OUTFILE, "a") as f:
            f.write(line + "\n")
    except OSError as e:
        print(f"cannot append to {OUTFILE}: {e}", file=sys.stderr)


def sync():
    if DEV.type == "cuda":
        torch.cuda.synchronize()


def set_tf32(on):
    MODE["tf32"] = on
    # legacy flags only (as asked); torch >= 2.9 warns about them but honours them. Never mix with fp32_precision.
    torch.backends.cuda.matmul.allow_tf32 = on
    torch.backends.cudnn.allow_tf32 = on
    eff = {}
    for k, f in (("matmul.allow_tf32", lambda: torch.backends.cuda.matmul.allow_tf32),
                 ("cudnn.allow_tf32", lambda: torch.backends.cudnn.allow_tf32),
                 ("float32_matmul_precision", torch.get_float32_matmul_precision)):
        try:
            eff[k] = f()
        except Exception as e:  # noqa: BLE001
            eff[k] = "error: " + str(e)[:200]
    return eff


def gen(seed):
    g = torch.Generator(device="cpu")
    g.manual_seed(seed)
    return g


def rand(shape, g, lo=0.0, hi=1.0):
    return (torch.rand(shape, generator=g) * (hi - lo) + lo).to(DEV)


def randn(shape, g, std=1.0):
    return (torch.randn(shape, generator=g) * std).to(DEV)


# ---------------- matmul ----------------
def sec_matmul():
    N = CFG["mmN"]
    g = gen(11)
    a = rand((N, N), g, -1, 1)
    b = rand((N, N), g, -1, 1)
    flop = 2.0 * N ** 3
    sync()
    t = time.perf_counter(); c = a @ b; sync(); first = (time.perf_counter() - t) * 1e3
    ref = (a[0:1].double() @ b[:, :8].double()).flatten()
    err = ((c[0, :8].double() - ref).abs() / ref.abs().clamp_min(1e-30)).max().item()
    del c

    def once():
        sync(); t = time.perf_counter(); c = a @ b; sync(); return (time.perf_counter() - t) * 1e3

    warm = once()
    times = []
    for _ in range(CFG["mmReps"]):
        if times and left() < 4 * times[-1] / 1e3:
            break
        times.append(once())
    med = statistics.median(times)
    queued = None
    if left() > 10 * med * CFG["mmBatch"] / 1e3:
        sync(); t = time.perf_counter()
        cs = [a @ b for _ in range(CFG["mmBatch"])]
        sync(); dt = (time.perf_counter() - t) * 1e3
        del cs
        queued = {"n": CFG["mmBatch"], "total_ms": r3(dt), "gflops": r3(flop * CFG["mmBatch"] / (dt / 1e3) / 1e9)}
    emit({"test": "matmul", "ok": True, "N": N, "dtype": "float32", "first_call_ms": r3(first), "warmup_ms": r3(warm),
          "times_ms": [r3(x) for x in times], "median_ms": r3(med), "gflops": r3(flop / (med / 1e3) / 1e9), "queued": queued,
          "check_row0_first8": {"max_rel_err": err}})


# ---------------- LeNet-300-100 ----------------
LENET_SHAPES = [(784, 300), (300,), (300, 100), (100,), (100, 10), (10,)]


def lenet_params(seed):
    g = gen(seed)
    return [randn(s, g, math.sqrt(2.0 / s[0])) if len(s) == 2 else randn(s, g, 0.05) for s in LENET_SHAPES]


def lenet_logits(P, X):
    h = torch.relu(torch.addmm(P[1], X, P[0]))
    h = torch.relu(torch.addmm(P[3], h, P[2]))
    return torch.addmm(P[5], h, P[4])


def lerp(A, B, x):
    return [(1 - x) * a + x * b for a, b in zip(A, B)]


@torch.inference_mode()
def sec_lenet():
    N, P = CFG["lenetN"], CFG["lenetPoints"]
    g = gen(21)
    X = rand((N, 784), g)
    y = torch.randint(0, 10, (N,), generator=g).to(DEV)
    th0, th1 = lenet_params(1), lenet_params(2)

    def point(x):
        logits = lenet_logits(lerp(th0, th1, x), X)
        return torch.stack([F.cross_entropy(logits, y), (logits.argmax(1) != y).float().mean()])

    xs = [i / (P - 1) if P > 1 else 0.0 for i in range(P)]
    sync(); t = time.perf_counter(); point(0.0).tolist(); warm = (time.perf_counter() - t) * 1e3
    res = []
    sync(); t = time.perf_counter()
    for x in xs:
        if res and left() < 0:
            break  # out of budget: report the points done
        res.append(point(x).tolist())  # .tolist() syncs: one read-back per point
    total_sync = time.perf_counter() - t
    done = len(res)
    total_q = None
    if done == P and left() > 3 * total_sync:
        sync(); t = time.perf_counter()
        v = torch.stack([point(x) for x in xs]).cpu()
        total_q = time.perf_counter() - t
        del v
    pick = lambda i: {"x": r3(xs[i]), "loss": r3(res[i][0]), "err": r3(res[i][1])}  # noqa: E731
    emit({"test": "lenet_sweep", "ok": True, "n_inputs": N, "n_points": P, "warmup_point_ms": r3(warm),
          "total_s_sync_each": r3(total_sync), "per_point_ms": r3(total_sync * 1e3 / done), "points_done": done,
          "total_s_queued": r3(total_q) if total_q is not None else None, "points": [pick(0), pick((done - 1) // 2), pick(done - 1)]})


# ---------------- ResNet-20 (CIFAR; 1x1 conv+BN shortcut; NCHW) ----------------
def resnet_spec():
    spec = []

    def conv(name, k, cin, cout):
        spec.append((name, (cout, cin, k, k), "he", k * k * cin))

    def bn(name, c):
        spec.extend([(name + ".gamma", (c,), "gamma", 0), (name + ".beta", (c,), "beta", 0),
                     (name + ".mean", (c,), "mean", 0), (name + ".var", (c,), "var", 0)])

    conv("conv1", 3, 3, 16); bn("bn1", 16)
    cin = 16
    for s, cout in enumerate([16, 32, 64]):
        for b in range(3):
            stride = 2 if (s > 0 and b == 0) else 1
            p = f"s{s}b{b}"
            conv(p + ".conv1", 3, cin, cout); bn(p + ".bn1", cout)
            conv(p + ".conv2", 3, cout, cout); bn(p + ".bn2", cout)
            if stride != 1 or cin != cout:
                conv(p + ".sc", 1, cin, cout); bn(p + ".scbn", cout)
            cin = cout
    spec.append(("fc.w", (10, 64), "he", 64))
    spec.append(("fc.b", (10,), "small", 0))
    return spec


SPEC = resnet_spec()
N_PARAMS = sum(math.prod(s) for n, s, k, _ in SPEC if k not in ("mean", "var"))


def resnet_params(seed):
    g = gen(seed)
    out = {}
    for name, shape, kind, fan in SPEC:
        if kind == "he":
            out[name] = randn(shape, g, math.sqrt(2.0 / fan))
        elif kind in ("gamma", "var"):
            out[name] = rand(shape, g, 0.5, 1.5)
        elif kind in ("beta", "mean"):
            out[name] = randn(shape, g, 0.1)
        else:
            out[name] = randn(shape, g, 0.05)
    return out


def resnet_logits(P, x):
    def bn(t, n):
        return F.batch_norm(t, P[n + ".mean"], P[n + ".var"], P[n + ".gamma"], P[n + ".beta"], False, 0.0, 1e-5)

    def conv(t, n, s):
        w = P[n]
        return F.conv2d(t, w, stride=s, padding=1 if w.shape[-1] == 3 else 0)

    h = torch.relu(bn(conv(x, "conv1", 1), "bn1"))
    for s in range(3):
        for b in range(3):
            stride = 2 if (s > 0 and b == 0) else 1
            p = f"s{s}b{b}"
            o = torch.relu(bn(conv(h, p + ".conv1", stride), p + ".bn1"))
            o = bn(conv(o, p + ".conv2", 1), p + ".bn2")
            sc = bn(conv(h, p + ".sc", stride), p + ".scbn") if (p + ".sc") in P else h
            h = torch.relu(o + sc)
    return F.linear(h.mean((2, 3)), P["fc.w"], P["fc.b"])


def resnet_flops():
    hw, f, cin = 32 * 32, 2 * 9 * 3 * 16 * 32 * 32, 16
    for s, cout in enumerate([16, 32, 64]):
        for b in range(3):
            stride = 2 if (s > 0 and b == 0) else 1
            if stride == 2:
                hw //= 4
            f += 2 * 9 * cin * cout * hw + 2 * 9 * cout * cout * hw
            if stride != 1 or cin != cout:
                f += 2 * cin * cout * hw
            cin = cout
    return f + 2 * 64 * 10


@torch.inference_mode()
def sec_resnet():
    N, B = CFG["resN"], CFG["resBatch"]
    g = gen(31)
    X = rand((N, 3, 32, 32), g)
    y = torch.randint(0, 10, (N,), generator=g).to(DEV)
    th0, th1 = resnet_params(1), resnet_params(2)

    def point(x, guarded=False):
        # guarded (warm-up): sync after every batch and stop when the time budget runs out
        P = {k: (1 - x) * th0[k] + x * th1[k] for k in th0}
        acc = torch.zeros(2, device=DEV)
        done, batch_ms = 0, []
        for i in range(0, N, B):
            if guarded and done and left() < 0:
                break
            tb = time.perf_counter()
            logits = resnet_logits(P, X[i:i + B])
            yb = y[i:i + B]
            acc += torch.stack([F.cross_entropy(logits, yb, reduction="sum"), (logits.argmax(1) != yb).float().sum()])
            done += yb.shape[0]
            if guarded:
                sync()
                batch_ms.append((time.perf_counter() - tb) * 1e3)
        v = acc.tolist()  # sync
        return {"loss": v[0] / done, "err": v[1] / done, "done": done, "batch_ms": batch_ms}

    sync(); t = time.perf_counter(); w = point(0.5, True); warm = (time.perf_counter() - t) * 1e3
    times, last = [], w
    for _ in range(CFG["resReps"] if w["done"] == N else 0):
        if left() < 1.5 * (times[-1] if times else warm / 1e3):
            break
        sync(); t = time.perf_counter(); last = point(0.5); times.append(time.perf_counter() - t)
    estimate = None
    if times:
        med = statistics.median(times)
    else:  # no timed repetition fitted: estimate a point from the warm-up's batches after the first
        rest = w["batch_ms"][1:] or w["batch_ms"][:1]
        med = statistics.median(rest) / 1e3 * math.ceil(N / B)
        estimate = f"from warm-up batches ({w['done']}/{N} images done)"
    fl = resnet_flops()
    emit({"test": "resnet20_point", "ok": True, "n_images": N, "batch": B, "params": N_PARAMS, "x": 0.5, "warmup_ms": r3(warm),
          "warmup_batch_ms": [r3(v) for v in w["batch_ms"]], "times_ms": [r3(t * 1e3) for t in times], "estimate": estimate,
          "median_s": r3(med), "sweep100_extrapolated_s": r3(100 * med),
          "images_per_s": r3(N / med), "gflops_forward": r3(fl * N / med / 1e9), "flop_per_image": fl,
          "loss": r3(last["loss"]), "err": r3(last["err"]), "layout": "NCHW", "cudnn_benchmark": torch.backends.cudnn.benchmark})


# ---------------- training ----------------
# LeNet-300-100 (plain SGD) and ResNet-20 (SGD momentum 0.9, weight decay 1e-4, nn.BatchNorm2d in training mode) as
# plain nn.Modules, on batches kept resident on the device and cycled. Warm-up steps are synced one by one (compile /
# cudnn autotuning; they predict whether the timed steps fit); the timed steps run back to back, one sync at the end.
EPOCH_CIFAR, RECIPE_CIFAR, EPOCH_MNIST = 391, 62560, 469
TCFG = dict(
    nbatches=num("PROBE_TRAIN_NBATCHES", 8 if SMALL else 60),
    lenetBatch=num("PROBE_TRAIN_LENET_BATCH", 128), lenetWarm=num("PROBE_TRAIN_LENET_WARMUP", 5 if SMALL else 20),
    lenetSteps=num("PROBE_TRAIN_LENET_STEPS", 40 if SMALL else 200),
    resBatch=num("PROBE_TRAIN_RESNET_BATCH", 8 if SMALL else 128), resWarm=num("PROBE_TRAIN_RESNET_WARMUP", 2 if SMALL else 10),
    resSteps=num("PROBE_TRAIN_RESNET_STEPS", 3 if SMALL else 50),
    budgetS=float(os.environ.get("TORCH_TRAIN_BUDGET_S") or 30),  # per pass (TF32 off, TF32 on)
)


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(784, 300), nn.Linear(300, 100), nn.Linear(100, 10)
        for m in (self.fc1, self.fc2, self.fc3):  # same init as the webgpu probe: He normal, bias N(0, 0.05)
            nn.init.normal_(m.weight, 0.0, math.sqrt(2.0 / m.in_features))
            nn.init.normal_(m.bias, 0.0, 0.05)

    def forward(self, x):
        return self.fc3(torch.relu(self.fc2(torch.relu(self.fc1(x)))))


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.sc = None
        if stride != 1 or cin != cout:  # 1x1 conv + BN shortcut, as in the webgpu probe
            self.sc = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, 0, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        o = torch.relu(self.bn1(self.conv1(x)))
        o = self.bn2(self.conv2(o))
        return torch.relu(o + (self.sc(x) if self.sc is not None else x))


class ResNet20(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        blocks, cin = [], 16
        for s, cout in enumerate([16, 32, 64]):
            for b in range(3):
                blocks.append(Block(cin, cout, 2 if (s > 0 and b == 0) else 1))
                cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(64, 10)
        for m in self.modules():  # same init as the webgpu probe: He normal convs/fc, gamma 1, beta 0, fc bias 0
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight); nn.init.zeros_(m.bias)
        nn.init.normal_(self.fc.weight, 0.0, math.sqrt(2.0 / 64)); nn.init.zeros_(self.fc.bias)

    def forward(self, x):
        h = self.blocks(torch.relu(self.bn1(self.conv1(x))))
        return self.fc(h.mean((2, 3)))


def train_run(model, opt, Xs, Ys, n_warm, n_steps, limit):
    """limit: absolute perf_counter deadline. Returns the timing dict (steps=0 when the timed run did not fit)."""
    nb = Xs.shape[0]
    model.train()

    def step(i):
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(Xs[i % nb]), Ys[i % nb])
        loss.backward()
        opt.step()
        return loss.detach()

    warm_ms, loss_first, loss_warm = [], None, None
    for i in range(max(1, n_warm)):
        sync(); t = time.perf_counter(); v = step(i).item(); warm_ms.append((time.perf_counter() - t) * 1e3)
        loss_first = v if i == 0 else loss_first
        loss_warm = v
        if time.perf_counter() > limit:
            break
    per = statistics.median(warm_ms[2:]) if len(warm_ms) > 2 else warm_ms[-1]
    n, reduced = n_steps, None
    avail = (limit - time.perf_counter()) * 1e3
    if per * n > 0.8 * avail:
        n = max(0, int(0.8 * avail / per))
        reduced = f"time budget: {n} of {n_steps} timed steps fit (~{per:.3f} ms/step from warm-up)"
    res = {"warmup_steps": len(warm_ms), "warmup_step_ms": [r3(v) for v in warm_ms], "warmup_per_step_ms": r3(per),
           "loss_first": r3(loss_first), "loss_after_warmup": r3(loss_warm), "steps_target": n_steps, "steps": 0, "reduced": reduced}
    if n < max(1, min(5, n_steps)):
        res.update(ms_per_step=r3(per), estimate="from synced warm-up steps (timed run skipped)", loss_last=r3(loss_warm))
        return res
    if DEV.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    sync(); t = time.perf_counter()
    for i in range(n):
        last = step(n_warm + i)
    v = last.item()  # the only sync
    total = time.perf_counter() - t
    res.update(steps=n, total_s=r3(total), ms_per_step=r3(total * 1e3 / n), steps_per_s=r3(n / total), loss_last=r3(v))
    if DEV.type == "cuda":
        res["cuda_max_memory_allocated_mib"] = r3(torch.cuda.max_memory_allocated() / 2 ** 20)
    return res


def train_lenet(limit):
    B, NB = TCFG["lenetBatch"], TCFG["nbatches"]
    g = gen(81)
    torch.manual_seed(3)
    W = torch.randn((784, 10), generator=g).to(DEV)
    X = rand((NB, B, 784), g, -1, 1)  # centred, like normalised pixels
    Y = (X.double() @ W.double()).argmax(-1)  # learnable target: argmax of a fixed random linear map of the inputs
    model = LeNet().to(DEV)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with torch.no_grad():
        before = F.cross_entropy(model(X[0]), Y[0]).item()
    res = train_run(model, opt, X, Y, TCFG["lenetWarm"], TCFG["lenetSteps"], limit)
    with torch.no_grad():
        after = F.cross_entropy(model(X[0]), Y[0]).item()
    ms = res.get("ms_per_step")
    emit({"test": "lenet_train", "ok": res["steps"] > 0, "model": "LeNet-300-100", "optimizer": "sgd lr 0.1", "batch": B,
          "resident_batches": NB, **res, "loss_batch0_before": r3(before), "loss_batch0_after": r3(after),
          "images_per_s": r3(B * 1e3 / ms) if ms else None, "mnist_epoch_469_steps_s": r3(EPOCH_MNIST * ms / 1e3) if ms else None,
          "cudnn_benchmark": torch.backends.cudnn.benchmark})


def train_resnet(limit):
    B, NB = TCFG["resBatch"], TCFG["nbatches"]
    g = gen(82)
    torch.manual_seed(6)
    T = torch.rand((10, 3, 32, 32), generator=g)
    Y = torch.randint(0, 10, (NB, B), generator=g)
    X = (0.5 * torch.rand((NB, B, 3, 32, 32), generator=g) + 0.5 * T[Y]).to(DEV)  # learnable: noise + label template
    Y = Y.to(DEV)
    model = ResNet20().to(DEV)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    res = train_run(model, opt, X, Y, TCFG["resWarm"], TCFG["resSteps"], limit)
    ms = res.get("ms_per_step")
    n_params = sum(p.numel() for p in model.parameters())
    emit({"test": "resnet20_train", "ok": res["steps"] > 0, "model": "ResNet-20 (CIFAR, nn.BatchNorm2d train mode)", "params": n_params,
          "optimizer": "sgd lr 0.1 momentum 0.9 wd 1e-4", "batch": B, "resident_batches": NB, "layout": "NCHW", **res,
          "images_per_s": r3(B * 1e3 / ms) if ms else None, "gflops_train_approx": r3(3 * resnet_flops() * B / (ms / 1e3) / 1e9) if ms else None,
          "epoch_391_steps_s": r3(EPOCH_CIFAR * ms / 1e3) if ms else None,
          "recipe_160ep_62560_steps_s": r3(RECIPE_CIFAR * ms / 1e3) if ms else None, "recipe_160ep_h": r3(RECIPE_CIFAR * ms / 3.6e6) if ms else None,
          "extrapolation_note": None if B == 128 else f"batch {B}, not 128: epoch/recipe figures are per {B}-image step",
          "running_mean_abs_s2b2_bn2": r3(model.blocks[8].bn2.running_mean.abs().mean().item()),
          "cudnn_benchmark": torch.backends.cudnn.benchmark})


def sec_train(extra_no_benchmark=False):
    """LeNet gets at most 30% of this run's time, ResNet-20 the rest; with extra_no_benchmark (CUDA, TF32 off) a
    second ResNet-20 run with cudnn.benchmark=False follows, time allowing."""
    t0 = time.perf_counter()
    limit = t0 + min(TCFG["budgetS"], max(0.0, left()))
    train_lenet(t0 + 0.3 * (limit - t0))
    if limit - time.perf_counter() > 3:
        rest = limit - time.perf_counter()
        train_resnet(time.perf_counter() + (0.6 * rest if extra_no_benchmark else rest))
    else:
        emit({"test": "resnet20_train", "ok": False, "skipped": "time budget"})
    if extra_no_benchmark and limit - time.perf_counter() > 3:
        old = torch.backends.cudnn.benchmark
        torch.backends.cudnn.benchmark = False
        try:
            train_resnet(limit)
        finally:
            torch.backends.cudnn.benchmark = old


def main():
    MODE["tf32"] = None
    info = {"test": "env", "torch": torch.__version__, "python": platform.python_version(), "device": str(DEV),
            "cuda_runtime": torch.version.cuda, "cudnn": torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None,
            "threads": torch.get_num_threads(), **CFG, "out": OUTFILE}
    if DEV.type == "cuda":
        info["gpu"] = torch.cuda.get_device_name(0)
        torch.backends.cudnn.benchmark = True
    emit(info)
    emit({"test": "train_config", **TCFG})
    fails = 0
    passes = (False, True) if DEV.type == "cuda" else (False,)  # TF32 is meaningless on CPU
    # linpath: the comparisons are fp32 with TF32 off; PROBE_TF32_PASSES=off skips the TF32-on pass.
    if os.environ.get("PROBE_TF32_PASSES") == "off":
        passes = (False,)
    n_train = len(passes)  # training runs still to come; each keeps up to TCFG["budgetS"] from the sections before it
    for tf32 in passes:
        eff = set_tf32(tf32)
        emit({"test": "tf32_mode", **eff})
        for name, fn in (("matmul", sec_matmul), ("lenet", sec_lenet), ("resnet", sec_resnet),
                         ("train", lambda: sec_train(extra_no_benchmark=(DEV.type == "cuda" and not tf32)))):
            if name == "train":
                n_train -= 1
            MODE["reserve"] = min(TCFG["budgetS"] * n_train, 0.6 * CFG["budgetS"])
            if left() <= 0:
                emit({"test": name, "ok": False, "skipped": "time budget exhausted"})
                continue
            try:
                fn()
            except Exception:  # noqa: BLE001
                fails += 1
                emit({"test": name, "ok": False, "error": traceback.format_exc()[-3000:]})
            if DEV.type == "cuda":
                torch.cuda.empty_cache()
    MODE["reserve"] = 0.0
    MODE["tf32"] = None
    emit({"test": "done", "ok": fails == 0, "failures": fails, "total_s": r3(time.perf_counter() - T0)})
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
