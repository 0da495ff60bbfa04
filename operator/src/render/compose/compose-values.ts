// How a Compose project refers to what a cluster keeps in Secrets. A Secret key becomes a .env
// variable named after the Secret and the key, so one name means one value in both targets;
// compose.yaml only ever holds `${VARIABLE}` references, never a secret. Values the project itself
// knows (a database host, a service URL) are written as they are; keys that the init job writes at
// run time (the SeaweedFS keys) are files.
import type { KeyRef } from '../../contract/drive-env.js';

type EnvVariableSpec =
  | { kind: 'generated'; length: number; description: string }
  | { kind: 'required'; description: string };

/** A variable of the project's .env. */
export type EnvVariable = EnvVariableSpec & { name: string };

/** What compose.yaml writes for one Secret key. */
export type ComposeValue =
  | { literal: string }
  | { variable: string }
  /** Text around `${VARIABLE}` references, already escaped for Compose. */
  | { template: string }
  | { file: string };

/** `<SECRET>__<KEY>`, upper-cased, every other character an underscore. */
export function secretVariable(secret: string, key: string): string {
  const part = (text: string) => text.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  const name = `${part(secret)}__${part(key)}`;
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

/** Compose interpolates `$` everywhere; a literal one is written `$$`. */
export function escapeCompose(text: string): string {
  return text.replaceAll('$', '$$$$');
}

export function reference(variable: EnvVariable): string {
  // The message shows when `docker compose` finds the variable unset; it may not contain `}`.
  const hint =
    variable.kind === 'generated'
      ? 'run lasuitectl compose again to generate it into .env'
      : 'set it in .env, see the comment above it';
  return `\${${variable.name}:?${hint}}`;
}

export class ComposeValueError extends Error {
  override name = 'ComposeValueError';
}

/**
 * The Secret keys of one project: those it generates, those it knows, those written to files, and
 * every other key a resource references, which the user sets in .env.
 */
export class SecretValues {
  private readonly known = new Map<string, ComposeValue>();
  private readonly variables = new Map<string, EnvVariable>();
  private readonly owners = new Map<string, string>();

  private static id(ref: KeyRef): string {
    return `${ref.name}\u0000${ref.key}`;
  }

  /** A secret the project generates into .env: `description` says what it is for. */
  generated(ref: KeyRef, length: number, description: string): string {
    const variable = this.declare(ref, { kind: 'generated', length, description });
    this.known.set(SecretValues.id(ref), { variable: variable.name });
    return reference(variable);
  }

  /** A value the project knows: a host name, a port, a client id. */
  literal(ref: KeyRef, value: string): void {
    this.known.set(SecretValues.id(ref), { literal: value });
  }

  /** Text with `${VARIABLE}` references to variables declared here (a URL with a password). */
  template(ref: KeyRef, template: string): void {
    this.known.set(SecretValues.id(ref), { template });
  }

  /** A key an init job writes at run time into a file the consumer reads. */
  file(ref: KeyRef, path: string): void {
    this.known.set(SecretValues.id(ref), { file: path });
  }

  /**
   * What compose.yaml writes for a key; a key nobody declared is the user's to set, described by
   * `usedBy` (the resource field that references it).
   */
  value(ref: KeyRef, usedBy: string): ComposeValue {
    const known = this.known.get(SecretValues.id(ref));
    if (known) return known;
    const variable = this.declare(ref, {
      kind: 'required',
      description: `key ${ref.key} of Secret ${ref.name}, referenced by ${usedBy}`,
    });
    return { variable: variable.name };
  }

  /** `${VARIABLE}` of a declared variable, for the services that consume it directly. */
  interpolation(ref: KeyRef, usedBy: string): string {
    const value = this.value(ref, usedBy);
    if ('variable' in value) return reference(this.variable(value.variable));
    if ('literal' in value) return escapeCompose(value.literal);
    if ('template' in value) return value.template;
    throw new ComposeValueError(
      `key ${ref.key} of Secret ${ref.name} is written to ${value.file} at run time; ${usedBy} cannot read it from the environment`,
    );
  }

  variable(name: string): EnvVariable {
    const found = this.variables.get(name);
    if (!found) throw new ComposeValueError(`no variable ${name} was declared`);
    return found;
  }

  /** Every .env variable, in a stable order: generated first, then what the user sets. */
  envVariables(): EnvVariable[] {
    const all = [...this.variables.values()];
    const order = (variable: EnvVariable) => (variable.kind === 'generated' ? 0 : 1);
    return all.sort((a, b) => order(a) - order(b) || a.name.localeCompare(b.name));
  }

  private declare(ref: KeyRef, spec: EnvVariableSpec): EnvVariable {
    const name = secretVariable(ref.name, ref.key);
    const owner = SecretValues.id(ref);
    const previous = this.owners.get(name);
    if (previous !== undefined && previous !== owner) {
      const [secret, key] = previous.split('\u0000');
      throw new ComposeValueError(
        `key ${ref.key} of Secret ${ref.name} and key ${key ?? ''} of Secret ${secret ?? ''} both map to .env variable ${name}; rename one of the Secrets or keys`,
      );
    }
    const existing = this.variables.get(name);
    // What the project generates wins over a key first seen as one for the user to set.
    if (existing && !(existing.kind === 'required' && spec.kind === 'generated')) return existing;
    const variable: EnvVariable = { ...spec, name };
    this.owners.set(name, owner);
    this.variables.set(name, variable);
    return variable;
  }
}
