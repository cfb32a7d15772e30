# Reference values for tests/RnnGen.Tests/Training/*.cs, computed with PyTorch (float32; the hard-coded values
# come from Debian's python3-torch 1.13.1, single-tensor optimizer path on CPU).
# Run: /usr/bin/python3 tests/RnnGen.Tests/Training/optimizer_reference.py
# Prints C# array literals that are pasted into OptimizerReferenceTests.cs, GradientClippingTests.cs and LossTests.cs.
# All inputs are exactly representable in float32 so C# and Python start from identical bits.
import torch

torch.set_printoptions(precision=10)
P = 19  # > one Vector<float> (8 or 16 lanes) so both the SIMD body and the scalar tail are exercised


def params0():
    return torch.tensor([(i - 9) * 0.125 for i in range(P)], dtype=torch.float32)


def grad(k):  # gradient fed at step k (k = 0, 1, 2)
    return torch.tensor([(((i * 7 + k * 3) % 11) - 5) * 0.0625 for i in range(P)], dtype=torch.float32)


def fmt(t):
    return "{ " + ", ".join("%.9gf" % v for v in t.tolist()) + " }"


def run(name, make, state_keys):
    p = torch.nn.Parameter(params0())
    opt = make([p])
    print("// %s" % name)
    for k in range(3):
        opt.zero_grad()
        p.grad = grad(k).clone()
        opt.step()
        print("// after step %d" % (k + 1))
        print(fmt(p.detach()) + ",")
    st = opt.state[p]
    for key in state_keys:
        print("// state %s after 3 steps" % key)
        print(fmt(st[key]) + ",")
    print()


run("SGD lr=0.1", lambda ps: torch.optim.SGD(ps, lr=0.1), [])
run("SGD lr=0.1 momentum=0.9 dampening=0.5",
    lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.5), ["momentum_buffer"])
run("SGD lr=0.05 momentum=0.8 nesterov=True weight_decay=0.01",
    lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.01), ["momentum_buffer"])
run("Adam lr=0.01 weight_decay=0.1",
    lambda ps: torch.optim.Adam(ps, lr=0.01, weight_decay=0.1), ["exp_avg", "exp_avg_sq"])
run("Adam defaults (lr=1e-3)", lambda ps: torch.optim.Adam(ps), [])
run("AdamW lr=0.01 (default weight_decay=0.01)",
    lambda ps: torch.optim.AdamW(ps, lr=0.01), ["exp_avg", "exp_avg_sq"])
run("AdamW lr=0.02 betas=(0.8,0.99) eps=1e-6 weight_decay=0.1",
    lambda ps: torch.optim.AdamW(ps, lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1), [])

# ---- gradient clipping ----
g = torch.tensor([3.0, -4.0, 12.0], dtype=torch.float32)  # norm 13
for max_norm in (5.0, 20.0):
    p = torch.nn.Parameter(torch.zeros(3))
    p.grad = g.clone()
    n = torch.nn.utils.clip_grad_norm_([p], max_norm)
    print("// clip_grad_norm_ max_norm=%g: total_norm=%.9g grads=%s" % (max_norm, n.item(), fmt(p.grad)))
p = torch.nn.Parameter(torch.zeros(3))
p.grad = g.clone()
torch.nn.utils.clip_grad_value_([p], 3.5)
print("// clip_grad_value_ 3.5: %s" % fmt(p.grad))
p = torch.nn.Parameter(torch.zeros(3))
p.grad = torch.tensor([1.0, float("nan"), 2.0])
n = torch.nn.utils.clip_grad_norm_([p], 1.0)
print("// clip_grad_norm_ with NaN: total_norm=%s grads=%s" % (n.item(), p.grad.tolist()))
print()

# ---- losses ----
pred = torch.tensor([[0.5, -1.25, 2.0, 0.75], [1.5, 0.25, -0.5, 3.0], [-2.0, 0.0, 1.0, -0.25]], requires_grad=True)
tgt = torch.tensor([[1.0, -1.0, 0.5, 0.0], [2.0, 0.5, -1.0, 1.0], [-1.5, 0.25, 0.75, 0.0]])
l = torch.nn.functional.mse_loss(pred, tgt)
l.backward()
print("// MSE loss %.9g" % l.item())
print(fmt(pred.grad.flatten()) + ",")

z = torch.tensor([[0.5, -1.25, 2.0, 0.75], [1.5, 0.25, -0.5, 3.0], [-20.0, 0.0, 1000.0, -1000.0]], requires_grad=True)
t = torch.tensor([[1.0, 0.0, 0.25, 1.0], [0.0, 0.5, 1.0, 0.75], [1.0, 0.0, 0.0, 1.0]])
l = torch.nn.functional.binary_cross_entropy_with_logits(z, t)
l.backward()
print("// BCEWithLogits loss %.9g" % l.item())
print(fmt(z.grad.flatten()) + ",")
print("// sigmoid " + fmt(torch.sigmoid(z.detach()).flatten()))

zc = torch.tensor([[0.5, -1.25, 2.0, 0.75, 0.0], [1.5, 0.25, -0.5, 3.0, 1.0],
                   [1000.0, -1000.0, 0.0, 999.0, 500.0], [-3.0, -2.0, -1.0, -4.0, -5.0]], requires_grad=True)
tc = torch.tensor([2, 0, 1, 4])
l = torch.nn.functional.cross_entropy(zc, tc)
l.backward()
print("// CrossEntropy loss %.9g" % l.item())
print(fmt(zc.grad.flatten()) + ",")
print("// softmax " + fmt(torch.softmax(zc.detach(), dim=1).flatten()) + ",")

# ---- RMSprop and Adagrad (RmsPropTests.cs, AdagradTests.cs) ----
run("RMSprop lr=0.01 (defaults alpha=0.99 eps=1e-8)",
    lambda ps: torch.optim.RMSprop(ps, lr=0.01), ["square_avg"])
run("RMSprop lr=0.005 alpha=0.9 momentum=0.5",
    lambda ps: torch.optim.RMSprop(ps, lr=0.005, alpha=0.9, momentum=0.5), ["square_avg", "momentum_buffer"])
run("RMSprop lr=0.01 centered=True weight_decay=0.1 eps=1e-6",
    lambda ps: torch.optim.RMSprop(ps, lr=0.01, centered=True, weight_decay=0.1, eps=1e-6), ["square_avg", "grad_avg"])
run("RMSprop lr=0.02 alpha=0.8 eps=1e-4 weight_decay=0.05 momentum=0.9 centered=True",
    lambda ps: torch.optim.RMSprop(ps, lr=0.02, alpha=0.8, eps=1e-4, weight_decay=0.05, momentum=0.9, centered=True),
    ["square_avg", "momentum_buffer", "grad_avg"])
run("Adagrad defaults (lr=0.01)", lambda ps: torch.optim.Adagrad(ps), ["sum"])
run("Adagrad lr=0.1 lr_decay=0.5 weight_decay=0.1 initial_accumulator_value=0.25 eps=1e-6",
    lambda ps: torch.optim.Adagrad(ps, lr=0.1, lr_decay=0.5, weight_decay=0.1, initial_accumulator_value=0.25, eps=1e-6),
    ["sum"])

# ---- learning-rate schedules (ScheduleTests.cs) ----
# lr used by optimizer step k (0-based), k = 0 .. 24, base lr 0.1. "closed" is _get_closed_form_lr() at
# last_epoch = k (what RnnGen implements); "chained" is the usual loop: read lr, opt.step(), sched.step().
import math
import warnings
from torch.optim import lr_scheduler as S

N = 25


def chained(make):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=0.1)
    sched = make(opt)
    out = []
    for k in range(N):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return out


def closed(make):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=0.1)
    sched = make(opt)
    out = []
    for k in range(N):
        sched.last_epoch = k
        out.append(sched._get_closed_form_lr()[0])
    return out


def fmt_lr(values):
    return "{ " + ", ".join("%.9gf" % v for v in values) + " }"


def schedule(name, make, closed_values=None):
    c = closed_values if closed_values is not None else closed(make)
    ch = chained(make)
    print("// %s closed form" % name)
    print(fmt_lr(c) + ",")
    diff = max(abs(a - b) / max(abs(a), 1e-30) for a, b in zip(c, ch))
    same32 = all(torch.tensor(a, dtype=torch.float32).item() == torch.tensor(b, dtype=torch.float32).item()
                 for a, b in zip(c, ch))
    print("// chained vs closed: max relative difference %.3g (double), identical after float32 cast: %s" % (diff, same32))
    if not same32:
        print("// chained " + fmt_lr(ch))


with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    schedule("StepLR step_size=5 gamma=0.5", lambda o: S.StepLR(o, step_size=5, gamma=0.5))
    schedule("StepLR step_size=3 gamma=0.1", lambda o: S.StepLR(o, step_size=3, gamma=0.1))
    schedule("ExponentialLR gamma=0.9", lambda o: S.ExponentialLR(o, gamma=0.9))
    schedule("CosineAnnealingLR T_max=10 eta_min=0.001", lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001))
    schedule("CosineAnnealingLR T_max=7 eta_min=0", lambda o: S.CosineAnnealingLR(o, T_max=7))
    schedule("LinearLR start_factor=0.25 total_iters=8", lambda o: S.LinearLR(o, start_factor=0.25, total_iters=8))
    # warm-up + cosine: SequentialLR; its closed form is LinearLR's closed form before the milestone and the
    # cosine's closed form at (k - milestone) after it.
    lin = closed(lambda o: S.LinearLR(o, start_factor=0.1, total_iters=5))
    cos = closed(lambda o: S.CosineAnnealingLR(o, T_max=15, eta_min=0.002))
    schedule("SequentialLR [LinearLR start_factor=0.1 total_iters=5, CosineAnnealingLR T_max=15 eta_min=0.002] milestones=[5]",
             lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, total_iters=5),
                                          S.CosineAnnealingLR(o, T_max=15, eta_min=0.002)], milestones=[5]),
             closed_values=[lin[k] if k < 5 else cos[k - 5] for k in range(N)])
    # Long-run drift of the chained forms (not tested; quoted in docs/training.md).
    for name, make, closed_fn in [
            ("ExponentialLR gamma=0.999", lambda o: S.ExponentialLR(o, gamma=0.999), lambda k: 0.1 * 0.999 ** k),
            ("CosineAnnealingLR T_max=1000", lambda o: S.CosineAnnealingLR(o, T_max=1000),
             lambda k: 0 + (0.1 - 0) * (1 + math.cos(math.pi * k / 1000)) / 2)]:
        p = torch.nn.Parameter(torch.zeros(1))
        opt = torch.optim.SGD([p], lr=0.1)
        sched = make(opt)
        worst, worst32 = 0.0, 0
        for k in range(1000):
            a, b = opt.param_groups[0]["lr"], closed_fn(k)
            if b != 0:
                worst = max(worst, abs(a - b) / b)
            if torch.tensor(a).float().item() != torch.tensor(b).float().item():
                worst32 += 1
            opt.step()
            sched.step()
        print("// drift over 1000 steps, %s: max relative %.3g, steps whose float32 lr differs: %d" % (name, worst, worst32))
