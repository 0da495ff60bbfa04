import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { pythonBool, pythonList, pythonLiteral, type PythonValue } from './python-literal.js';

// What Drive does with a DictValue: ast.literal_eval. Read back through the real parser.
function literalEval(source: string): unknown {
  const script = 'import ast, json, sys; print(json.dumps(ast.literal_eval(sys.stdin.read())))';
  let output: string;
  try {
    output = execFileSync('python3', ['-c', script], { input: source, encoding: 'utf8' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('python3 is needed to check Python literals: apt-get install -y python3', {
        cause: error,
      });
    }
    throw error;
  }
  return JSON.parse(output);
}

describe('pythonLiteral', () => {
  const values: [string, PythonValue][] = [
    ['booleans and None', { SupportsRename: false, Enabled: true, Nothing: null }],
    ['nested lists and numbers', { items: { enabled: true, actions: ['list', 'retrieve'] }, n: 3 }],
    ['quotes, backslashes and control characters', { 'it\'s "quoted"': 'a\\b\nc\td\u0001' }],
    ['unicode', { name: 'café 😀' }],
  ];

  it.each(values)('round-trips %s through ast.literal_eval', (_what, value) => {
    expect(literalEval(pythonLiteral(value))).toEqual(value);
  });

  it('writes Python booleans, which JSON would not', () => {
    expect(pythonLiteral({ SupportsRename: false })).toBe('{"SupportsRename": False}');
    expect(pythonBool(true)).toBe('True');
  });

  it('refuses values Python has no literal for', () => {
    expect(() => pythonLiteral(Number.NaN)).toThrow(/no Python literal/);
  });
});

describe('pythonList', () => {
  it('joins with commas and refuses items that contain one', () => {
    expect(pythonList(['a', 'b'])).toBe('a,b');
    expect(() => pythonList(['a,b'])).toThrow(/contains a comma/);
  });
});
