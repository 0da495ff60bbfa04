// Secret values generated once by the operator (into Secrets) and by lasuitectl compose (into
// .env). Letters and digits only: the values end up in URLs (redis://:<password>@…), in .env files
// and in Keycloak's realm placeholders, where anything else would need quoting.
import { randomInt } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `length` characters, each drawn uniformly (≈ 5.95 bits each). */
export function randomSecret(length: number): string {
  return Array.from({ length }, () => ALPHABET.charAt(randomInt(ALPHABET.length))).join('');
}
