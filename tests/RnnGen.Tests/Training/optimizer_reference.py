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
