/**
 * The file the integration suite writes as it goes when NEUMANN_LENS_TEST_RESULTS names one: the
 * runner outside the extension host reads it to report each test (the host itself only hands back
 * an exit code). Rewritten after every test, so a host that dies mid-run leaves `finished: false`.
 */
export const RESULTS_ENV = 'NEUMANN_LENS_TEST_RESULTS';

export interface SuiteResult {
  name: string;
  ok: boolean;
  /** Wall time in the extension host, for the reader (never asserted). */
  durationMs: number;
  /** The failure's stack (or message), when not ok. */
  error?: string;
}

export interface SuiteResults {
  /** Every test the suite declares, in order. */
  planned: string[];
  results: SuiteResult[];
  finished: boolean;
}
