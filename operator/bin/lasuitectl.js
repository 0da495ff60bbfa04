#!/usr/bin/env node
// npm links this launcher at install time, before the TypeScript is compiled; it loads the
// compiled CLI from dist/.
let cli;
try {
  cli = await import('../dist/cli/lasuitectl.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
  process.stderr.write('lasuitectl is not built yet: run `make build` first\n');
  process.exit(2);
}
process.exitCode = await cli.run(process.argv.slice(2));
