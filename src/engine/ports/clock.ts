// The Clock port: the only way any part of Stepwise learns the time (design.md §3.1).

export interface Clock {
  /** Now, as epoch milliseconds (UTC). */
  now(): number;
}
