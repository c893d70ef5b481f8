/** Worker process entry (dist/worker.js): the session runner behind the protocol loop. */
import { initBackend } from '../core/model/backend';
import { validateExperiment } from '../core/config/load';
import { runSession } from '../session/run-session';
import { startWorker } from './start-worker';

startWorker({ initBackend, validateExperiment, runSession });
