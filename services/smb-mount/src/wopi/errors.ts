// A WOPI request refused: the status the WOPI client acts on, a reason for the log and the body,
// and the headers the protocol requires with it (X-WOPI-Lock on a lock conflict). A reason never
// holds a token, a proof or a credential.

export class WopiRefusal extends Error {
  override name = 'WopiRefusal';

  constructor(
    readonly status: number,
    readonly reason: string,
    readonly headers: Readonly<Record<string, string>> = {},
    /** A JSON body the client reads (Collabora's COOLStatusCode); otherwise the reason as text. */
    readonly body?: unknown,
  ) {
    super(reason);
  }

  /** fastify's default error handler answers with this status. */
  get statusCode(): number {
    return this.status;
  }
}

/** A lock mismatch: 409 with the lock the file holds ('' when none), as the spec requires. */
export function lockConflict(current: string, reason: string): WopiRefusal {
  return new WopiRefusal(409, reason, {
    'X-WOPI-Lock': current,
    'X-WOPI-LockFailureReason': reason,
  });
}

/** Collabora's "document changed in storage" answer to PutFile (its COOLStatusCode 1010). */
export function changedOnShare(): WopiRefusal {
  return new WopiRefusal(
    409,
    'the file changed on the share since the editor loaded it',
    {},
    {
      COOLStatusCode: 1010,
      LOOLStatusCode: 1010,
    },
  );
}
