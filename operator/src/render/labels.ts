// app.kubernetes.io/* labels on every object the operator derives from a DriveInstance.

export const MANAGED_BY = 'lasuite-operator';

export function driveLabels(drive: string, component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'drive',
    'app.kubernetes.io/instance': drive,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': 'lasuite',
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}
