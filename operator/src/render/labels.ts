// app.kubernetes.io/* labels and the owner reference on every object derived from a DriveInstance.

export const MANAGED_BY = 'lasuite-operator';

export interface OwnerInstance {
  name: string;
  namespace: string;
  /** Known once the DriveInstance exists; offline rendering leaves owner references out. */
  uid?: string;
}

/** Labels that select a component's pods; they never change for the life of a Deployment. */
export function selectorLabels(drive: string, component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'drive',
    'app.kubernetes.io/instance': drive,
    'app.kubernetes.io/component': component,
  };
}

export function driveLabels(drive: string, component: string): Record<string, string> {
  return {
    ...selectorLabels(drive, component),
    'app.kubernetes.io/part-of': 'lasuite',
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}

export interface ObjectMeta {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: {
    apiVersion: string;
    kind: string;
    name: string;
    uid: string;
    controller: boolean;
    blockOwnerDeletion: boolean;
  }[];
}

/** Metadata of a child object: namespaced like its owner, labelled, and owned by it. */
export function childMeta(
  owner: OwnerInstance,
  name: string,
  component: string,
  annotations?: Record<string, string>,
): ObjectMeta {
  return {
    name,
    namespace: owner.namespace,
    labels: driveLabels(owner.name, component),
    ...(annotations ? { annotations } : {}),
    ...(owner.uid === undefined
      ? {}
      : {
          ownerReferences: [
            {
              apiVersion: 'lasuite.selfhost.dev/v1alpha1',
              kind: 'DriveInstance',
              name: owner.name,
              uid: owner.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        }),
  };
}
