// What a mount offers a client, for the capabilities endpoint and the mounts list.
import type { MountsConfig } from '../config.js';
import { uploadLimits } from '../uploads/chunk-policy.js';
import { API_PREFIX } from './schemas.js';

export function capabilitiesOf(config: MountsConfig, mount: string) {
  return {
    versioning: false,
    rangeReads: true,
    resumableUploads: true,
    // WOPI needs an editor: without discovery, there is nothing to open a document in.
    wopi: config.WOPI_DISCOVERY_URLS.length > 0,
    shareLinks: true,
    searchByName: true,
    upload: {
      ...uploadLimits(config),
      tusEndpoint: `${API_PREFIX}/m/${mount}/uploads/`,
      wholeFilePut: !config.UPLOAD_CHUNKED,
    },
  };
}
