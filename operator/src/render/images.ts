// Images of this project's own services, pinned to the operator's release.
export const OPERATOR_VERSION = '0.1.0';
export const MEDIA_GATEWAY_IMAGE = `ghcr.io/lasuite-selfhost/media-gateway:${OPERATOR_VERSION}`;
export const SMB_MOUNT_IMAGE = `ghcr.io/lasuite-selfhost/smb-mount:${OPERATOR_VERSION}`;
