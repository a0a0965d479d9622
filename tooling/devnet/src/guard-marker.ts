/** The marker of the loopback guard's refusal lines (separate, so that reading it does not install the guard). */
export const GUARD_MARKER = 'devnet-guard:';
