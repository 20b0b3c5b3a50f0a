/**
 * Tiny ONNX models whose output is known, written by Debian's python3-onnx (/usr/bin/python3, the
 * system Python) for the model runner's tests (main/model/, docs/ai-models.md):
 *
 *   threshold   output[1, 1, …] = (input > threshold) as float32, 2d [1,1,H,W] or 3d [1,1,D,H,W]
 *               (free dimensions), so the expected labelmap is the input's voxels above it;
 *   bands       two channels: input > low, input > high (they overlap where input > high);
 *   fixed       like threshold but with a fixed input of 1×1×size×size (other sizes are refused);
 *   throws      reshapes the input to [7, −1]: the runtime fails on any image whose size is not a
 *               multiple of 7.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';

export type TestModel =
  | { kind: 'threshold'; layout: '2d' | '3d'; threshold: number }
  | { kind: 'bands'; low: number; high: number }
  | { kind: 'fixed'; size: number; threshold: number }
  | { kind: 'throws' };

const SCRIPT = String.raw`
import json, sys
import onnx
from onnx import helper, TensorProto
spec = json.loads(sys.argv[1])
out = sys.argv[2]
kind = spec['kind']
def const(name, value, dtype=TensorProto.FLOAT, dims=()):
    return helper.make_node('Constant', [], [name], value=helper.make_tensor(name + '_v', dtype, list(dims), value if isinstance(value, list) else [value]))
nodes = []
if kind == 'threshold':
    shape = [1, 1, 'H', 'W'] if spec['layout'] == '2d' else [1, 1, 'D', 'H', 'W']
    nodes += [const('t', float(spec['threshold'])), helper.make_node('Greater', ['x', 't'], ['g']), helper.make_node('Cast', ['g'], ['y'], to=TensorProto.FLOAT)]
    inputs = [helper.make_tensor_value_info('x', TensorProto.FLOAT, shape)]
    outputs = [helper.make_tensor_value_info('y', TensorProto.FLOAT, shape)]
elif kind == 'bands':
    nodes += [const('lo', float(spec['low'])), const('hi', float(spec['high'])),
              helper.make_node('Greater', ['x', 'lo'], ['g0']), helper.make_node('Greater', ['x', 'hi'], ['g1']),
              helper.make_node('Cast', ['g0'], ['c0'], to=TensorProto.FLOAT), helper.make_node('Cast', ['g1'], ['c1'], to=TensorProto.FLOAT),
              helper.make_node('Concat', ['c0', 'c1'], ['y'], axis=1)]
    inputs = [helper.make_tensor_value_info('x', TensorProto.FLOAT, [1, 1, 'H', 'W'])]
    outputs = [helper.make_tensor_value_info('y', TensorProto.FLOAT, [1, 2, 'H', 'W'])]
elif kind == 'fixed':
    s = spec['size']
    nodes += [const('t', float(spec['threshold'])), helper.make_node('Greater', ['x', 't'], ['g']), helper.make_node('Cast', ['g'], ['y'], to=TensorProto.FLOAT)]
    inputs = [helper.make_tensor_value_info('x', TensorProto.FLOAT, [1, 1, s, s])]
    outputs = [helper.make_tensor_value_info('y', TensorProto.FLOAT, [1, 1, s, s])]
elif kind == 'throws':
    nodes += [const('shape', [7, -1], TensorProto.INT64, [2]), helper.make_node('Reshape', ['x', 'shape'], ['y'])]
    inputs = [helper.make_tensor_value_info('x', TensorProto.FLOAT, [1, 1, 'H', 'W'])]
    outputs = [helper.make_tensor_value_info('y', TensorProto.FLOAT, [7, 'N'])]
graph = helper.make_graph(nodes, 'radlabel_test_' + kind, inputs, outputs)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)], producer_name='radlabel-tests')
model.ir_version = 7
onnx.checker.check_model(model)
onnx.save(model, out)
`;

/** Writes the model to `file`; answers its SHA-256 (hex). */
export function writeTestModel(file: string, model: TestModel): string {
  execFileSync('/usr/bin/python3', ['-c', SCRIPT, JSON.stringify(model), file], { stdio: 'pipe' });
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}
