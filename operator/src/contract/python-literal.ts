// Drive parses DictValue settings with Python's ast.literal_eval and BooleanValue settings with
// django-configurations, so values must be written as Python literals: `True`, not `true`.

export type PythonValue =
  | null
  | boolean
  | number
  | string
  | readonly PythonValue[]
  | { readonly [key: string]: PythonValue };

/** `True` / `False`, the spelling both ast.literal_eval and BooleanValue accept. */
export function pythonBool(value: boolean): 'True' | 'False' {
  return value ? 'True' : 'False';
}

function pythonString(value: string): string {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '\\') out += '\\\\';
    else if (char === '"') out += '\\"';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += char;
  }
  return `${out}"`;
}

/** A Python literal that ast.literal_eval reads back as the same value. */
export function pythonLiteral(value: PythonValue): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return pythonBool(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`no Python literal for ${value}`);
    return String(value);
  }
  if (typeof value === 'string') return pythonString(value);
  if (Array.isArray(value))
    return `[${value.map((item: PythonValue) => pythonLiteral(item)).join(', ')}]`;
  const entries = Object.entries(value as Record<string, PythonValue>);
  return `{${entries.map(([key, item]) => `${pythonString(key)}: ${pythonLiteral(item)}`).join(', ')}}`;
}

/** A django-configurations ListValue: comma-separated, so items must not contain commas. */
export function pythonList(items: readonly string[]): string {
  for (const item of items) {
    if (item.includes(',')) throw new Error(`list item ${JSON.stringify(item)} contains a comma`);
  }
  return items.join(',');
}
