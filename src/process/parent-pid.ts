/**
 * How the host tells its worker who its parent is: the client sets the variable when it forks, the
 * worker's orphan guard reads it (process.ppid is unreliable under Electron wrappers).
 */
export const PARENT_PID_ENV = 'NEUMANN_LENS_PARENT_PID';

export function parentPidFromEnv(env: NodeJS.ProcessEnv = process.env): number | null {
  const v = Number(env[PARENT_PID_ENV]);
  return Number.isInteger(v) && v > 0 ? v : null;
}
