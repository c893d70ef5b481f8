"""A validator for the JSON-Schema subset that TypeBox emits (protocol.schema.json is generated from
src/protocol/bridge.ts). ``check(schema, value)`` returns None or (dotted field path, message) for
the first problem. A keyword outside the subset is refused when the schema is loaded, so a new
TypeBox construct cannot pass unchecked."""
import json
import math
import os
import re

_ANNOTATIONS = {'description', 'title', '$comment', '$id', 'default', 'examples'}
_KEYWORDS = {
    'type', 'const', 'enum', 'anyOf', 'allOf', 'properties', 'required', 'additionalProperties',
    'items', 'minItems', 'maxItems', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
    'minLength', 'maxLength', 'pattern',
}

SCHEMA_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'protocol.schema.json')


def load_document(path=SCHEMA_PATH):
    with open(path, encoding='utf-8') as f:
        doc = json.load(f)
    for group in ('requests', 'replies'):
        for name, schema in doc[group].items():
            assert_supported(schema, '%s.%s' % (group, name))
    return doc


def assert_supported(schema, where):
    if not isinstance(schema, dict):
        raise ValueError('%s: a schema must be an object' % where)
    for key, sub in schema.items():
        if key in _ANNOTATIONS:
            continue
        if key not in _KEYWORDS:
            raise ValueError('%s: unsupported JSON-Schema keyword %r' % (where, key))
        if key in ('anyOf', 'allOf'):
            for i, s in enumerate(sub):
                assert_supported(s, '%s.%s[%d]' % (where, key, i))
        elif key == 'properties':
            for k, s in sub.items():
                assert_supported(s, '%s.%s' % (where, k))
        elif key == 'items' or (key == 'additionalProperties' and isinstance(sub, dict)):
            assert_supported(sub, '%s.%s' % (where, key))


def _join(path, key):
    if isinstance(key, int):
        return '%s[%d]' % (path, key)
    return '%s.%s' % (path, key) if path else key


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _type_ok(t, v):
    if t == 'object':
        return isinstance(v, dict)
    if t == 'array':
        return isinstance(v, list)
    if t == 'string':
        return isinstance(v, str)
    if t == 'boolean':
        return isinstance(v, bool)
    if t == 'null':
        return v is None
    if t == 'number':
        return _is_number(v) and math.isfinite(v)
    if t == 'integer':
        return _is_number(v) and math.isfinite(v) and float(v).is_integer()
    raise ValueError('unsupported type %r' % t)


def describe(schema):
    """A short human form of what a schema expects (for error messages)."""
    if 'const' in schema:
        return json.dumps(schema['const'])
    if 'enum' in schema:
        return ' or '.join(json.dumps(e) for e in schema['enum'])
    if 'anyOf' in schema:
        return ' or '.join(describe(s) for s in schema['anyOf'])
    t = schema.get('type', 'any value')
    t = ' or '.join(t) if isinstance(t, list) else t
    bounds = []
    for key, op in (('minimum', '≥'), ('exclusiveMinimum', '>'), ('maximum', '≤'), ('exclusiveMaximum', '<')):
        if key in schema:
            bounds.append('%s %s' % (op, schema[key]))
    a = 'an' if t[0] in 'aeiou' else 'a'
    return '%s %s%s' % (a, t, (' ' + ', '.join(bounds)) if bounds else '')


def check(schema, value, path=''):
    """None when value conforms, else (path, message) of the first problem found."""
    field = path or '(header)'
    t = schema.get('type')
    if t is not None:
        types = t if isinstance(t, list) else [t]
        if not any(_type_ok(x, value) for x in types):
            return field, 'expected %s, got %s' % (describe({'type': t}), _show(value))
    if 'const' in schema and not _same(value, schema['const']):
        return field, 'expected %s, got %s' % (json.dumps(schema['const']), _show(value))
    if 'enum' in schema and not any(_same(value, e) for e in schema['enum']):
        return field, 'expected %s, got %s' % (describe(schema), _show(value))
    if 'anyOf' in schema and all(check(s, value, path) is not None for s in schema['anyOf']):
        return field, 'expected %s, got %s' % (describe(schema), _show(value))
    for s in schema.get('allOf', ()):
        err = check(s, value, path)
        if err:
            return err
    if _is_number(value):
        err = _check_bounds(schema, value, field)
        if err:
            return err
    if isinstance(value, str):
        if 'minLength' in schema and len(value) < schema['minLength']:
            return field, 'expected at least %d characters' % schema['minLength']
        if 'maxLength' in schema and len(value) > schema['maxLength']:
            return field, 'expected at most %d characters, got %d' % (schema['maxLength'], len(value))
        if 'pattern' in schema and not re.search(schema['pattern'], value):
            return field, 'expected a string matching %s' % schema['pattern']
    if isinstance(value, list):
        return _check_array(schema, value, path, field)
    if isinstance(value, dict):
        return _check_object(schema, value, path)
    return None


def _check_bounds(schema, value, field):
    for key, ok, op in (
        ('minimum', lambda b: value >= b, '≥'),
        ('exclusiveMinimum', lambda b: value > b, '>'),
        ('maximum', lambda b: value <= b, '≤'),
        ('exclusiveMaximum', lambda b: value < b, '<'),
    ):
        if key in schema and not ok(schema[key]):
            return field, 'expected a value %s %s, got %s' % (op, schema[key], _show(value))
    return None


def _check_array(schema, value, path, field):
    if 'minItems' in schema and len(value) < schema['minItems']:
        return field, 'expected at least %d items, got %d' % (schema['minItems'], len(value))
    if 'maxItems' in schema and len(value) > schema['maxItems']:
        return field, 'expected at most %d items, got %d' % (schema['maxItems'], len(value))
    if 'items' in schema:
        for i, item in enumerate(value):
            err = check(schema['items'], item, _join(path, i))
            if err:
                return err
    return None


def _check_object(schema, value, path):
    props = schema.get('properties', {})
    for key in schema.get('required', ()):
        if key not in value:
            return _join(path, key), 'missing (expected %s)' % describe(props.get(key, {}))
    extra = schema.get('additionalProperties', True)
    for key, item in value.items():
        if key in props:
            err = check(props[key], item, _join(path, key))
        elif extra is False:
            known = ', '.join(sorted(props))
            return _join(path, key), 'unknown field (known: %s)' % known
        elif isinstance(extra, dict):
            err = check(extra, item, _join(path, key))
        else:
            err = None
        if err:
            return err
    return None


def _same(a, b):
    # JSON equality: true is not 1.
    return type(a) is type(b) and a == b if isinstance(a, bool) or isinstance(b, bool) else a == b


def _show(value):
    text = json.dumps(value) if not isinstance(value, float) or math.isfinite(value) else repr(value)
    return text if len(text) <= 60 else text[:57] + '...'
