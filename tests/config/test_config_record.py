"""device/config/record.py: the frozen records the settings are, in place of frozen dataclasses (#12.3)."""
from __future__ import annotations

import copy
import pickle

import pytest

from device import config
from device.config.record import Field, FrozenRecordError, asdict, field, fields, record, types


@record
class Point:
    x: int = field(1, check=lambda v: None if v >= 0 else "negative", doc="across")
    y: float = 2.0
    tags: tuple[str, ...] = field(default_factory=tuple)


@record
class Outer:
    p: Point = field(default_factory=Point)
    name: str = "o"


def test_init_keyword_positional_and_defaults():
    assert (Point().x, Point().y, Point().tags) == (1, 2.0, ())
    p = Point(3, tags=("a",))
    assert (p.x, p.y, p.tags) == (3, 2.0, ("a",))
    assert Point(4, 5.0, ("b",)) == Point(x=4, y=5.0, tags=("b",))


def test_wrong_arguments_are_type_errors_like_a_dataclass():
    with pytest.raises(TypeError, match=r"Point.__init__\(\) got an unexpected keyword argument 'z'"):
        Point(z=1)
    with pytest.raises(TypeError, match=r"Point.__init__\(\) takes from 1 to 4 positional arguments but 5 were given"):
        Point(1, 2, 3, 4)
    with pytest.raises(TypeError, match=r"Point.__init__\(\) got multiple values for argument 'x'"):
        Point(1, x=2)
    with pytest.raises(TypeError):
        config.GpioConfig(seat_pins=3)


def test_frozen():
    p = Point()
    with pytest.raises(FrozenRecordError, match="cannot assign to field 'x'"):
        p.x = 2
    with pytest.raises(AttributeError):  # FrozenRecordError is one, as dataclasses' FrozenInstanceError is
        p.new = 1
    with pytest.raises(FrozenRecordError, match="cannot delete field 'y'"):
        del p.y
    assert p.x == 1 and not hasattr(p, "new")


def test_eq_and_hash():
    assert Point(1) == Point(1) and hash(Point(1)) == hash(Point(1))
    assert Point(1) != Point(2)
    assert Point(1) != (1, 2.0, ())  # another class: NotImplemented, then identity
    assert len({Point(1), Point(1), Point(2)}) == 2
    assert Outer() == Outer(Point()) and hash(Outer()) == hash(Outer(Point()))
    assert Outer(Point(2)) != Outer()


def test_repr():
    assert repr(Point(3, tags=("a",))) == "Point(x=3, y=2.0, tags=('a',))"
    assert repr(Outer()) == "Outer(p=Point(x=1, y=2.0, tags=()), name='o')"


def test_fields_in_order_with_default_check_doc_and_type():
    fs = fields(Point)
    assert [f.name for f in fs] == ["x", "y", "tags"]
    assert all(isinstance(f, Field) for f in fs)
    assert fields(Point()) == fs
    x, y, tags = fs
    assert (x.default, x.doc, x.check(-1), x.check(0)) == (1, "across", "negative", None)
    assert (y.default, y.check, y.doc) == (2.0, None, "")
    assert tags.default_factory is tuple
    assert [f.type for f in fs] == ["int", "float", "tuple[str, ...]"]  # annotations, as written
    assert types(Point) == {"x": int, "y": float, "tags": tuple[str, ...]}
    assert Point.x == 1 and not hasattr(Point, "tags")  # as dataclasses: the class keeps plain defaults only
    with pytest.raises(TypeError):
        fields(object())


def test_factories_make_a_value_per_instance():
    @record
    class Bag:
        items: list = field(default_factory=list)
    assert Bag().items is not Bag().items


def test_asdict_nests_records():
    assert asdict(Point(3)) == {"x": 3, "y": 2.0, "tags": ()}
    assert asdict(Outer()) == {"p": {"x": 1, "y": 2.0, "tags": ()}, "name": "o"}


def test_copy_and_pickle_keep_values():
    p = Point(7, tags=("a",))
    assert copy.copy(p) == p and copy.deepcopy(p) == p
    assert pickle.loads(pickle.dumps(p)) == p


def test_a_field_needs_a_default():
    with pytest.raises(TypeError):
        field()


def test_config_is_records():
    cfg = config.Config()
    assert cfg == config.Config() and hash(cfg) == hash(config.Config())
    assert [f.name for f in fields(config.Config)] == [*config.SECTIONS, "source"]
    with pytest.raises(AttributeError):
        cfg.gpio.seat_pin = 3
    with pytest.raises(AttributeError):
        cfg.source = "x"
    changed = cfg.replace(sensing={"sensors": "pir"}, gpio={"seat_pin": -1})
    assert (changed.sensing.sensors, changed.gpio.seat_pin, changed.source) == ("pir", -1, "defaults")
    assert changed != cfg and changed.mqtt == cfg.mqtt and cfg.sensing.sensors == "both"
    assert repr(config.DeviceConfig()) == "DeviceConfig(device_id='', name='Desk', timezone='')"
    assert config.Config(source="f").source == "f" and config.Config(config.DeviceConfig(name="x")).device.name == "x"
    gpio = {f.name: f for f in fields(config.GpioConfig)}
    assert gpio["seat_pin"].default == 17 and gpio["seat_pin"].check(28) and gpio["seat_pin"].check(-1) is None
    assert gpio["pin_factory"].doc == "gpiozero backend"
    assert types(config.CoachingConfig)["exercises"] == tuple[str, ...]


def test_config_modules_need_no_dataclasses():
    import ast
    from pathlib import Path
    for path in sorted((Path(config.__file__).parent).glob("*.py")):
        tree = ast.parse(path.read_text())
        imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 0}
        assert not imported & {"dataclasses", "typing", "inspect"}, path.name
