// What rendering a DriveInstance needs besides its spec: the resolved state of what it
// references, which only the operator (or a placeholder, offline) can know.
import type { DriveInstanceSpec } from '../api/drive-instance.js';
import type { ResolvedEditor, ResolvedIdentity, ResolvedStorage } from '../contract/drive-env.js';
import type { OwnerInstance } from './labels.js';
import type { ResolvedSmbMount } from './smb-mounts.js';

export interface ResolvedEditorRoute extends ResolvedEditor {
  /** A managed Collabora: the Service the edge routes /cool/, /hosting/ and /browser/ to. */
  managed?: {
    /** The WopiClient, whose name labels the Collabora pods. */
    resource: string;
    service: string;
    port: number;
    replicas: number;
    /** Its own public host; served on the Drive host when absent. */
    host?: string;
  };
}

export interface ExistingSecret {
  data: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
}

export interface ReferencedSecret {
  keys: readonly string[];
  resourceVersion: string;
}

export interface DriveRenderInputs {
  instance: OwnerInstance & {
    spec: DriveInstanceSpec;
    annotations: Readonly<Record<string, string>>;
  };
  storage: ResolvedStorage;
  identity: ResolvedIdentity;
  editors: readonly ResolvedEditorRoute[];
  /** Secrets the operator generated earlier, by name (decoded data): their values are kept. */
  existingSecrets: Readonly<Record<string, ExistingSecret>>;
  /**
   * Every other Secret the workloads reference, by name, as the cluster has it. Undefined when
   * rendering offline, where nothing can be checked.
   */
  referencedSecrets?: Readonly<Record<string, ReferencedSecret>>;
  mediaGatewayImage: string;
  /** The SMB StorageMounts of spec.mounts, in its order. */
  mounts?: readonly ResolvedSmbMount[];
  smbMountImage?: string;
  /** Source of new secret values; injected so that rendering stays a pure function. */
  randomValue(length: number): string;
}
