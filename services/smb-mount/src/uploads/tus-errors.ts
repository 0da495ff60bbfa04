// tus's errors are plain objects (status_code and body) that @tus/server answers as they are;
// thrown from this code they must be Error objects all the same.
import { ERRORS } from '@tus/utils';

export type TusErrorName = keyof typeof ERRORS;

export class TusError extends Error {
  override name = 'TusError';
  readonly status_code: number;
  readonly body: string;

  constructor(which: TusErrorName) {
    const { status_code, body } = ERRORS[which];
    super(body.trim());
    this.status_code = status_code;
    this.body = body;
  }
}
