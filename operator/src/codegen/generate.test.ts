import { describe, expect, it } from 'vitest';
import { generatedFiles, staleFiles } from './generate.js';

describe('generated files', () => {
  it('are fresh: the CRDs, their copies, docs/api.md and the TS types match the model', async () => {
    // Fails after a change to operator/src/api until `make generate` is run and committed.
    expect(await staleFiles()).toEqual([]);
  });

  it('are deterministic', async () => {
    expect(await generatedFiles()).toEqual(await generatedFiles());
  });

  it('put the same CRD in crds/, config/crd/bases/ and the chart', async () => {
    const files = await generatedFiles();
    const name = 'lasuite.selfhost.dev_driveinstances.yaml';
    const copies = ['crds', 'config/crd/bases', 'charts/lasuite-operator/crds'].map((dir) =>
      files.get(`${dir}/${name}`),
    );
    expect(copies[0]).toBeDefined();
    expect(new Set(copies).size).toBe(1);
  });
});
