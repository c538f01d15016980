// The Ids port: the only source of new identifiers and secrets.

export interface Ids {
  /** A new opaque id, `prefix_` + 20 time-ordered base32 characters (ordered ids keep b-tree inserts local). */
  newId(prefix: string): string;
  /** `bytes` of cryptographically strong randomness, base64url-encoded (tokens, secrets). */
  secret(bytes: number): string;
}
