// Secrets the operator generates: created once, kept on every later reconcile, and rotated
// only when the DriveInstance carries a new rotation token.
import type { DriveRenderInputs, ExistingSecret } from './drive-inputs.js';
import { childMeta } from './labels.js';
import { objectNames, REDIS_PORT } from './object-names.js';
import { DJANGO_SECRET_KEY_KEY } from './resolve-references.js';
import { SMB_MOUNT_SECRET_KEYS } from './smb-mounts.js';

/** Set this annotation on a DriveInstance to a new value to regenerate its generated secrets. */
export const ROTATE_ANNOTATION = 'lasuite.selfhost.dev/rotate-secrets';
/** The rotation token a generated Secret was last generated for. */
export const ROTATED_FOR_ANNOTATION = 'lasuite.selfhost.dev/rotated-for';

export interface SecretObject {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: ReturnType<typeof childMeta>;
  type: 'Opaque';
  data: Record<string, string>;
}

type Generators = Record<string, (values: Record<string, string>) => string>;

function keepOrGenerate(
  existing: ExistingSecret | undefined,
  rotationToken: string | undefined,
  generators: Generators,
): Record<string, string> {
  // Only a new token rotates: removing the annotation later keeps the values.
  const rotate =
    rotationToken !== undefined && rotationToken !== existing?.annotations[ROTATED_FOR_ANNOTATION];
  const current = rotate ? undefined : existing;
  const values: Record<string, string> = {};
  for (const [key, generate] of Object.entries(generators)) {
    values[key] = current?.data[key] ?? generate(values);
  }
  return values;
}

function secretObject(
  inputs: DriveRenderInputs,
  name: string,
  component: string,
  values: Record<string, string>,
): SecretObject {
  const token =
    inputs.instance.annotations[ROTATE_ANNOTATION] ??
    inputs.existingSecrets[name]?.annotations[ROTATED_FOR_ANNOTATION];
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: childMeta(
      inputs.instance,
      name,
      component,
      token === undefined ? undefined : { [ROTATED_FOR_ANNOTATION]: token },
    ),
    type: 'Opaque',
    data: Object.fromEntries(
      Object.entries(values).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
    ),
  };
}

export function generatedSecrets(inputs: DriveRenderInputs): SecretObject[] {
  const { instance } = inputs;
  const token = instance.annotations[ROTATE_ANNOTATION];
  const secrets: SecretObject[] = [];
  const driveSecret = objectNames.generatedSecret(instance.name);
  secrets.push(
    secretObject(
      inputs,
      driveSecret,
      'secrets',
      keepOrGenerate(inputs.existingSecrets[driveSecret], token, {
        [DJANGO_SECRET_KEY_KEY]: () => inputs.randomValue(64),
      }),
    ),
  );
  if (instance.spec.redis.managed) {
    const redis = objectNames.redis(instance.name);
    const host = `${redis}.${instance.namespace}.svc.cluster.local`;
    secrets.push(
      secretObject(
        inputs,
        redis,
        'redis',
        keepOrGenerate(inputs.existingSecrets[redis], token, {
          password: () => inputs.randomValue(32),
          url: (values) => `redis://:${values.password ?? ''}@${host}:${String(REDIS_PORT)}/0`,
        }),
      ),
    );
  }
  if (instance.spec.mounts.length > 0) {
    const mounts = objectNames.mountsSecret(instance.name);
    secrets.push(
      secretObject(
        inputs,
        mounts,
        'mounts',
        keepOrGenerate(
          inputs.existingSecrets[mounts],
          token,
          Object.fromEntries(
            Object.values(SMB_MOUNT_SECRET_KEYS).map((key) => [key, () => inputs.randomValue(48)]),
          ),
        ),
      ),
    );
  }
  return secrets;
}
