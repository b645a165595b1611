"""Frozen records: the settings' classes, without ``dataclasses`` (#12.3).

``@record`` turns a class whose body lists annotated fields with defaults into
an immutable value, like ``@dataclass(frozen=True)``: keyword or positional
``__init__`` in field order, ``__eq__`` (same class, same values), ``__hash__``,
``__repr__``, and assignment or deletion raising ``FrozenRecordError`` (an
``AttributeError``, like dataclasses' ``FrozenInstanceError``). ``fields(cls or
obj)`` lists the ``Field``s in order (name, annotation, default or factory, the
key's check and doc); ``asdict(obj)`` gives the values; ``types(cls)`` the
annotations as types (what ``typing.get_type_hints`` gave).

Why not dataclasses: ``deskpulse config check`` must start in under 3x a bare
``python -c pass`` (benchmarks/cli_startup.py). Importing ``dataclasses`` pulls
in ``inspect``, ``ast``, ``dis`` and ``typing`` (~9 ms), and it ``exec``s
generated source for six methods of each class (~8 ms for the eight settings
classes). Here the methods are written once and shared; decorating a class only
reads its annotations, so it costs microseconds.

Only what the settings need: every field has a default (or a factory); no
inheritance between records, no ``__post_init__``, no ``__slots__``.
"""
from __future__ import annotations

import builtins
import sys

__all__ = ["Field", "FrozenRecordError", "asdict", "field", "fields", "record", "types"]

_MISSING = object()
_TYPES: dict[tuple[str, str], object] = {}  # (module, annotation) -> the type it names


class FrozenRecordError(AttributeError):
    """Assigning to or deleting a field of a record (they are immutable)."""


class Field:
    """One field: ``name``, ``type`` (the annotation, a string), ``default`` or ``default_factory``,
    and the settings' ``check`` (value -> problem or None) and ``doc``."""

    __slots__ = ("name", "type", "default", "default_factory", "check", "doc")

    def __init__(self, default=_MISSING, default_factory=None, check=None, doc: str = ""):
        if default is _MISSING and default_factory is None:
            raise TypeError("a record field needs a default or a default_factory")
        self.name = ""
        self.type = ""
        self.default = default
        self.default_factory = default_factory
        self.check = check
        self.doc = doc

    def default_value(self):
        return self.default_factory() if self.default_factory is not None else self.default

    def __repr__(self) -> str:
        d = f"default_factory={self.default_factory!r}" if self.default_factory is not None else f"default={self.default!r}"
        return f"Field(name={self.name!r}, type={self.type!r}, {d}, check={self.check!r}, doc={self.doc!r})"


def field(default=_MISSING, *, default_factory=None, check=None, doc: str = "") -> Field:
    """A field with its default (or ``default_factory``), check and doc; a plain value in the
    class body is the same as ``field(value)``."""
    return Field(default, default_factory, check, doc)


def record(cls: type) -> type:
    """Make ``cls`` a frozen record of the annotated names in its body, in order."""
    table = []
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        value = cls.__dict__.get(name, _MISSING)
        f = value if isinstance(value, Field) else Field(value)
        f.name, f.type = name, annotation
        table.append(f)
        if f.default_factory is not None:  # as dataclasses do: the class keeps plain defaults only
            delattr(cls, name)
        else:
            setattr(cls, name, f.default)
    cls.__record_fields__ = tuple(table)
    cls.__record_names__ = frozenset(f.name for f in table)
    for name, method in _METHODS.items():
        if name not in cls.__dict__:
            setattr(cls, name, method)
    return cls


def fields(obj) -> tuple[Field, ...]:
    """The fields of a record class or instance, in order."""
    try:
        return obj.__record_fields__
    except AttributeError:
        raise TypeError("fields() needs a record class or instance") from None


def asdict(obj) -> dict:
    """``{name: value}`` in field order; a value that is itself a record becomes its dict too."""
    return {f.name: _value(getattr(obj, f.name)) for f in fields(obj)}


def types(cls: type) -> dict[str, object]:
    """``{name: type}``, each annotation string evaluated in the class's module (what
    ``typing.get_type_hints`` gives for these classes, without importing ``typing``)."""
    out = {}
    for f in fields(cls):
        if not isinstance(f.type, str):
            out[f.name] = f.type
            continue
        key = (cls.__module__, f.type)
        if key not in _TYPES:
            ns = vars(sys.modules[cls.__module__])
            if f.type.isidentifier():  # "int": what eval would find, without compiling
                _TYPES[key] = ns[f.type] if f.type in ns else getattr(builtins, f.type)
            else:
                _TYPES[key] = eval(f.type, ns)
        out[f.name] = _TYPES[key]
    return out


def _value(v):
    return asdict(v) if hasattr(type(v), "__record_fields__") else v


def _values(self) -> tuple:
    d = self.__dict__
    return tuple(d[f.name] for f in self.__record_fields__)


def _init(self, *args, **kwargs):
    table = self.__record_fields__
    if len(args) > len(table):
        raise TypeError(f"{type(self).__qualname__}.__init__() takes from 1 to {len(table) + 1} positional "
                        f"arguments but {len(args) + 1} were given")
    for k in kwargs:
        if k not in self.__record_names__:
            raise TypeError(f"{type(self).__qualname__}.__init__() got an unexpected keyword argument {k!r}")
    d = self.__dict__  # filled directly: __setattr__ refuses
    for i, f in enumerate(table):
        if i < len(args):
            if f.name in kwargs:
                raise TypeError(f"{type(self).__qualname__}.__init__() got multiple values for argument {f.name!r}")
            d[f.name] = args[i]
        elif f.name in kwargs:
            d[f.name] = kwargs[f.name]
        else:
            d[f.name] = f.default_value()


def _repr(self) -> str:
    d = self.__dict__
    inner = ", ".join(f"{f.name}={d[f.name]!r}" for f in self.__record_fields__)
    return f"{type(self).__qualname__}({inner})"


def _eq(self, other):
    if other.__class__ is self.__class__:
        return _values(self) == _values(other)
    return NotImplemented


def _hash(self) -> int:
    return hash(_values(self))


def _setattr(self, name, value):
    raise FrozenRecordError(f"cannot assign to field {name!r}")


def _delattr(self, name):
    raise FrozenRecordError(f"cannot delete field {name!r}")


_METHODS = {"__init__": _init, "__repr__": _repr, "__eq__": _eq, "__hash__": _hash,
            "__setattr__": _setattr, "__delattr__": _delattr}
