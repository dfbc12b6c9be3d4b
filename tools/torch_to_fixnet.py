#!/usr/bin/env python3
"""Convert a PyTorch model to a fixnet model file, and print its fixnet type.

    python3 tools/torch_to_fixnet.py model.pt model.safetensors
    python3 tools/torch_to_fixnet.py state_dict.pt model.safetensors --activations sigmoid,softmax

INPUT is either a whole module saved with `torch.save(model, path)`, an
`nn.Sequential` (nested `nn.Sequential`s are flattened) of nn.Linear,
nn.Sigmoid, nn.Tanh, nn.ReLU, nn.LeakyReLU, nn.Softmax, nn.Identity and
nn.Dropout, or a state_dict saved with `torch.save(model.state_dict(), path)`
holding only nn.Linear weights and biases, with `--activations` naming each
Linear's activation (a state_dict records none).

The script writes OUTPUT, a safetensors file that `fixnet::load` reads, and
prints the C++ type to load it into, e.g.

    using Net = fixnet::Network<fixnet::Dense<784, 50, fixnet::Sigmoid>, fixnet::Dense<50, 10, fixnet::Softmax>>;

Modules fixnet cannot express (convolutions, normalisation, custom modules,
containers other than nn.Sequential, a LeakyReLU slope or Dropout rate that is
no exact small ratio, ...) are refused with a one-line message naming the
module; the exit status is then 1.

Imported as a module, `convert(module, path)` and
`convert_state_dict(state_dict, activations, path)` do the same and return the
`using` line; `read_safetensors` and `write_safetensors` read and write the
format with the standard library (and torch) only, e.g. to load a file fixnet
saved into PyTorch:

    tensors, metadata = read_safetensors("model.safetensors")
    model.load_state_dict(tensors, strict=True)
"""

import argparse
import json
import struct
import sys
from collections import OrderedDict
from fractions import Fraction

__all__ = ["Unsupported", "convert", "convert_state_dict", "read_safetensors", "write_safetensors"]


class Unsupported(ValueError):
    """A model fixnet cannot express; the message names the module."""


# --- safetensors, standard library only ---------------------------------------

# Format: an 8-byte little-endian header length N, N bytes of JSON
# {"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]},
#  "__metadata__": {"key": "string", ...}}, then the tensors' little-endian
# bytes at their offsets (relative to the end of the header).

_DTYPES = {"F64": "float64", "F32": "float32", "F16": "float16", "BF16": "bfloat16",
           "I64": "int64", "I32": "int32", "I16": "int16", "I8": "int8", "U8": "uint8", "BOOL": "bool"}


def write_safetensors(path, tensors, metadata=None):
    """Writes `tensors` ({name: torch tensor}, written as float32 in order)
    and `metadata` ({str: str}) to `path` as a safetensors file."""
    header, chunks, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name, tensor in tensors.items():
        values = tensor.detach().to("cpu").float().reshape(-1).tolist()
        data = struct.pack(f"<{len(values)}f", *values)
        header[name] = {"dtype": "F32", "shape": list(tensor.shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # pad: tensors start 8-byte aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for data in chunks:
            f.write(data)


def read_safetensors(path):
    """Reads a safetensors file: ({name: torch tensor}, {metadata}), tensors
    in the file's dtype. Raises ValueError for a malformed file."""
    import torch

    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError(f"{path}: too short for a safetensors file")
    (length,) = struct.unpack("<Q", raw[:8])
    if 8 + length > len(raw):
        raise ValueError(f"{path}: header length {length} runs past the end of the file")
    header = json.loads(raw[8:8 + length].decode("utf-8"))
    data = raw[8 + length:]
    metadata = header.pop("__metadata__", {}) or {}
    tensors = OrderedDict()
    for name, entry in sorted(header.items(), key=lambda item: item[1]["data_offsets"][0]):
        if entry["dtype"] not in _DTYPES:
            raise ValueError(f"{path}: tensor {name!r} has unknown dtype {entry['dtype']!r}")
        dtype = getattr(torch, _DTYPES[entry["dtype"]])
        begin, end = entry["data_offsets"]
        if not 0 <= begin <= end <= len(data):
            raise ValueError(f"{path}: tensor {name!r} lies outside the data")
        shape = list(entry["shape"])
        if end == begin:
            tensors[name] = torch.empty(shape, dtype=dtype)
        else:
            flat = torch.frombuffer(bytearray(data[begin:end]), dtype=dtype)
            tensors[name] = flat.reshape(shape)
    return tensors, metadata


# --- fixnet types ----------------------------------------------------------------

class _Dense:
    def __init__(self, where, weight, bias):
        self.where = where  # the module's name, for messages
        self.weight = weight
        self.bias = bias
        self.activation = None  # (C++ spelling, description) once known

    @property
    def inputs(self):
        return self.weight.shape[1]

    @property
    def outputs(self):
        return self.weight.shape[0]


class _Dropout:
    def __init__(self, where, width, rate):
        self.where = where
        self.width = width
        self.rate = rate  # Fraction


_SIMPLE = {"identity": "Identity", "sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "Relu",
           "softmax": "Softmax"}


def _ratio(value, what, where, limit=1000):
    """`value` (a float) as an exact ratio with a denominator <= limit."""
    fraction = Fraction(value).limit_denominator(limit)
    if float(fraction) != value:
        raise Unsupported(f"module {where}: {what} {value!r} is no ratio n/d with d <= {limit}; "
                          f"fixnet needs it exactly, as a std::ratio")
    return fraction


def _leaky_relu(slope, where):
    """(C++ spelling, description) of a leaky ReLU of this slope."""
    import torch

    if slope == 0:
        return ("fixnet::Relu", "Relu")
    if not slope > 0:
        raise Unsupported(f"module {where}: LeakyReLU slope {slope!r}: fixnet's leaky ReLU needs a positive slope")
    r = _ratio(slope, "LeakyReLU slope", where)
    # fixnet computes the slope as float(n) / float(d); PyTorch rounds the
    # double to float: they must be the same float.
    if torch.tensor(float(r.numerator)) / torch.tensor(float(r.denominator)) != torch.tensor(slope):
        raise Unsupported(f"module {where}: LeakyReLU slope {slope!r} rounds to a different float than "
                          f"{r.numerator}/{r.denominator}")
    if r == Fraction(1, 100):
        return ("fixnet::LeakyRelu", "LeakyRelu")
    return (f"fixnet::BasicLeakyRelu<std::ratio<{r.numerator}, {r.denominator}>>",
            f"BasicLeakyRelu<ratio<{r.numerator}, {r.denominator}>>")


def _activation_by_name(name, where):
    """--activations entry: identity, sigmoid, tanh, relu, softmax,
    leaky_relu or leaky_relu=SLOPE."""
    key, _, slope = name.strip().lower().partition("=")
    if key in ("leaky_relu", "leakyrelu"):
        return _leaky_relu(float(slope) if slope else 0.01, where)
    if key in _SIMPLE and not slope:
        return (f"fixnet::{_SIMPLE[key]}", _SIMPLE[key])
    raise Unsupported(f"{where}: unknown activation {name!r} "
                      f"(identity, sigmoid, tanh, relu, leaky_relu, leaky_relu=SLOPE, softmax)")


def _flatten(module, where):
    """[(name, module)] of an nn.Sequential, nested ones flattened."""
    from torch import nn

    if type(module) is not nn.Sequential:
        if len(list(module.children())) > 0:
            raise Unsupported(f"module {type(module).__name__}: a container fixnet cannot flatten "
                              f"(only nn.Sequential is)")
        return [(where or type(module).__name__, module)]
    items = []
    for name, child in module.named_children():
        path = f"{where}.{name}" if where else name
        if type(child) is nn.Sequential:
            items += _flatten(child, path)
        elif len(list(child.children())) > 0:
            raise Unsupported(f"module {path} ({type(child).__name__}): a container fixnet cannot flatten "
                              f"(only nn.Sequential is)")
        else:
            items.append((path, child))
    return items


def _layers_from_module(module, output_activation=None):
    from torch import nn

    layers = []
    pending = None  # the last Dense, while its activation may still follow
    for where, m in _flatten(module, ""):
        kind = type(m)
        what = f"{where} ({kind.__name__})"
        activation = None
        if kind is nn.Linear:
            if layers and layers[-1].__class__ is _Dense and layers[-1].activation is None:
                layers[-1].activation = ("fixnet::Identity", "Identity")
            width = _width(layers)
            if width is not None and m.in_features != width:
                raise Unsupported(f"module {what}: {m.in_features} inputs after a layer of {width} outputs")
            pending = _Dense(what, m.weight, m.bias)
            layers.append(pending)
            continue
        if kind is nn.Identity:
            continue  # computes nothing
        if kind is nn.Dropout:
            width = _width(layers)
            if width is None:
                raise Unsupported(f"module {what}: a Dropout before the first Linear (its width is unknown)")
            if not 0 <= m.p < 1:
                raise Unsupported(f"module {what}: Dropout rate {m.p!r}; fixnet needs one in [0, 1)")
            if pending is not None and pending.activation is None:
                pending.activation = ("fixnet::Identity", "Identity")
            pending = None
            layers.append(_Dropout(what, width, _ratio(m.p, "Dropout rate", what)))
            continue
        if kind is nn.Sigmoid:
            activation = ("fixnet::Sigmoid", "Sigmoid")
        elif kind is nn.Tanh:
            activation = ("fixnet::Tanh", "Tanh")
        elif kind is nn.ReLU:
            activation = ("fixnet::Relu", "Relu")
        elif kind is nn.LeakyReLU:
            activation = _leaky_relu(m.negative_slope, what)
        elif kind is nn.Softmax:
            if m.dim not in (None, 1, -1):
                raise Unsupported(f"module {what}: softmax over dim={m.dim}; fixnet's is over the features "
                                  f"(dim=1 or -1)")
            activation = ("fixnet::Softmax", "Softmax")
        else:
            raise Unsupported(f"module {what}: fixnet has no such layer (it has nn.Linear, nn.Dropout and the "
                              f"activations Sigmoid, Tanh, ReLU, LeakyReLU, Softmax, Identity)")
        if pending is None or pending.activation is not None:
            raise Unsupported(f"module {what}: an activation that does not follow an nn.Linear directly "
                              f"(fixnet applies one activation per Linear, right after it)")
        pending.activation = activation
    if not layers:
        raise Unsupported("the module holds no nn.Linear")
    last = layers[-1]
    if isinstance(last, _Dropout):
        raise Unsupported(f"module {last.where}: fixnet networks end in a Linear layer, not a Dropout")
    if last.activation is None:
        last.activation = _activation_by_name(output_activation or "identity", "--output-activation")
    elif output_activation is not None:
        wanted = _activation_by_name(output_activation, "--output-activation")
        if wanted != last.activation:
            raise Unsupported(f"the module ends in {last.activation[1]}; --output-activation {output_activation} "
                              f"contradicts it (the flag is for modules that end in an nn.Linear)")
    return layers


def _width(layers):
    """Outputs of the layers so far (None before the first)."""
    if not layers:
        return None
    last = layers[-1]
    return last.outputs if isinstance(last, _Dense) else last.width


def _layers_from_state_dict(state_dict, activations):
    import torch

    modules = OrderedDict()  # module path -> {"weight": t, "bias": t}
    for key, value in state_dict.items():
        if not isinstance(value, torch.Tensor):
            raise Unsupported(f"state_dict entry {key!r} is not a tensor")
        path, _, parameter = key.rpartition(".")
        if parameter not in ("weight", "bias"):
            raise Unsupported(f"state_dict entry {key!r}: not an nn.Linear weight or bias (fixnet has only "
                              f"Linear layers with parameters)")
        modules.setdefault(path, {})[parameter] = value
    if len(activations) != len(modules):
        raise Unsupported(f"--activations names {len(activations)} activations; the state_dict holds "
                          f"{len(modules)} Linear layers ({', '.join(modules)})")
    layers = []
    for (path, tensors), activation in zip(modules.items(), activations):
        weight, bias = tensors.get("weight"), tensors.get("bias")
        what = f"{path} (state_dict)"
        if weight is None or weight.dim() != 2:
            raise Unsupported(f"module {what}: no 2-D weight, so not an nn.Linear "
                              f"(shape {list(weight.shape) if weight is not None else 'missing'})")
        if bias is not None and list(bias.shape) != [weight.shape[0]]:
            raise Unsupported(f"module {what}: bias of shape {list(bias.shape)} for a weight of shape "
                              f"{list(weight.shape)}")
        width = _width(layers)
        if width is not None and weight.shape[1] != width:
            raise Unsupported(f"module {what}: {weight.shape[1]} inputs after a layer of {width} outputs")
        dense = _Dense(what, weight, bias)
        dense.activation = _activation_by_name(activation, "--activations")
        layers.append(dense)
    return layers


def _spelling(layer):
    """(C++ spelling, description) of one layer, as fixnet/io/describe.hpp."""
    if isinstance(layer, _Dropout):
        r = layer.rate
        return (f"fixnet::Dropout<{layer.width}, std::ratio<{r.numerator}, {r.denominator}>>",
                f"Dropout<{layer.width}, ratio<{r.numerator}, {r.denominator}>>")
    no_bias = layer.bias is None
    cpp, short = layer.activation
    return (f"fixnet::Dense<{layer.inputs}, {layer.outputs}, {cpp}{', fixnet::NoBias' if no_bias else ''}>",
            f"Dense<{layer.inputs}, {layer.outputs}, {short}{', NoBias' if no_bias else ''}>")


def _fixnet_tensors(layers):
    """The tensors under the names fixnet gives them (fixnet/io/model_file.hpp):
    nn.Sequential numbering, one module per Linear, one per activation except
    Identity's and the last layer's, one per Dropout."""
    tensors, module = OrderedDict(), 0
    for i, layer in enumerate(layers):
        if isinstance(layer, _Dropout):
            module += 1
            continue
        tensors[f"{module}.weight"] = layer.weight
        if layer.bias is not None:
            tensors[f"{module}.bias"] = layer.bias
        last = i == len(layers) - 1
        module += 1 if last or layer.activation[1] == "Identity" else 2
    return tensors


def _write(layers, path, alias):
    spellings = [_spelling(layer) for layer in layers]
    network = "fixnet::Network<" + ", ".join(cpp for cpp, _ in spellings) + ">"
    metadata = {
        "format": "pt",
        # fixnet compares these layers with the type it loads into, so a file
        # loaded into another activation is refused.
        "fixnet.layers": "; ".join(short for _, short in spellings),
        "fixnet.network": "Network<" + ", ".join(short for _, short in spellings) + ">",
        # fixnet-bake reads the C++ type and scalar from these.
        "fixnet.type": network,
        "fixnet.scalar": "float",
        "fixnet.converted_by": "tools/torch_to_fixnet.py",
    }
    write_safetensors(path, _fixnet_tensors(layers), metadata)
    return f"using {alias} = {network};"


def convert(module, path, output_activation=None, alias="Net"):
    """Writes `module` (an nn.Sequential, see the top of this file) to `path`
    as a fixnet model file and returns the C++ line declaring its type.
    `output_activation` (identity, sigmoid, tanh, relu, leaky_relu[=SLOPE],
    softmax) is the last layer's when the module ends in an nn.Linear;
    default identity, which computes what the module computes. Raises
    Unsupported, naming the module, for what fixnet cannot express."""
    return _write(_layers_from_module(module, output_activation), path, alias)


def convert_state_dict(state_dict, activations, path, alias="Net"):
    """The same from a state_dict of nn.Linear weights and biases, with
    `activations` naming one activation per Linear, in order (e.g.
    ["sigmoid", "softmax"]). Dropout leaves no trace in a state_dict, so
    the type has none."""
    return _write(_layers_from_state_dict(state_dict, list(activations)), path, alias)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Convert a PyTorch nn.Sequential (saved with torch.save(model, path)) or a state_dict "
                    "of nn.Linear layers to a fixnet model file (safetensors), and print the fixnet type "
                    "that loads it: fixnet::load(net, OUTPUT).",
        epilog="Tensor names in OUTPUT follow the printed type, as fixnet/io/model_file.hpp names them "
               "(nested nn.Sequentials flattened, nn.Identity dropped). Exit status 1 with a one-line "
               "message for a model fixnet cannot express.")
    parser.add_argument("input", metavar="INPUT",
                        help="file written by torch.save: a whole nn.Sequential, or a state_dict "
                             "(then --activations is required)")
    parser.add_argument("output", metavar="OUTPUT", help="the safetensors file to write")
    parser.add_argument("--activations", metavar="LIST",
                        help="for a state_dict: one activation per nn.Linear, in order, comma-separated, "
                             "from identity, sigmoid, tanh, relu, leaky_relu (slope 0.01), "
                             "leaky_relu=SLOPE, softmax; e.g. sigmoid,softmax")
    parser.add_argument("--output-activation", metavar="NAME",
                        help="for a module that ends in an nn.Linear: the last layer's activation "
                             "(same names as --activations). Default identity: fixnet then computes "
                             "exactly what the module does; softmax suits a classifier trained with "
                             "nn.CrossEntropyLoss, whose softmax is inside the loss")
    parser.add_argument("--name", default="Net", help="the name the printed using-declaration gives the type "
                                                      "(default Net)")
    args = parser.parse_args(argv)

    import torch

    try:
        loaded = torch.load(args.input, map_location="cpu")
    except Exception as e:  # unpickling runs arbitrary code: report any failure
        print(f"torch_to_fixnet: cannot load {args.input}: {e}", file=sys.stderr)
        return 1
    try:
        if isinstance(loaded, torch.nn.Module):
            if args.activations is not None:
                raise Unsupported("--activations is for a state_dict; the module names its own activations")
            line = convert(loaded, args.output, args.output_activation, args.name)
        elif isinstance(loaded, dict):
            if args.activations is None:
                raise Unsupported(f"{args.input} holds a state_dict, which records no activations: "
                                  f"pass --activations (e.g. --activations sigmoid,softmax)")
            if args.output_activation is not None:
                raise Unsupported("--output-activation is for a module; with a state_dict, "
                                  "--activations names the last layer's too")
            line = convert_state_dict(loaded, args.activations.split(","), args.output, args.name)
        else:
            raise Unsupported(f"{args.input} holds a {type(loaded).__name__}, neither an nn.Module nor a state_dict")
    except Unsupported as e:
        print(f"torch_to_fixnet: {e}", file=sys.stderr)
        return 1
    print(line)
    print(f"torch_to_fixnet: wrote {args.output}; load it with fixnet::load(net, \"{args.output}\") "
          f"into a {args.name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
