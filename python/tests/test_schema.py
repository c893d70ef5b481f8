"""The JSON-Schema subset validator against the generated protocol.schema.json and hand-made schemas."""
import unittest

from neumann_lens import schema


class SchemaTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.doc = schema.load_document()

    def req(self, kind, header):
        return schema.check(self.doc['requests'][kind], header)

    def test_valid_requests_pass(self):
        self.assertIsNone(self.req('hello', {'type': 'hello', 'id': 0, 'protocolVersion': 1}))
        self.assertIsNone(self.req('hvp', {'type': 'hvp', 'id': 3, 'vectors': {'dtype': 'float32', 'count': 0, 'length': 0}}))
        self.assertIsNone(self.req('train', {'type': 'train', 'id': 1, 'steps': 2, 'learningRate': 0.5, 'weightDecay': 'perParameter'}))
        # JSON's 2.0 is an integer, as in JSON Schema and in TypeBox.
        self.assertIsNone(self.req('getParams', {'type': 'getParams', 'id': 2.0}))

    def test_booleans_are_not_numbers(self):
        self.assertEqual(self.req('getParams', {'type': 'getParams', 'id': True})[0], 'id')
        self.assertEqual(self.req('train', {'type': 'train', 'id': 1, 'steps': 1, 'learningRate': True, 'weightDecay': 0})[0], 'learningRate')

    def test_paths_and_messages(self):
        err = self.req('setParams', {'type': 'setParams', 'id': 1, 'vectors': {'dtype': 'float64', 'count': -2, 'length': 3}})
        self.assertEqual(err[0], 'vectors.count')
        self.assertIn('≥ 0', err[1])
        err = self.req('loss', {'type': 'loss', 'id': 1})
        self.assertEqual(err, ('split', 'missing (expected "train" or "val")'))
        err = self.req('train', {'type': 'train', 'id': 1, 'steps': 1, 'learningRate': 0.1, 'weightDecay': 'x'})
        self.assertEqual(err[0], 'weightDecay')
        self.assertIn('"perParameter"', err[1])
        err = self.req('loss', {'type': 'loss', 'id': 1, 'split': 'val', 'bogus': 1})
        self.assertEqual(err[0], 'bogus')
        self.assertIn('unknown field', err[1])

    def test_non_finite_numbers_are_refused(self):
        err = self.req('train', {'type': 'train', 'id': 1, 'steps': 1, 'learningRate': float('nan'), 'weightDecay': 0})
        self.assertEqual(err[0], 'learningRate')

    def test_arrays_and_nested_items(self):
        s = {'type': 'array', 'items': {'type': 'integer', 'minimum': 0}, 'maxItems': 3}
        self.assertIsNone(schema.check(s, [0, 1, 2]))
        self.assertEqual(schema.check(s, [0, -1])[0], '[1]')
        self.assertIn('at most 3', schema.check(s, [1, 2, 3, 4])[1])

    def test_unsupported_keywords_are_refused_at_load(self):
        with self.assertRaisesRegex(ValueError, "unsupported JSON-Schema keyword '\\$ref'"):
            schema.assert_supported({'type': 'object', 'properties': {'a': {'$ref': '#/x'}}}, 'test')
        schema.assert_supported({'type': 'string', 'description': 'annotations are fine'}, 'test')

    def test_replies_in_the_document_are_supported_too(self):
        self.assertIn('ready', self.doc['replies'])
        self.assertEqual(self.doc['exitCodes']['noTorch'], 3)


if __name__ == '__main__':
    unittest.main()
