#!/usr/bin/python3
"""Interop test against the real PyTorch (Meson suite 'interop').

    /usr/bin/python3 tests/torch_interop.py --program BUILD/tests/torch_interop \\
        --tool tools/torch_to_fixnet.py --workdir DIR

1. PyTorch -> fixnet: builds nn.Sequential models with seeded random
   weights (2-4-3 sigmoid/softmax, 784-50-10 sigmoid/softmax, a 4-Linear mix
   of ReLU, Dropout, Tanh and Sigmoid, a bias-free 2-4-1), writes each
   state_dict as a safetensors file and 300 seeded random inputs with
   PyTorch's outputs (after the softmax or sigmoid the fixnet type ends in);
   `torch_interop check` loads each with fixnet::load and compares.
2. fixnet -> PyTorch: `torch_interop train` trains each fixnet type for a few
   steps and saves it with fixnet::save, with inputs and its outputs; here
   each file is loaded into the same nn.Sequential with
   load_state_dict(strict=True) and PyTorch's outputs are compared.
3. tools/torch_to_fixnet.py: run on saved modules and a state_dict, its
   printed type must be the C++ type (as `torch_interop types` spells it) and
   fixnet must load what it wrote and agree with PyTorch; modules fixnet
   cannot express must be refused with a message naming them.

Outputs agree when |fixnet - torch| <= 1e-6 |torch| + 1e-7, in both
directions (tests/torch_interop.cpp says why). Control cases check that the
comparisons fail when an output is off by 1e-5 relative.

Exit status: 0 pass, 1 fail, 77 (Meson's SKIP) when this interpreter cannot
import torch (Debian: apt-get install python3-torch).
"""

import importlib.util
import os
import sys

import driver_support
from driver_support import SKIP, Failure

RELATIVE, ABSOLUTE = 1e-6, 1e-7
SAMPLES = 300

try:
    import torch
    from torch import nn
except ImportError as e:
    print(f"SKIP: {sys.executable} cannot import torch ({e}); on Debian: apt-get install python3-torch")
    sys.exit(SKIP)


failures = []


def expect(condition, message):
    if condition:
        return
    failures.append(message)
    print(f"FAIL: {message}", flush=True)


# name: (the nn.Sequential, the function fixnet's output activation adds
# after it, the inputs' range); the fixnet types are in torch_interop.cpp.
def build_models():
    softmax = lambda y: torch.softmax(y, dim=1)  # noqa: E731
    return {
        "blobs": (nn.Sequential(nn.Linear(2, 4), nn.Sigmoid(), nn.Linear(4, 3)), softmax, (-3, 3)),
        "mnist": (nn.Sequential(nn.Linear(784, 50), nn.Sigmoid(), nn.Linear(50, 10)), softmax, (0, 1)),
        "mixed": (nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 12), nn.Tanh(),
                                nn.Linear(12, 8), nn.Sigmoid(), nn.Linear(8, 5)), None, (-2, 2)),
        "nobias": (nn.Sequential(nn.Linear(2, 4, bias=False), nn.Tanh(), nn.Linear(4, 1, bias=False)),
                   torch.sigmoid, (-3, 3)),
    }


def randomize(model, seed):
    """Seeded random parameters, a little larger than PyTorch's default
    initialisation so that the activations leave their linear ranges."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            bound = 2.0 / p.shape[-1] ** 0.5
            p.copy_(torch.rand(p.shape, generator=generator) * 2 * bound - bound)
    return model.eval()


def inputs_for(width, value_range, seed):
    low, high = value_range
    generator = torch.Generator().manual_seed(seed)
    return torch.rand(SAMPLES, width, generator=generator) * (high - low) + low


def outputs_of(model, after, x):
    with torch.no_grad():
        y = model(x)
        return after(y) if after else y


def compare(fixnet, pytorch):
    """(max relative, max absolute difference, outputs out of tolerance,
    largest share of the tolerance used), PyTorch's value as the reference;
    a NaN counts as out of tolerance."""
    f, t = fixnet.double(), pytorch.double()
    diff = (f - t).abs()
    nonzero = t != 0
    relative = (diff[nonzero] / t[nonzero].abs()).max().item() if nonzero.any() else 0.0
    tolerance = RELATIVE * t.abs() + ABSOLUTE
    bad = ~(diff <= tolerance)
    return relative, diff.max().item(), int(bad.sum().item()), (diff / tolerance).max().item()


def run(command, expect_status=0):
    result = driver_support.run_shown(command)
    if expect_status is not None and result.returncode != expect_status:
        raise Failure(f"{' '.join(map(str, command))} exited with {result.returncode}, expected {expect_status}")
    return result


def main():
    parser = driver_support.argument_parser(__doc__)
    parser.add_argument("--program", required=True, help="the torch_interop executable")
    parser.add_argument("--tool", required=True, help="tools/torch_to_fixnet.py")
    parser.add_argument("--workdir", required=True, help="directory for the files exchanged")
    args = parser.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    work = lambda name: os.path.join(args.workdir, name)  # noqa: E731

    spec = importlib.util.spec_from_file_location("torch_to_fixnet", args.tool)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)

    print(f"torch {torch.__version__}, tolerance {RELATIVE} relative + {ABSOLUTE} absolute", flush=True)
    types = dict(line.split(" ", 1) for line in run([args.program, "types"]).stdout.splitlines())
    torch.manual_seed(0)
    models = build_models()

    # 1. PyTorch -> fixnet.
    print("\n== PyTorch -> fixnet (fixnet::load) ==", flush=True)
    cases = {}
    for seed, (name, (model, after, value_range)) in enumerate(models.items(), start=1):
        randomize(model, seed)
        x = inputs_for(model[0].in_features, value_range, 100 + seed)
        y = outputs_of(model, after, x)
        tool.write_safetensors(work(f"{name}.torch.safetensors"), model.state_dict(), {"format": "pt"})
        cases[name] = work(f"{name}.torch.cases.safetensors")
        tool.write_safetensors(cases[name], {"inputs": x, "outputs": y})
        result = run([args.program, "check", name, work(f"{name}.torch.safetensors"), cases[name]], None)
        expect(result.returncode == 0, f"{name}: fixnet's outputs differ from PyTorch's")

    # Control: an output off by 1e-5 relative (ten times the tolerance) must
    # fail the C++ comparison.
    x, y = (tool.read_safetensors(cases["blobs"])[0][k] for k in ("inputs", "outputs"))
    y = y.clone()
    y[7, 1] *= 1 + 1e-5
    tool.write_safetensors(work("blobs.control.safetensors"), {"inputs": x, "outputs": y})
    result = run([args.program, "check", "blobs", work("blobs.torch.safetensors"),
                  work("blobs.control.safetensors")], None)
    expect(result.returncode == 1, "control: the C++ comparison accepted an output off by 1e-5 relative")

    # 2. fixnet -> PyTorch.
    print("\n== fixnet -> PyTorch (load_state_dict(strict=True)) ==", flush=True)
    # Fresh modules (default initialisation), so that loading must change them.
    for seed, (name, (model, after, _)) in enumerate(build_models().items(), start=11):
        path, case_path = work(f"{name}.fixnet.safetensors"), work(f"{name}.fixnet.cases.safetensors")
        run([args.program, "train", name, path, case_path, seed])
        tensors, metadata = tool.read_safetensors(path)
        expect(metadata.get("fixnet.network") == types[name].replace("fixnet::", "").replace("std::", ""),
               f"{name}: the file's fixnet.network metadata {metadata.get('fixnet.network')!r} is not "
               f"{types[name]!r}")
        before = {k: v.clone() for k, v in model.state_dict().items()}
        model.load_state_dict(tensors, strict=True)
        expect(any(not torch.equal(before[k], v) for k, v in model.state_dict().items()),
               f"{name}: loading fixnet's file left the PyTorch parameters unchanged")
        case, _ = tool.read_safetensors(case_path)
        relative, absolute, bad, used = compare(case["outputs"], outputs_of(model.eval(), after, case["inputs"]))
        print(f"{name}: fixnet -> PyTorch, {case['inputs'].shape[0]} samples, {case['outputs'].numel()} "
              f"outputs: max relative difference {relative:.3g}, max absolute {absolute:.3g} "
              f"({used:.0%} of the tolerance used): "
              f"{'OK' if bad == 0 else 'FAIL'}", flush=True)
        expect(bad == 0, f"{name}: {bad} of PyTorch's outputs differ from fixnet's")
        # Control: the same comparison fails for an output off by 1e-5.
        off = case["outputs"].clone()
        off.view(-1)[3] *= 1 + 1e-5
        expect(compare(off, outputs_of(model, after, case["inputs"]))[2] > 0,
               f"{name}: control: the comparison accepted an output off by 1e-5 relative")

    # 3. tools/torch_to_fixnet.py.
    print("\n== tools/torch_to_fixnet.py ==", flush=True)
    tool_command = [sys.executable, args.tool]

    # A saved module: nested Sequential, nn.Identity, LeakyReLU slopes 0.2
    # and 0.01, Dropout, a bias-free layer, an explicit softmax.
    converted = randomize(nn.Sequential(
        nn.Sequential(nn.Linear(5, 7), nn.LeakyReLU(0.2)), nn.Dropout(0.25), nn.Identity(),
        nn.Linear(7, 6), nn.LeakyReLU(), nn.Linear(6, 3, bias=False), nn.Softmax(dim=1)), 21)
    torch.save(converted, work("converted.pt"))
    result = run(tool_command + [work("converted.pt"), work("converted.safetensors")])
    expect(result.stdout.strip() == f"using Net = {types['converted']};",
           f"converted: the tool printed {result.stdout.strip()!r}, expected 'using Net = {types['converted']};'")
    x = inputs_for(5, (-2, 2), 121)
    tool.write_safetensors(work("converted.cases.safetensors"), {"inputs": x, "outputs": outputs_of(converted, None, x)})
    result = run([args.program, "check", "converted", work("converted.safetensors"),
                  work("converted.cases.safetensors")], None)
    expect(result.returncode == 0, "converted: fixnet's outputs differ from PyTorch's")

    # A module ending in a Linear: Identity by default, or the flag's choice.
    mnist, _, _ = models["mnist"]
    torch.save(mnist, work("mnist.pt"))
    result = run(tool_command + [work("mnist.pt"), work("mnist.identity.safetensors")])
    identity = types["mnist"].replace("fixnet::Dense<50, 10, fixnet::Softmax>", "fixnet::Dense<50, 10, fixnet::Identity>")
    expect(identity != types["mnist"] and result.stdout.strip() == f"using Net = {identity};",
           f"mnist: the tool printed {result.stdout.strip()!r} by default, expected 'using Net = {identity};'")
    result = run(tool_command + [work("mnist.pt"), work("mnist.converted.safetensors"),
                                 "--output-activation", "softmax", "--name", "Mnist"])
    expect(result.stdout.strip() == f"using Mnist = {types['mnist']};",
           f"mnist: the tool printed {result.stdout.strip()!r} with --output-activation softmax")
    result = run([args.program, "check", "mnist", work("mnist.converted.safetensors"), cases["mnist"]], None)
    expect(result.returncode == 0, "mnist: fixnet's outputs from the tool's file differ from PyTorch's")
    # fixnet refuses the Identity file in the Softmax type: the tool recorded the layers.
    result = run([args.program, "check", "mnist", work("mnist.identity.safetensors"), cases["mnist"]], None)
    expect(result.returncode == 1 and "Identity" in result.stderr,
           "mnist: fixnet loaded a file converted with an Identity output into a Softmax network")

    # A state_dict with --activations.
    blobs, _, _ = models["blobs"]
    torch.save(blobs.state_dict(), work("blobs.state_dict.pt"))
    result = run(tool_command + [work("blobs.state_dict.pt"), work("blobs.converted.safetensors"),
                                 "--activations", "sigmoid,softmax"])
    expect(result.stdout.strip() == f"using Net = {types['blobs']};",
           f"blobs: the tool printed {result.stdout.strip()!r} from the state_dict")
    result = run([args.program, "check", "blobs", work("blobs.converted.safetensors"), cases["blobs"]], None)
    expect(result.returncode == 0, "blobs: fixnet's outputs from the tool's file differ from PyTorch's")
    result = run(tool_command + [work("blobs.state_dict.pt"), work("unused.safetensors")], 1)
    expect("--activations" in result.stderr and len(result.stderr.strip().splitlines()) == 1,
           f"blobs: a state_dict without --activations: expected a one-line message naming --activations, "
           f"got {result.stderr!r}")

    # Refusals: one line naming the module.
    refused = {
        "Conv2d": nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4, 2)),
        "BatchNorm1d": nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2)),
        "ModuleList": nn.Sequential(nn.Linear(4, 8), nn.ModuleList([nn.ReLU()]), nn.Linear(8, 2)),
        "LeakyReLU slope 0.0123": nn.Sequential(nn.Linear(4, 8), nn.LeakyReLU(0.0123456), nn.Linear(8, 2)),
        "LogSoftmax": nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2), nn.LogSoftmax(dim=1)),
        "Softmax dim=0": nn.Sequential(nn.Linear(4, 2), nn.Softmax(dim=0)),
        "trailing Dropout": nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2), nn.Dropout(0.5)),
        "activation after Dropout": nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Sigmoid(), nn.Linear(8, 2)),
    }
    names = {"Conv2d": "0 (Conv2d)", "BatchNorm1d": "1 (BatchNorm1d)", "ModuleList": "1 (ModuleList)",
             "LeakyReLU slope 0.0123": "1 (LeakyReLU)", "LogSoftmax": "3 (LogSoftmax)",
             "Softmax dim=0": "1 (Softmax)", "trailing Dropout": "3 (Dropout)",
             "activation after Dropout": "2 (Sigmoid)"}
    for what, module in refused.items():
        try:
            tool.convert(module, work("refused.safetensors"))
            expect(False, f"refusal: the tool converted a module with {what}")
        except tool.Unsupported as e:
            message = str(e)
            print(f"refused ({what}): {message}")
            expect("\n" not in message and f"module {names[what]}" in message,
                   f"refusal: the message for {what} does not name module {names[what]}: {message!r}")
    torch.save(refused["Conv2d"], work("conv.pt"))
    result = run(tool_command + [work("conv.pt"), work("refused.safetensors")], 1)
    expect(result.stdout == "" and result.stderr.count("\n") == 1 and "Conv2d" in result.stderr,
           f"refusal: the command line did not refuse Conv2d in one line: {result.stderr!r}")
    result = run(tool_command + ["--help"])
    for flag in ("--activations", "--output-activation", "--name", "INPUT", "OUTPUT"):
        expect(flag in result.stdout, f"--help does not document {flag}")

    print()
    if failures:
        raise Failure(f"{len(failures)} check(s) failed:\n  " + "\n  ".join(failures))
    return "fixnet and PyTorch agree in both directions; torch_to_fixnet.py converts and refuses as it should"


if __name__ == "__main__":
    driver_support.exit_with(main)
