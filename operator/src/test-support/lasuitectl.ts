// lasuitectl run in-process, its output captured, as tests call it.
import { run } from '../cli/lasuitectl.js';

export async function lasuitectl(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  });
  return { code, stdout, stderr };
}
